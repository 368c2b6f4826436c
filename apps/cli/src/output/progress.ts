import type { ProgressSink } from "@swhub/shared/progress";
import type { MultiBar as MultiBarType, Options, Params, SingleBar } from "cli-progress";
import type { TextSink } from "../errors";
import { humanDuration, humanSize } from "./format";

/** What the engine reports through, plus the end of the command. */
export interface CliProgress extends ProgressSink {
  /** The command finished: `ok` marks the open phase done; on failure it is left as it was. */
  close(ok: boolean): void;
}

/** Bars share the terminal with the command's own lines, which must go above them, not through them. */
export interface BarProgress extends CliProgress {
  writeAbove(text: string): void;
}

export type Unit = NonNullable<Parameters<ProgressSink["phase"]>[2]>;

interface Phase {
  readonly name: string;
  readonly unit: Unit;
  readonly startedAt: number;
  total?: number;
  done: number;
  finished: boolean;
}

function amount(value: number, unit: Unit): string {
  return unit === "bytes" ? humanSize(value) : String(value);
}

/**
 * Plain lines for pipes, logs and JSON mode: a line when a phase starts, at every tenth of it (or every few
 * seconds when the total is unknown), and when it ends. Nothing redraws, so a log file reads top to bottom.
 */
export function createLineProgress(sink: TextSink, now: () => number = Date.now): CliProgress {
  let current: Phase | undefined;
  let lastStep = 0;
  let lastPrint = 0;
  const write = (line: string) => sink.write(`${line}\n`);

  const finish = () => {
    if (!current || current.finished) return;
    current.finished = true;
    const size = current.total ?? current.done;
    const parts = [
      size > 0 ? amount(size, current.unit) : "",
      humanDuration(now() - current.startedAt),
    ].filter(Boolean);
    write(`${current.name}: done (${parts.join(", ")})`);
  };

  return {
    phase(name, total, unit: Unit = "bytes") {
      finish();
      current = { name, unit, total, done: 0, startedAt: now(), finished: false };
      lastStep = 0;
      lastPrint = now();
      write(total === undefined ? `${name}: started` : `${name}: started (${amount(total, unit)})`);
    },
    update(done, total) {
      if (!current) this.phase("working");
      const phase = current!;
      phase.done = done;
      if (total !== undefined) phase.total = total;
      if (phase.total !== undefined && phase.total > 0) {
        const step = Math.floor((done / phase.total) * 10);
        if (step > lastStep && step < 10) {
          lastStep = step;
          write(
            `${phase.name}: ${step * 10}% (${amount(done, phase.unit)} of ${amount(phase.total, phase.unit)})`,
          );
        }
      } else if (now() - lastPrint >= 2000) {
        lastPrint = now();
        write(`${phase.name}: ${amount(done, phase.unit)}`);
      }
    },
    log(line) {
      write(line);
    },
    close(ok) {
      if (ok) finish();
      current = undefined;
    },
  };
}

export type MultiBarConstructor = new (options: Options) => MultiBarType;

/**
 * Bars on a terminal: one line per phase, finished phases stay on screen with their size and time, log lines
 * scroll above the bars.
 */
export function createBarProgress(
  MultiBar: MultiBarConstructor,
  stream: NodeJS.WriteStream,
  now: () => number = Date.now,
): BarProgress {
  const render = (_options: Options, params: Params, phase: Phase): string => {
    const width = Math.max(10, Math.min(30, (params.maxWidth || 80) - 60));
    const name = phase.name.padEnd(12);
    if (phase.finished) {
      const size = phase.total ?? phase.done;
      return `✓ ${name} ${size > 0 ? amount(size, phase.unit) : ""}  ${humanDuration(now() - phase.startedAt)}`.trimEnd();
    }
    const elapsed = humanDuration(now() - phase.startedAt);
    if (phase.total === undefined || phase.total <= 0) {
      return `  ${name} ${phase.done > 0 ? `${amount(phase.done, phase.unit)}  ` : ""}${elapsed}`;
    }
    const ratio = Math.min(1, Math.max(0, phase.done / phase.total));
    const filled = Math.round(ratio * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
    return `  ${name} ${bar} ${percent}  ${amount(phase.done, phase.unit)} / ${amount(phase.total, phase.unit)}  ${elapsed}`;
  };

  const multibar = new MultiBar({ stream, format: render, hideCursor: true, fps: 10, barsize: 30 });
  let bar: SingleBar | undefined;
  let current: Phase | undefined;

  const finish = () => {
    if (!bar || !current || current.finished) return;
    current.finished = true;
    bar.update(current.total ?? current.done);
  };

  return {
    phase(name, total, unit: Unit = "bytes") {
      finish();
      current = { name, unit, total, done: 0, startedAt: now(), finished: false };
      bar = multibar.create(total ?? 0, 0, current);
    },
    update(done, total) {
      if (!current) this.phase("working");
      const phase = current!;
      phase.done = done;
      if (total !== undefined && total !== phase.total) {
        phase.total = total;
        bar?.setTotal(total);
      }
      bar?.update(done);
    },
    log(line) {
      this.writeAbove(`${line}\n`);
    },
    writeAbove(text) {
      // The bars flush logged text on their next redraw; without a bar there is nothing to redraw.
      if (bar) multibar.log(text);
      else stream.write(text);
    },
    close(ok) {
      if (!bar) return; // nothing was drawn, so there is nothing to stop (stop() would print a blank line)
      if (ok) finish();
      multibar.update(); // flushes logged text, which stop() alone would drop
      multibar.stop();
      bar = undefined;
      current = undefined;
    },
  };
}
