import { createInterface } from "node:readline/promises";

export interface PromptIo {
  stdin: NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
  /** Called on Ctrl-C while a terminal is in raw mode, where no SIGINT reaches the process. */
  onInterrupt(): void;
}

/**
 * Asks a yes/no question on stderr (stdout may be piped) and reads the answer from stdin, a terminal or a pipe
 * (`yes | swcli gc`). No answer, end of input or anything but y/yes means no.
 */
export async function confirm(question: string, io: PromptIo): Promise<boolean> {
  const rl = createInterface({
    input: io.stdin,
    output: io.stderr,
    terminal: Boolean((io.stdin as { isTTY?: boolean }).isTTY),
  });
  rl.on("SIGINT", () => {
    rl.close();
    io.onInterrupt();
  });
  const closed = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([rl.question(`${question} [y/N] `, { signal: io.signal }), closed]);
    return /^(y|yes)$/i.test(answer.trim());
  } catch (error) {
    if (io.signal.aborted) return false;
    throw error;
  } finally {
    rl.close();
  }
}
