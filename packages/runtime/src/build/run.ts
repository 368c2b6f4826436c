// Running the tools a build drives (python, pip, conda): output streamed line by line to the progress log,
// the end of stderr kept for the error message, and a Ctrl-C stopping the child.
import { spawn } from "node:child_process";
import { AppError } from "@swhub/shared/errors";
import type { EnvVars, RunHooks } from "./settings";

export interface RunOptions extends RunHooks {
  cwd?: string;
  env: EnvVars;
  /** Keep stdout in the result (default: only streamed to the log). */
  capture?: boolean;
}

export interface ToolResult {
  code: number;
  stdout: string;
  /** The last lines of stderr (or of stdout when stderr was empty). */
  tail: string[];
}

const tailLines = 20;

/** Runs a command to completion; never throws for a non-zero exit (only when it cannot start). */
export function runTool(command: string, args: string[], options: RunOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AppError("internal", `${command} was interrupted`));
      return;
    }
    // Its own process group, so stopping it also stops what it started (pip's build backends, conda's solvers).
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let interrupted = false;
    const stop = () => {
      interrupted = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    options.signal?.addEventListener("abort", stop, { once: true });
    let stdout = "";
    const tails = { stdout: [] as string[], stderr: [] as string[] };
    const pending = { stdout: "", stderr: "" };
    const take = (stream: "stdout" | "stderr", text: string, flush = false) => {
      const lines = (pending[stream] + text).split(/\r?\n/);
      pending[stream] = flush ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        if (!line.trim()) continue;
        options.progress?.log(line, stream);
        tails[stream].push(line);
        if (tails[stream].length > tailLines) tails[stream].shift();
      }
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (options.capture) stdout += chunk;
      take("stdout", chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => take("stderr", chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener("abort", stop);
      if (error.code === "ENOENT") reject(new AppError("not_found", `${command} not found`));
      else reject(error);
    });
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", stop);
      if (interrupted) {
        reject(new AppError("internal", `${command} was interrupted`));
        return;
      }
      take("stdout", "", true);
      take("stderr", "", true);
      resolve({
        code: code ?? 1,
        stdout,
        tail: tails.stderr.length > 0 ? tails.stderr : tails.stdout,
      });
    });
  });
}

/** The line of a failed tool's output most worth showing: pip and conda put the reason last. */
export function lastWords(result: ToolResult): string {
  const errorLine = [...result.tail].reverse().find((line) => /^(ERROR|error|CondaError)/.test(line.trim()));
  return (errorLine ?? result.tail.at(-1) ?? `exit code ${result.code}`).trim();
}
