/**
 * A store like a Starwhale user's, for tests that run the real swcli: bundles and a tag index written by Starwhale
 * 0.6.15 (packages/runtime/test-fixtures), and a check for the one-line errors swcli promises.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { Sandbox, SwcliRun } from "./swcli";

export const fixtures = join(
  import.meta.dirname,
  "../../../../packages/runtime/test-fixtures/starwhale-0.6.15",
);
export const demo = "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y";
export const yamlfull = "iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg";
/** venv1's versions in the order Starwhale built them (v0…v3). */
export const venv1: readonly [string, string, string, string] = [
  "2u7jjedu2hvefq4ukg3cy2oslcggwbrkhhnhyvy4",
  "sgocjffpcxkmt2xqv2ajnts5oaszslc22z7emguf",
  "jp7gcsf65dqgbunpeskgwlhkwezo47tfnvdngcll",
  "656zzdtqgjmxcvuwzv46s2cp3uqlltm25l7tbw3s",
];

/** demo, yamlfull, and venv1 with Starwhale's own tag index (copies of demo.swrt stand in for its four bundles). */
export async function fillStarwhaleStore(box: Sandbox): Promise<void> {
  await box.placeBundle("self", "demo", demo, join(fixtures, "demo.swrt"), new Date("2026-01-01T00:00:00Z"));
  await box.placeBundle(
    "self",
    "yamlfull",
    yamlfull,
    join(fixtures, "yamlfull.swrt"),
    new Date("2026-01-02T00:00:00Z"),
  );
  for (const [i, version] of venv1.entries()) {
    await box.placeBundle(
      "self",
      "venv1",
      version,
      join(fixtures, "demo.swrt"),
      new Date(Date.UTC(2026, 0, 10 + i)),
    );
  }
  await box.placeTagIndex("self", "venv1", readFileSync(join(fixtures, "venv1.tag-manifest.yaml"), "utf8"));
}

/** Progress lines (`extract: started (3.0 KiB)`), which a failed command may have printed before failing. */
const progressLine = /^[\w-]+: (started|done|\d+%)/;

/** One `error:` line (and maybe a hint), exit 1, no result on stdout, no stack trace. */
export function expectOneLineError(run: SwcliRun, message: string | RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stdout.split("\n").filter((l) => l && !progressLine.test(l))).toEqual([]);
  const lines = run.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => !progressLine.test(l));
  const errors = lines.filter((l) => l.startsWith("error: "));
  expect(errors).toHaveLength(1);
  expect(lines.filter((l) => !/^(error|hint): /.test(l))).toEqual([]);
  if (typeof message === "string") expect(errors[0]).toBe(`error: ${message}`);
  else expect(errors[0]).toMatch(message);
}
