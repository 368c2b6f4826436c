import { spawn } from "node:child_process";
import { AppError } from "@swhub/shared/errors";
import type { ProgressSink } from "@swhub/shared/progress";

export interface RunLoggedOptions {
  cwd?: string;
  /** Default: inherited. */
  env?: NodeJS.ProcessEnv;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** How the command is named in errors, e.g. "pip install -r requirements-sw-lock.txt". */
  label: string;
  /** What to suggest when the command fails. */
  hint?: string;
}

/**
 * Runs a command to completion, sending each line it prints to `progress.log` as it comes (pip's output is what
 * users watch during a restore). A failure is one AppError naming the command and its last error line.
 */
export function runLogged(command: string, args: string[], options: RunLoggedOptions): Promise<void> {
  const { progress, signal, label } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let lastError = "";
    const pump = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (pending + chunk).split(/\r?\n|\r/);
        pending = lines.pop() ?? "";
        for (const line of lines) emit(line, name);
      });
      stream.on("end", () => {
        if (pending) emit(pending, name);
      });
    };
    const emit = (line: string, name: "stdout" | "stderr") => {
      if (line.trim() === "") return;
      if (name === "stderr" || /^ERROR:/.test(line)) lastError = line.trim();
      progress.log(line, name);
    };
    pump(child.stdout, "stdout");
    pump(child.stderr, "stderr");

    const onAbort = () => child.kill("SIGTERM");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener("abort", onAbort);
      reject(
        error.code === "ENOENT"
          ? new AppError("not_found", `${command} is not installed or not on PATH (needed for ${label})`)
          : error,
      );
    });
    child.on("close", (code, killedBy) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) return resolve();
      const how = code === null ? `was killed by ${killedBy}` : `failed (exit ${code})`;
      reject(new AppError("internal", `${label} ${how}${lastError ? `: ${lastError}` : ""}`, options.hint));
    });
  });
}
