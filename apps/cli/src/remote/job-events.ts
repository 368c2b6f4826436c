import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "@swhub/shared/errors";
import { isFinalJobState, type JobEvent, jobEventSchema } from "@swhub/shared/jobs";
import type { ServerConnection } from "./server";

/**
 * Follows a job's events over the server's SSE route (`GET /api/jobs/<id>/events`) until its final state, calling
 * `onEvent` once per event in order. A dropped connection is opened again with `Last-Event-ID`, so nothing is missed
 * or repeated; `onReconnect` hears of it. Returns the final state event.
 */
export async function followJob(
  server: ServerConnection,
  jobId: string,
  options: {
    onEvent: (event: JobEvent) => void;
    onReconnect?: (reason: string) => void;
    signal?: AbortSignal;
    /** Give up after this many failed connections in a row. */
    maxRetries?: number;
  },
): Promise<Extract<JobEvent, { type: "state" }>> {
  let last = 0;
  let failures = 0;
  const maxRetries = options.maxRetries ?? 10;
  for (;;) {
    options.signal?.throwIfAborted();
    let reason: string;
    try {
      const response = await fetch(`${server.url}/api/jobs/${jobId}/events`, {
        headers: { ...server.authHeaders(), accept: "text/event-stream", "last-event-id": String(last) },
        signal: options.signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => undefined)) as
          | { error?: { message?: string } }
          | undefined;
        const message = body?.error?.message ?? `HTTP ${response.status}`;
        if (response.status >= 400 && response.status < 500) {
          throw new AppError(response.status === 404 ? "not_found" : "forbidden", message);
        }
        throw new Error(message);
      }
      for await (const event of readEvents(response.body)) {
        if (event.seq <= last) continue;
        last = event.seq;
        failures = 0;
        options.onEvent(event);
        if (event.type === "state" && isFinalJobState(event.state)) return event;
      }
      reason = "the server closed the stream";
    } catch (error) {
      if (options.signal?.aborted || error instanceof AppError) throw error;
      reason = error instanceof Error ? error.message : String(error);
    }
    if (++failures > maxRetries) return server.fail(new Error(reason));
    options.onReconnect?.(reason);
    await sleep(Math.min(5_000, 200 * 2 ** failures), undefined, { signal: options.signal });
  }
}

/** Server-Sent Events frames → job events (frames without data, like the keep-alive comments, are skipped). */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<JobEvent> {
  let buffer = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (!data) continue;
      const parsed = jobEventSchema.safeParse(JSON.parse(data));
      if (parsed.success) yield parsed.data;
    }
  }
}
