export * from "./layout";
export * from "./lifecycle";
export * from "./queries";
export * from "./resolver";
export { readTagIndex } from "./tag-index";
export * from "./tags";
export type { StoredVersion } from "./versions";
