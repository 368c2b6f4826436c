export * from "./dependencies";
export { formatIssues, formatPath, parseWith } from "./issues";
export * from "./lock";
export * from "./manifest";
export * from "./runtime-yaml";
export * from "./tag-manifest";
