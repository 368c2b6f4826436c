export * from "./console-url";
export * from "./copy";
export * from "./format";
export { instanceByAlias, instanceByUrl, originOf } from "./instance";
export * from "./project";
export * from "./resolve";
export * from "./resource";
export * from "./types";
