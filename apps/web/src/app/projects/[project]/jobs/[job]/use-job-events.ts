"use client";

import { isFinalJobState, type JobEvent, jobEventSchema } from "@swhub/shared/jobs";
import { useCallback, useEffect, useRef, useState } from "react";
import { applyJobEvents, type JobStreamState } from "./job-stream-state";

export type Connection = "connecting" | "live" | "reconnecting" | "ended" | "lost";

/**
 * Follows `/api/jobs/<id>/events` with an EventSource. The first connection replays the job's stored events from
 * the start (so a reload, or a finished job, shows the whole log), then stays live; after a dropped connection
 * the browser reconnects by itself with `Last-Event-ID`, and the server resumes after it. Events are applied in
 * batches, so a long log replays without a render per line. `resume()` follows again after the stream ended
 * (a retried job goes on past its final state).
 */
export function useJobEvents(jobId: string, initial: JobStreamState) {
  const [stream, setStream] = useState(initial);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [generation, setGeneration] = useState(0);
  const lastSeq = useRef(initial.lastSeq);

  useEffect(() => {
    // `generation` only asks for a new connection; its value is not needed inside.
    void generation;
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events?after=${lastSeq.current}`);
    let pending: JobEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let sawFinal = false;
    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      setStream((current) => applyJobEvents(current, batch));
    };
    source.onopen = () => setConnection("live");
    source.onmessage = (message) => {
      const parsed = jobEventSchema.safeParse(JSON.parse(message.data));
      if (!parsed.success) return;
      const event = parsed.data;
      lastSeq.current = Math.max(lastSeq.current, event.seq);
      if (event.type === "state") sawFinal = isFinalJobState(event.state);
      pending.push(event);
      flushTimer ??= setTimeout(flush, 40);
    };
    source.onerror = () => {
      if (sawFinal) {
        // The server ends the stream once the job is over: that is the end, not a drop.
        source.close();
        setConnection("ended");
      } else if (source.readyState === EventSource.CLOSED) {
        setConnection("lost");
      } else {
        setConnection("reconnecting");
      }
    };
    return () => {
      source.close();
      if (flushTimer) clearTimeout(flushTimer);
      if (pending.length > 0) setStream((current) => applyJobEvents(current, pending));
    };
  }, [jobId, generation]);

  const resume = useCallback(() => {
    setConnection("connecting");
    setGeneration((n) => n + 1);
  }, []);

  return { stream, connection, resume };
}
