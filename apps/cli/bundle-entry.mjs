// The bundle's entry, dist/swcli.mjs (build.mjs writes it from this file): runs the bundle, dist/swcli.cjs,
// through V8's code cache. Compiling the 2 MB bundle takes ~35 ms of every start; from the cache it takes a few,
// a tenth of a small command. Node 22 keeps such a cache itself (module.enableCompileCache); Node 20 takes one
// only for classic scripts, through vm.Script, which is why the bundle is CommonJS.
//
// Each command keeps its own cache in dist/code-cache, written when its first run ends well: it holds the code
// that run compiled, which is what the command's next run needs. The file names carry the bundle's hash, because
// V8 checks a cache against the length of the source only. A dist/ that can't be written just runs uncached.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

// V8 drops the bytecode of functions that haven't run for a while, and a cache written at the end of a long
// command (a copy of 200 MB) would lack all of start-up's code; the next start would then compile the whole
// bundle anyway (~25 ms). Set the same way in every run, so caches and runs agree on V8's flags.
setFlagsFromString("--no-flush-bytecode");

/** The sha1 of swcli.cjs; build.mjs puts it here. */
const bundleHash = "unbuilt";
const bundle = fileURLToPath(new URL("./swcli.cjs", import.meta.url));
// Read now: dist/ is swapped whole by a rebuild, and this file and that one belong together.
const source = readFileSync(bundle, "utf8");

let loaded;

export function main(argv = process.argv.slice(2)) {
  loaded ??= load(commandOf(argv));
  return loaded.main(argv);
}

/** `runtime-cp` for `swcli runtime cp a b`; nothing for a line that doesn't start like a command. */
function commandOf(argv) {
  const words = argv.filter((arg) => !arg.startsWith("-")).slice(0, 2);
  return words.length > 0 && words.every((word) => /^[a-z]{1,20}$/.test(word)) ? words.join("-") : undefined;
}

function load(command) {
  const cacheFile = command && join(dirname(bundle), "code-cache", `${command}-${bundleHash}.v8`);
  let cachedData;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {}
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once("exit", (code) => {
      if (code !== 0) return;
      const partial = `${cacheFile}.${process.pid}`;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
      } catch {
        rmSync(partial, { force: true });
      }
    });
  }
  return module.exports;
}
