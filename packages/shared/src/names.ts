import { AppError } from "./errors";

/**
 * One rule set for names and tags, used by swcli and the server alike (DESIGN.md difference 5).
 * It is Starwhale's client rule, the looser of its two, so every runtime a Starwhale user already has can be copied
 * to our server unchanged.
 */
export const NAME_MAX_LENGTH = 80;
const namePattern = /^[a-zA-Z_][a-zA-Z0-9_.-]*$/;
/** Project names may also carry Starwhale's `owner:project` form. */
const projectPattern = /^[a-zA-Z_][a-zA-Z0-9_.:-]*$/;
const userPattern = /^[a-zA-Z_][a-zA-Z0-9_.-]*$/;

/** `latest` and `vN` are maintained by the system and can't be added or removed by users. */
export const BUILTIN_LATEST_TAG = "latest";
const autoTagPattern = /^v\d+$/;

export function isBuiltinTag(tag: string): boolean {
  return tag === BUILTIN_LATEST_TAG || autoTagPattern.test(tag);
}

export function autoTag(seq: number): string {
  return `v${seq}`;
}

/** The N of an auto tag `vN`, or undefined for any other tag. */
export function autoTagSeq(tag: string): number | undefined {
  return autoTagPattern.test(tag) ? Number(tag.slice(1)) : undefined;
}

/** Returns the reason a name is invalid, or undefined when it is fine. */
function checkName(value: string, pattern: RegExp, what: string, charset: string): string | undefined {
  if (value.length === 0) return `${what} is empty`;
  if (value.length > NAME_MAX_LENGTH) {
    return `${what} "${value.slice(0, 20)}…" is too long (${value.length} characters, at most ${NAME_MAX_LENGTH})`;
  }
  if (!pattern.test(value)) {
    const bad = [...value].find((ch, i) => !pattern.test(i === 0 ? ch : `a${ch}`));
    const where = bad === undefined ? "" : `: character ${JSON.stringify(bad)} is not allowed`;
    return `${what} ${JSON.stringify(value)} is invalid${where}; use ${charset}`;
  }
  return undefined;
}

const nameCharset = "letters, digits, '_', '.' and '-', starting with a letter or '_'";

export function runtimeNameProblem(name: string): string | undefined {
  return checkName(name, namePattern, "runtime name", nameCharset);
}

export function projectNameProblem(name: string): string | undefined {
  return checkName(name, projectPattern, "project name", `${nameCharset} (and ':')`);
}

export function userNameProblem(name: string): string | undefined {
  return checkName(name, userPattern, "user name", nameCharset);
}

/** A tag given by a user: a valid name that is not built in. */
export function userTagProblem(tag: string): string | undefined {
  const problem = checkName(tag, namePattern, "tag", nameCharset);
  if (problem) return problem;
  if (isBuiltinTag(tag)) return `tag "${tag}" is built in (latest and vN are managed automatically)`;
  return undefined;
}

function assertOk(problem: string | undefined): void {
  if (problem) throw new AppError("invalid_input", problem);
}

export const assertRuntimeName = (name: string) => assertOk(runtimeNameProblem(name));
export const assertProjectName = (name: string) => assertOk(projectNameProblem(name));
export const assertUserName = (name: string) => assertOk(userNameProblem(name));
export const assertUserTag = (tag: string) => assertOk(userTagProblem(tag));
