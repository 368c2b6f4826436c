/** One naming rule for the client and drizzle-kit: camelCase in TypeScript, snake_case in SQL. */
export const casing = "snake_case" as const;
