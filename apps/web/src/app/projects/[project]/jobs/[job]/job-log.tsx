"use client";

import { memo, useEffect, useRef, useState } from "react";
import { secondaryButtonClass } from "~/components/ui";
import type { LogLine } from "./job-stream-state";

const streamTone = { stdout: "text-text", stderr: "text-rm", engine: "text-add" } as const;

/**
 * The job's output, line by line. It follows new lines while the reader is at the bottom and stops following when
 * they scroll up to read; "Download" saves the whole log as text.
 */
/** One chunk of lines; a full chunk never changes, so it never renders again. */
const LogChunk = memo(function LogChunk({ lines }: { lines: LogLine[] }) {
  return lines.map((line) => (
    <div key={line.seq} className={`whitespace-pre-wrap break-all ${streamTone[line.stream]}`}>
      {line.line}
    </div>
  ));
});

export function JobLog({
  jobId,
  chunks,
  count,
  live,
}: {
  jobId: string;
  chunks: LogLine[][];
  count: number;
  live: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  useEffect(() => {
    if (follow && count > 0 && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [count, follow]);

  const onScroll = () => {
    const el = box.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };

  const download = () => {
    const text = chunks.flatMap((chunk) => chunk.map((l) => l.line)).join("\n");
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `job-${jobId}.log`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section aria-labelledby="job-log-title" className="rounded-xl border border-border bg-surface shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-border px-3 py-2">
        <h2 id="job-log-title" className="text-sm font-semibold">
          Log <span className="font-normal text-muted">({count.toLocaleString("en")} lines)</span>
        </h2>
        <div className="flex gap-2">
          {!follow && live ? (
            <button type="button" className={secondaryButtonClass} onClick={() => setFollow(true)}>
              Follow
            </button>
          ) : null}
          <button type="button" className={secondaryButtonClass} onClick={download} disabled={count === 0}>
            Download
          </button>
        </div>
      </div>
      <div
        ref={box}
        onScroll={onScroll}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so keyboard users need to reach it
        tabIndex={0}
        role="log"
        aria-label="Job log"
        className="max-h-[28rem] min-h-32 overflow-auto bg-surface-muted/50 px-3 py-2 font-mono text-xs leading-5"
        data-testid="job-log"
      >
        {count === 0 ? (
          <p className="text-muted">{live ? "Waiting for output…" : "This job wrote no output."}</p>
        ) : (
          chunks.map((chunk) => <LogChunk key={chunk[0]!.seq} lines={chunk} />)
        )}
      </div>
    </section>
  );
}
