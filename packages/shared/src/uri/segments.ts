import { runtimeNameProblem } from "../names";
import { uriError } from "./instance";

const versionRefPattern = /^[A-Za-z0-9_.-]{1,80}$/;
const projectRefPattern = /^[A-Za-z0-9_.:-]{1,80}$/;

/** Splits a path into segments; `//` and other empty segments are malformed (Starwhale: "wrong format uri"). */
export function splitPath(path: string, input: string): string[] {
  if (path === "") return [];
  const segments = path.split("/");
  if (path.includes("//")) throw uriError(input, "'//' is not allowed inside a URI");
  if (segments.some((s) => s === ""))
    throw uriError(input, "it has an empty path segment (a leading or trailing '/')");
  return segments;
}

export function checkProjectRef(project: string, input: string): string {
  if (!projectRefPattern.test(project)) {
    throw uriError(input, `"${project.slice(0, 40)}" is not a valid project name or id`);
  }
  return project;
}

/** Runtime names follow the shared name rules; on a server a numeric id may stand in for the name. */
export function checkNameRef(name: string, input: string, allowId: boolean): string {
  if (allowId && /^\d+$/.test(name)) return name;
  const problem = runtimeNameProblem(name);
  if (problem) throw uriError(input, problem);
  return name;
}

export function checkVersionRef(version: string, input: string): string {
  if (!versionRefPattern.test(version)) {
    throw uriError(input, `"${version.slice(0, 40)}" is not a valid version, tag or version prefix`);
  }
  return version;
}
