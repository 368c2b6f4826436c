#!/usr/bin/env node
// The swcli launcher. The same CLI runs one of two ways:
//
// - dist/swcli.mjs, the esbuild bundle (`pnpm --filter @swhub/cli build`): starts fast, which matters because
//   swcli is compared with `pip freeze`;
// - src/main.ts through tsx: always exactly the source on disk, but slower to start.
//
// The bundle runs only when dist/swcli.meta.json proves it was built from the files on disk now: it lists the
// sha1 of every workspace file esbuild read, plus build.mjs, the package.json and tsconfig files and
// pnpm-lock.yaml (which pins every third-party file). An edit, a branch switch, a deleted file or a pnpm install
// makes a hash differ, and the launcher falls back to the source, so stale code never runs. Content hashes,
// not mtimes, so copies that keep old mtimes can't fool it. Checking costs a few milliseconds. The launcher
// never writes anything: after changing the source, rebuild to get the fast start back.
import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { entryFileName, isBundleFresh } from "./bundle-freshness.mjs";

// Node 22+ keeps compiled code between runs; Node 20 has no such API and skips this.
nodeModule.enableCompileCache?.();

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = `${cliDir}dist`;

async function loadMain() {
  if (isBundleFresh(distDir)) {
    try {
      return await import(`${distDir}/${entryFileName}`);
    } catch (error) {
      // A rebuild swapping dist/ at this very moment; the source is just as current.
      if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    }
  }
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: `${cliDir}tsconfig.json` });
  return import("../src/main.ts");
}

const { main } = await loadMain();
await main();
