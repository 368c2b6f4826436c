import type { ProgressSink } from "@swhub/shared/progress";
import type { HandlerContext } from "../handlers";

/**
 * The engine's progress reports as job events. Engine phases map onto the job's (`prepare-env` is where the
 * Python is resolved and the venv made, snapshot `copy` and `pack` are packing, `tag` is the engine's own
 * bookkeeping); a phase seen again is not reported twice. Progress is sent when it moved a point or more, so a
 * pack of thousands of files stays a few dozen events.
 */
export function jobProgressSink(ctx: HandlerContext, phaseMap: Record<string, string | null>): ProgressSink {
  let current = "";
  let total: number | undefined;
  let lastPercent = -1;
  const report = (percent: number) => {
    const rounded = Math.floor(percent);
    if (rounded === lastPercent) return;
    lastPercent = rounded;
    ctx.progress(rounded);
  };
  return {
    phase(name, phaseTotal) {
      total = phaseTotal;
      const mapped = phaseMap[name] === undefined ? name : phaseMap[name];
      if (mapped === null || mapped === current) return;
      current = mapped;
      lastPercent = -1;
      ctx.phase(mapped);
    },
    update(done, updateTotal) {
      const of = updateTotal ?? total;
      if (of && of > 0) report(Math.min(100, (done / of) * 100));
    },
    log(line, stream) {
      ctx.log(line, stream ?? "engine");
    },
  };
}
