/*
 * The standalone figures of the issue, in one run: `runtime build --venv` against `python -m pip freeze`, and the
 * first `runtime activate` of a packed-env runtime against plain `tar -x` of the same files.
 *
 *   pnpm tsx bench/standalone.ts [--runs N]
 *
 * Targets: build at most 1.0x pip freeze; activate at most 1.5x tar.
 */
import { parseArgs } from "node:util";
import { benchActivate } from "./standalone/activate";
import { benchBuild } from "./standalone/build";

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const runs = Number(values.runs);

const build = await benchBuild({ runs });
const activate = await benchActivate({ runs });

const verdict = (ratio: number, target: number) =>
  `${ratio.toFixed(2)}x (target <= ${target}x: ${ratio <= target ? "met" : "MISSED"})`;
console.log("\nstandalone, medians of the same run:");
console.log(
  `  build --venv   ${build.buildMs.toFixed(0)} ms vs pip freeze ${build.freezeMs.toFixed(0)} ms: ${verdict(build.ratio, 1.0)}`,
);
console.log(
  `  activate       ${activate.ours.toFixed(0)} ms vs tar -x ${activate.theirs.toFixed(0)} ms: ${verdict(activate.ratio, 1.5)}`,
);
