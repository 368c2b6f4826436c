/** Project roles, lowest first (the server's `projectRoles`, without importing the database schema here). */
export const roles = ["guest", "maintainer", "owner"] as const;
export type Role = (typeof roles)[number];
