// A synthetic venv for the benchmarks that pack, unpack and dockerize environments.
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A venv shaped like a real one with scientific packages: per package a tree of .py sources (compressible text,
 * 1-16 KB) and a few binary "extension modules" (half random, half zeros), plus console scripts in bin/.
 */
export function makeEnv(venv: string, mb: number): { files: number; bytes: number } {
  execFileSync("python3", ["-m", "venv", "--without-pip", venv]);
  const pyVersion = execFileSync(join(venv, "bin", "python"), [
    "-c",
    "import sys; print('%d.%d' % sys.version_info[:2])",
  ])
    .toString()
    .trim();
  const site = join(venv, "lib", `python${pyVersion}`, "site-packages");
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const words = [
    "self",
    "return",
    "import",
    "def",
    "class",
    "value",
    "data",
    "array",
    "index",
    "result",
    "None",
  ];
  const source = (size: number) => {
    const lines: string[] = [];
    let length = 0;
    while (length < size) {
      const line = `    ${Array.from({ length: 6 }, () => words[Math.floor(random() * words.length)]).join(" ")} = ${Math.floor(random() * 1e6)}\n`;
      lines.push(line);
      length += line.length;
    }
    return lines.join("");
  };
  const budget = mb * 1e6;
  let bytes = 0;
  let files = 0;
  for (let p = 0; bytes < budget; p++) {
    const pkg = join(site, `pkg${p}`);
    for (let d = 0; d < 6; d++) {
      const dir = join(pkg, `sub${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 25; f++) {
        const text = source(1024 + Math.floor(random() * 15 * 1024));
        writeFileSync(join(dir, `mod${f}.py`), text);
        bytes += text.length;
        files++;
      }
    }
    for (let s = 0; s < 2; s++) {
      const blob = Buffer.alloc(400_000 + Math.floor(random() * 400_000));
      randomFillSync(blob, 0, blob.length >> 1);
      writeFileSync(join(pkg, `_ext${s}.cpython-311-x86_64-linux-gnu.so`), blob);
      bytes += blob.length;
      files++;
    }
    const script = `#!${venv}/bin/python\nimport sys\nfrom pkg${p} import main\nsys.exit(main())\n`;
    writeFileSync(join(venv, "bin", `pkg${p}-cli`), script, { mode: 0o755 });
    files++;
  }
  return { files, bytes };
}
