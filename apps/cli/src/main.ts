import { runCli } from "./cli";
import { exitCodes } from "./errors";

/** Grace period for a handler to clean up after Ctrl-C before the process goes anyway. */
const interruptGraceMs = 2000;

/**
 * The process around the CLI: argv in, exit code out. Ctrl-C aborts the running command and exits 130
 * quietly (a second Ctrl-C exits at once); a closed pipe (`swcli ... | head`) ends the process quietly.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(exitCodes.interrupted);
    controller.abort();
    setTimeout(() => process.exit(exitCodes.interrupted), interruptGraceMs).unref();
  };
  process.on("SIGINT", interrupt);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(exitCodes.ok);
      throw error;
    });
  }

  const code = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    signal: controller.signal,
    onInterrupt: interrupt,
  });
  // process.exit() does not wait for pipes to drain; an empty write's callback fires once everything before it has.
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
  process.exit(code);
}
