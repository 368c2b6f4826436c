import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Builds the console (`next build` of apps/web) through turbo, which rebuilds only when its sources (or those of the
 * packages it uses) changed. Throws when the build fails, after printing its output.
 */
export async function buildConsole(root: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  log("checking the console build (the first build takes about a minute)");
  const build = spawn(
    join(root, "node_modules/.bin/turbo"),
    ["run", "build", "--skip-infer", "--filter=@swhub/web", "--output-logs=errors-only"],
    {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  build.stdout.on("data", (chunk) => {
    output += chunk;
  });
  build.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const [code] = (await once(build, "exit")) as [number | null];
  if (code !== 0 || !existsSync(join(root, "apps/web/.next/BUILD_ID"))) {
    console.error(output);
    throw new Error("building the console failed (see the output above)");
  }
  const cached = /FULL TURBO|cache hit/.test(output);
  log(`console build ${cached ? "up to date" : "done"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
