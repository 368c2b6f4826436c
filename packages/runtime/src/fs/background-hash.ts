import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/**
 * A sha256 fed in order, piece by piece, whose work may happen on another thread. Transfers hash what they move
 * while the bytes stream by; on the thread that also parses the socket and issues the writes, hashing was the
 * largest single cost of a transfer (about a quarter of it), while the machine's other core idled.
 */
export interface PieceHash {
  /** Adds bytes, in order. The caller may reuse the pieces once this returns. */
  update(pieces: readonly Uint8Array[]): void;
  /** The hex sha256 of everything added. The hash is done after this. */
  digest(): Promise<string>;
  /** Drops the hash without a digest. */
  stop(): void;
}

// Dynamic imports only, so the code runs whether the worker takes it as a script or as a module (a parent started
// with --input-type=module passes that on to its workers).
const workerSource = `
(async () => {
  const { parentPort } = await import("node:worker_threads");
  const hash = (await import("node:crypto")).createHash("sha256");
  parentPort.on("message", (message) => {
    if (message === "digest") parentPort.postMessage(hash.digest("hex"));
    else hash.update(new Uint8Array(message));
  });
})();
`;

/** A `PieceHash` computed on a worker thread of its own (one per hash: keep them few). */
export function backgroundSha256(): PieceHash {
  const worker = new Worker(workerSource, { eval: true });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the hashing thread stopped (exit code ${code})`)));
  });
  failed.catch(() => {});
  return {
    update(pieces) {
      const size = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
      if (size === 0) return;
      // One copy into memory of its own, which then moves to the worker without another.
      const joined = Buffer.allocUnsafeSlow(size);
      let at = 0;
      for (const piece of pieces) {
        joined.set(piece, at);
        at += piece.byteLength;
      }
      worker.postMessage(joined.buffer, [joined.buffer]);
    },
    async digest() {
      const answer = new Promise<string>((resolve) => worker.once("message", resolve));
      worker.postMessage("digest");
      try {
        return await Promise.race([answer, failed]);
      } finally {
        void worker.terminate();
      }
    },
    stop() {
      void worker.terminate();
    },
  };
}

/** A `PieceHash` computed right here, for when another thread is not worth it (small or many at once). */
export function inlineSha256(): PieceHash {
  const hash = createHash("sha256");
  return {
    update(pieces) {
      for (const piece of pieces) hash.update(piece);
    },
    digest: async () => hash.digest("hex"),
    stop() {},
  };
}
