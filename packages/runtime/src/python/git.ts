// What pip freeze prints for an editable install whose project sits in a git checkout:
// `-e git+<remote>@<commit>#egg=<name>[&subdirectory=…]`, or a comment explaining why it cannot.
// Git is only run for editables inside a repository, which the default lock excludes.
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export interface EditableInfo {
  requirement: string;
  comments: string[];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

type GitResult = { code: number; stdout: string } | "missing";

function runGit(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((done) => {
    execFile("git", args, { cwd, timeout: 30_000 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") done("missing");
      else done({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout });
    });
  });
}

async function insideGitCheckout(location: string): Promise<boolean> {
  for (let dir = location; ; dir = dirname(dir)) {
    if (await exists(join(dir, ".git"))) return true;
    if (dirname(dir) === dir) return false;
  }
}

const scpLike = /^(\w+@)?([^/:]+):(\w[^:]*)$/;

// pip's `_git_remote_to_pip_url`.
async function remoteToPipUrl(url: string): Promise<string | undefined> {
  if (/^\w+:\/\//.test(url)) return url;
  if (isAbsolute(url) && (await exists(url))) return pathToFileURL(url).href;
  const scp = scpLike.exec(url);
  if (scp) return `ssh://${scp[1] ?? ""}${scp[2]}/${scp[3]}`;
  return undefined;
}

async function isInstallableDir(path: string): Promise<boolean> {
  return (await isFile(join(path, "pyproject.toml"))) || (await isFile(join(path, "setup.py")));
}

/** The project's directory relative to the repository root, when it is not the root itself. */
async function projectSubdirectory(location: string, repoRoot: string): Promise<string | undefined> {
  let dir = location;
  while (!(await isInstallableDir(dir))) {
    if (dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
  const rel = relative(repoRoot, dir);
  return rel === "" ? undefined : rel;
}

/**
 * pip's `_get_editable_info` for git: undefined when the location is not in a git checkout (the caller prints
 * "Editable install with no version control").
 */
export async function gitEditableInfo(
  location: string,
  rawName: string,
  display: string,
): Promise<EditableInfo | undefined> {
  if (!(await insideGitCheckout(location))) return undefined;
  const fallback = (comments: string[]) => ({ requirement: location, comments });
  const remotes = await runGit(["config", "--get-regexp", "remote\\..*\\.url"], location);
  // Without git, pip still treats a project holding `.git` itself as a git checkout, but not one below it.
  if (remotes === "missing") return (await exists(join(location, ".git"))) ? fallback([]) : undefined;
  if (remotes.code !== 0 && remotes.code !== 1)
    return fallback(["## !! Could not determine repository location"]);
  const lines = remotes.stdout.split("\n").filter(Boolean);
  const chosen = lines.find((line) => line.startsWith("remote.origin.url ")) ?? lines[0];
  if (!chosen) return fallback([`# Editable Git install with no remote (${display})`]);
  const rawUrl = (chosen.split(" ")[1] ?? "").trim();
  let url = await remoteToPipUrl(rawUrl);
  if (!url) {
    return fallback([
      `# Editable Git install (${display}) with either a deleted local remote or invalid URI:`,
      `# '${rawUrl}'`,
    ]);
  }
  if (!url.toLowerCase().startsWith("git:")) url = `git+${url}`;
  const head = await runGit(["rev-parse", "HEAD"], location);
  const gitDir = await runGit(["rev-parse", "--git-dir"], location);
  if (head === "missing" || gitDir === "missing" || head.code !== 0 || gitDir.code !== 0) {
    return fallback(["## !! Could not determine repository location"]);
  }
  const repoRoot = resolve(location, gitDir.stdout.trim(), "..");
  const subdirectory = await projectSubdirectory(location, repoRoot);
  let requirement = `${url}@${head.stdout.trim()}#egg=${rawName.replace(/-/g, "_")}`;
  if (subdirectory) requirement += `&subdirectory=${subdirectory}`;
  return { requirement, comments: [] };
}
