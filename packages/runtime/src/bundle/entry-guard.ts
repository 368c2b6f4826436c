import { AppError } from "@swhub/shared/errors";

/*
 * The rules an archive member must pass before anything is written for it. Pure: it sees only member headers,
 * so the same rules run when we pack (refuse to make what we would refuse to open) and when we extract.
 *
 * A member is refused when its path is absolute (other than Starwhale's root "/") or climbs with "..", when it
 * is not a file, directory, symlink or hardlink, when it sits inside a symlink or a file of the archive, when a
 * symlink resolves (through the archive's other symlinks) outside the root, when a hardlink names anything but an
 * earlier file, and when sizes or counts pass the limits.
 */

export type MemberKind = "file" | "dir" | "symlink" | "hardlink";

export interface GuardInput {
  path: string;
  /** node-tar's type name ("File", "Directory", "SymbolicLink", "Link", "CharacterDevice", ...) or our kind. */
  type: string;
  size: number;
  linkpath?: string;
}

export interface AdmittedMember {
  /** Normalised relative path ("a/b"). */
  path: string;
  kind: MemberKind;
  size: number;
  /** For symlinks the target as written; for hardlinks the normalised path of the linked member. */
  linkpath?: string;
}

export interface ArchiveLimits {
  maxEntries: number;
  /** What the archive can hold at most (an uncompressed tar: its own size); declared sizes beyond are lies. */
  capacity: number;
}

export interface EntryGuardOptions {
  /** Start of every error message, e.g. `demo.swrt is unsafe to extract:`. */
  prefix: string;
  hint?: string;
  limits?: Partial<ArchiveLimits>;
}

export interface EntryGuard {
  /** Check one member in archive order; undefined means the root directory (nothing to write). */
  admit(member: GuardInput): AdmittedMember | undefined;
  /** Check what can only be judged with every member known: where symlinks end up. */
  finish(): void;
}

const kinds: Record<string, MemberKind> = {
  File: "file",
  OldFile: "file",
  ContiguousFile: "file",
  Directory: "dir",
  SymbolicLink: "symlink",
  Link: "hardlink",
  file: "file",
  dir: "dir",
  symlink: "symlink",
  hardlink: "hardlink",
};

const kindNames: Record<string, string> = {
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  FIFO: "a FIFO",
};

const maxPathBytes = 4096;
const maxLinkHops = 40;

export function createEntryGuard(options: EntryGuardOptions): EntryGuard {
  const limits: ArchiveLimits = {
    maxEntries: 1_000_000,
    capacity: Number.POSITIVE_INFINITY,
    ...options.limits,
  };
  const seen = new Map<string, MemberKind>();
  const links = new Map<string, string>();
  /** Every ancestor directory of an admitted member. */
  const parents = new Set<string>();
  let entries = 0;
  let total = 0;

  function refuse(raw: string, reason: string): never {
    throw new AppError(
      "invalid_input",
      `${options.prefix} member "${printable(raw)}" ${reason}`,
      options.hint,
    );
  }

  return {
    admit(member) {
      const kind = kinds[member.type];
      if (!kind) refuse(member.path, `is ${kindNames[member.type] ?? `of unsupported type ${member.type}`}`);
      const path = normalisePath(member.path, (reason) => refuse(member.path, reason));
      if (path === "") {
        if (kind !== "dir") refuse(member.path, "names the root but is not a directory");
        return undefined;
      }
      if (++entries > limits.maxEntries)
        refuse(member.path, `is one more than the ${limits.maxEntries} members allowed`);
      const size = kind === "file" ? member.size : 0;
      if (!Number.isSafeInteger(size) || size < 0) {
        refuse(member.path, `declares an impossible size of ${member.size} bytes`);
      }
      total += size;
      if (total > limits.capacity) {
        refuse(
          member.path,
          `declares ${size} bytes, more than the ${limits.capacity}-byte archive holds (truncated or corrupt)`,
        );
      }

      for (let at = path.indexOf("/"); at >= 0; at = path.indexOf("/", at + 1)) {
        const parent = path.slice(0, at);
        const parentKind = seen.get(parent);
        if (parentKind === "symlink") refuse(member.path, `is inside the symlink "${parent}"`);
        if (parentKind && parentKind !== "dir") refuse(member.path, `is inside the file "${parent}"`);
        parents.add(parent);
      }
      const before = seen.get(path);
      if (before && before !== kind) refuse(member.path, `appears twice, as a ${before} and as a ${kind}`);
      if (kind !== "dir" && parents.has(path))
        refuse(member.path, `is a ${kind} but other members are inside it`);
      seen.set(path, kind);

      if (kind === "symlink") {
        const target = member.linkpath ?? "";
        if (target === "" || target.includes("\0")) refuse(member.path, "is a symlink without a target");
        if (target.startsWith("/"))
          refuse(member.path, `is a symlink to the absolute path "${printable(target)}"`);
        links.set(path, target);
        return { path, kind, size, linkpath: target };
      }
      if (kind === "hardlink") {
        const target = normalisePath(member.linkpath ?? "", (reason) =>
          refuse(member.path, `is a hardlink whose target ${reason}`),
        );
        const targetKind = seen.get(target);
        if (targetKind !== "file" && targetKind !== "hardlink") {
          refuse(
            member.path,
            `is a hardlink to "${printable(member.linkpath ?? "")}", which is not an earlier file`,
          );
        }
        return { path, kind, size, linkpath: target };
      }
      return { path, kind, size };
    },

    finish() {
      for (const [path, target] of links) {
        if (resolveInside(path, target, links) === undefined) {
          refuse(path, `is a symlink pointing outside the target ("${printable(target)}")`);
        }
      }
    },
  };
}

/**
 * Normalise a member path to "a/b" form: "./" prefixes, repeated and trailing slashes go; "" (or "/" alone) is
 * the root. Absolute paths, ".." segments, NUL and over-long paths are refused through `refuse`.
 */
export function normalisePath(raw: string, refuse: (reason: string) => never): string {
  if (raw.includes("\0")) refuse("contains a NUL byte");
  if (Buffer.byteLength(raw) > maxPathBytes) refuse(`is longer than ${maxPathBytes} bytes`);
  // Fast path: an already clean relative path (the common case, thousands of times per archive).
  if (!/(^|\/)\.{0,2}(\/|$)/.test(raw)) return raw;
  const absolute = raw.startsWith("/");
  const parts = raw.split("/").filter((part) => part !== "" && part !== ".");
  if (absolute && parts.length > 0) refuse("has an absolute path");
  if (parts.includes("..")) refuse('climbs out with ".."');
  return parts.join("/");
}

/**
 * Where the symlink at `path` pointing to `target` ends up, following the archive's other symlinks, or undefined
 * when it leaves the root (or loops).
 */
export function resolveInside(path: string, target: string, links: Map<string, string>): string | undefined {
  const stack = path.split("/").slice(0, -1);
  const queue = target.split("/");
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) return undefined;
      stack.pop();
      continue;
    }
    stack.push(part);
    const link = links.get(stack.join("/"));
    if (link === undefined) continue;
    if (++hops > maxLinkHops || link.startsWith("/")) return undefined;
    stack.pop();
    queue.unshift(...link.split("/"));
  }
  return stack.join("/");
}

/** Control characters in a hostile name must not reach the user's terminal. */
function printable(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
