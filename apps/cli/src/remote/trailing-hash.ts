import { Worker } from "node:worker_threads";

/**
 * sha256 of a file that is still being written, computed on a worker thread that reads right behind the writer
 * (from the page cache). A download's own thread is busy parsing what the socket delivers; hashing there too made
 * it the bottleneck, while the other core idled.
 */
export interface TrailingHash {
  /** The file's first `bytes` bytes are written and may be hashed. */
  advance(bytes: number): void;
  /** `sha256:<hex>` of the first `size` bytes, once they are written. */
  finish(size: number): Promise<string>;
  /** Stops the worker (after a failure); `finish` is not answered then. */
  stop(): Promise<void>;
}

// Self-contained, with dynamic imports only, so it runs whether the worker's code is taken as a script or as a
// module (a parent started with --input-type=module passes that on).
const workerSource = `
(async () => {
  const { parentPort, workerData } = await import("node:worker_threads");
  const { openSync, readSync, closeSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  const fd = openSync(workerData.path, "r");
  const buffer = Buffer.allocUnsafe(4 << 20);
  let hashed = 0, ready = 0, size = -1;
  parentPort.on("message", (message) => {
    ready = Math.max(ready, message.ready);
    if (message.size !== undefined) size = message.size;
    let ended = false;
    while (hashed < ready && !ended) {
      const got = readSync(fd, buffer, 0, Math.min(buffer.length, ready - hashed), hashed);
      hash.update(buffer.subarray(0, got));
      hashed += got;
      ended = got === 0;
    }
    if (size >= 0 && (hashed >= size || ended)) {
      closeSync(fd);
      parentPort.postMessage(hashed === size ? "sha256:" + hash.digest("hex") : { short: hashed });
    }
  });
})();
`;

/** Starts hashing `path`, which must exist; nothing is read before `advance` says so. */
export function trailingHash(path: string): TrailingHash {
  const worker = new Worker(workerSource, { eval: true, workerData: { path } });
  const answer = new Promise<string>((resolve, reject) => {
    worker.once("message", (message: string | { short: number }) => {
      if (typeof message === "string") resolve(message);
      else reject(new Error(`${path} ended after ${message.short} bytes`));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the hashing thread exited (${code})`)));
  });
  answer.catch(() => {});
  return {
    advance: (bytes) => worker.postMessage({ ready: bytes }),
    async finish(size) {
      worker.postMessage({ ready: size, size });
      try {
        return await answer;
      } finally {
        await worker.terminate();
      }
    },
    async stop() {
      await worker.terminate();
    },
  };
}
