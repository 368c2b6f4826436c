import { invalidInput } from "@swhub/shared/errors";

/**
 * Yields the body's pieces, failing with `invalid_input` (so a 4xx, which the client does not retry) when none
 * arrives for `idleMs`. Starwhale's client retries
 * a failed upload by sending its headers again with an empty body, so without this the server would wait for bytes
 * that never come (spec `starwhale-api.md` §5).
 */
export async function* withIdleTimeout(
  body: AsyncIterable<Uint8Array>,
  idleMs: number,
): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let stalled = false;
  try {
    while (true) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stalled = true;
          reject(
            invalidInput(
              `The request body stalled: no bytes arrived for ${idleMs / 1000} s`,
              "send the request again",
            ),
          );
        }, idleMs);
      });
      try {
        const next = await Promise.race([iterator.next(), timeout]);
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    // A stalled read never settles, and closing the iterator would wait for it.
    if (stalled) void iterator.return?.()?.catch(() => {});
    else await iterator.return?.()?.catch(() => {});
  }
}

/**
 * Reads and drops the rest of a body (up to `limit` bytes), so that a client still sending gets the answer instead
 * of a reset connection.
 */
export async function drainBody(req: Request, idleMs: number, limit = 64 * 1024 * 1024): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  let seen = 0;
  try {
    for await (const piece of withIdleTimeout(req.body as AsyncIterable<Uint8Array>, idleMs)) {
      seen += piece.byteLength;
      if (seen > limit) break;
    }
  } catch {
    // The client went away or stalled; nobody reads the answer.
  }
}

/** A form-encoded body (`application/x-www-form-urlencoded`), as Starwhale's login sends it. */
export async function readForm(req: Request): Promise<URLSearchParams> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw invalidInput("Send the form as application/x-www-form-urlencoded");
  }
  return new URLSearchParams(await req.text());
}
