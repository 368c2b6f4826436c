// Bundles swcli into dist/: one CommonJS file, dist/swcli.cjs (handlers are still evaluated only when their command
// runs), and its entry dist/swcli.mjs, which runs it through V8's code cache (see bundle-entry.mjs). Records what it
// was built from in dist/swcli.meta.json, which bin/swcli.mjs checks before trusting the bundle.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { entryFileName, hashFile, metaFileName } from "./bin/bundle-freshness.mjs";

const cliDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(cliDir, "../..");

/** Files that steer the build without being bundled, relative to the repo root. */
const fixedInputs = [
  "pnpm-lock.yaml",
  "tsconfig.base.json",
  "apps/cli/build.mjs",
  "apps/cli/bundle-entry.mjs",
  "apps/cli/package.json",
  "apps/cli/tsconfig.json",
];

export async function buildCli({ outdir = join(cliDir, "dist") } = {}) {
  const staging = `${outdir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });

  // Hashes taken before esbuild reads anything; compared after, so a file saved mid-build can't be recorded
  // with content the bundle doesn't have.
  const before = new Map(workspaceCandidates().map((path) => [path, hashFile(join(repoRoot, path))]));

  const inputs = {};
  try {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: { swcli: join(cliDir, "src/main.ts") },
      outdir: staging,
      outExtension: { ".js": ".cjs" },
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      inject: [join(cliDir, "src/bundle-globals.ts")],
      minifySyntax: true,
      minifyWhitespace: true,
      legalComments: "none",
      metafile: true,
      logLevel: "warning",
    });

    const sources = Object.keys(result.metafile.inputs).filter((path) => !path.includes("node_modules/"));
    const packageDirs = new Set(sources.map((path) => path.split("/").slice(0, 2).join("/")));
    const steering = [...packageDirs].flatMap((dir) => [`${dir}/package.json`, `${dir}/tsconfig.json`]);
    for (const path of [...new Set([...sources, ...steering, ...fixedInputs])].sort()) {
      const absolute = join(repoRoot, path);
      if (!existsSync(absolute)) continue;
      const digest = hashFile(absolute);
      if (before.has(path) && before.get(path) !== digest) {
        throw new Error(`${path} changed during the build; run the build again`);
      }
      inputs[relative(outdir, absolute)] = digest;
    }
    writeFileSync(join(staging, metaFileName), `${JSON.stringify({ inputs }, null, 2)}\n`);
    const bundleHash = createHash("sha1")
      .update(readFileSync(join(staging, "swcli.cjs")))
      .digest("hex");
    const entry = readFileSync(join(cliDir, "bundle-entry.mjs"), "utf8");
    if (!entry.includes('const bundleHash = "unbuilt";'))
      throw new Error("bundle-entry.mjs lost its bundleHash line");
    writeFileSync(
      join(staging, entryFileName),
      entry.replace('const bundleHash = "unbuilt";', `const bundleHash = "${bundleHash}";`),
    );

    // Swap in one step each; a launcher starting in between finds no dist/ and runs the source.
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
  } finally {
    rmSync(staging, { recursive: true, force: true }); // gone already after a successful swap
  }
  return { outdir, inputs: Object.keys(inputs).length };
}

/** Every source file a CLI build could read from the workspace, plus the fixed inputs. */
function workspaceCandidates() {
  const roots = [
    "apps/cli/src",
    ...readdirSync(join(repoRoot, "packages")).map((name) => `packages/${name}/src`),
  ];
  const files = [];
  const walk = (dir) => {
    if (!existsSync(join(repoRoot, dir))) return;
    for (const entry of readdirSync(join(repoRoot, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(repoRoot, path)).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  for (const root of roots) walk(root);
  return [...files, ...fixedInputs.filter((path) => existsSync(join(repoRoot, path)))];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { outdir, inputs } = await buildCli();
  console.log(
    `built ${relative(process.cwd(), outdir) || "."} from ${inputs} inputs in ${Math.round(performance.now() - started)} ms`,
  );
}
