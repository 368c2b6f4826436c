import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packBundle } from "@swhub/runtime/bundle/pack";
import { packEnv } from "@swhub/runtime/bundle/packed-env";
import { buildWheel, createVenv, pipInstall } from "@swhub/runtime/testing/python";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RuntimeActivateJson } from "./output/shapes";
import { demo, fixtures, yamlfull } from "./testing/starwhale-store";
import { buildSwcli, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// `runtime activate` and `restore` through the real swcli, with real Python and pip, offline: Starwhale's own
// bundles restored from the wheels next to them, and bundles of ours. One store for the whole file, so the venv
// seed (see restore/venv.ts) is made once.

let box: Sandbox;
let build: SwcliBuild;
let wheels: string;
/** Offline pip: the fixtures' wheels and ours. */
let offline: Record<string, string>;
let py: string;

const snapshotOf = (name: string, version: string) =>
  join(box.storage, "self/workdir/runtime", name, version.slice(0, 2), version);

/** Packs a bundle of ours (manifest, lock, optional packed env) into the store as `name`. */
async function addOwnBundle(
  name: string,
  options: { python?: string; packedFrom?: string; lock?: string } = {},
): Promise<string> {
  const version = generateVersionId();
  const dir = join(box.home, "build", name);
  const lock = options.lock ?? "alpha==1.0\nbeta==2.0";
  const manifest = {
    version,
    environment: {
      mode: "venv",
      python: options.python ?? py,
      arch: ["noarch"],
      lock: { files: [".starwhale/lock/requirements-sw-lock.txt"] },
    },
    dependencies: {
      raw_deps: [{ kind: "pip_pkg", deps: ["alpha"] }],
      local_packaged_env: Boolean(options.packedFrom),
    },
  };
  await mkdir(join(dir, "dependencies/.starwhale/lock"), { recursive: true });
  await writeFile(join(dir, "_manifest.yaml"), stringify(manifest));
  await writeFile(join(dir, "runtime.yaml"), `name: ${name}\n`);
  await writeFile(join(dir, "dependencies/.starwhale/lock/requirements-sw-lock.txt"), lock);
  if (options.packedFrom) {
    await mkdir(join(dir, "export"));
    await packEnv(options.packedFrom, join(dir, "export/venv_env.tar.gz"));
  }
  const out = join(box.home, "build", `${name}.swrt`);
  await packBundle(out, { dir });
  await box.placeBundle("self", name, version, out);
  return version;
}

beforeAll(async () => {
  build = await buildSwcli();
  box = await createSandbox(build.entry);
  py = execFileSync("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  }).trim();
  wheels = join(box.home, "wheels");
  await buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] });
  await buildWheel(wheels, { name: "beta", version: "2.0" });
  offline = { PIP_FIND_LINKS: `${join(fixtures, "wheels")} ${wheels}`, PIP_NO_INDEX: "1" };
  await box.placeBundle("self", "demo", demo, join(fixtures, "demo.swrt"));
  await box.placeBundle("self", "yamlfull", yamlfull, join(fixtures, "yamlfull.swrt"));
}, 120_000);

afterAll(async () => {
  await box?.cleanup();
  await build?.remove();
});

/** Runs a bash script with the sandbox's swcli on PATH; returns stdout, fails with stderr. */
function bash(script: string, env: Record<string, string> = {}): string {
  const result = spawnSync("bash", ["-c", script], { env: box.env(env), encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`bash failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout.trim();
}

describe("Starwhale's bundles, restored offline", () => {
  it("activates demo with --print: stdout is only the command, and eval imports the locked packages", async () => {
    const run = ok(await box.swcli(["runtime", "activate", "demo", "--print"], { env: offline }));
    const prefix = join(snapshotOf("demo", demo), "export/venv");
    expect(run.stdout).toBe(
      `export SW_ACTIVATED_RUNTIME_MODE_IN_SHELL=venv SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL=${prefix} SW_ACTIVATED_RUNTIME_URI_IN_SHELL=local/project/self/runtime/demo/version/${demo}\nsource ${prefix}/bin/activate\n`,
    );
    // Progress and pip's output went to stderr.
    expect(run.stderr).toMatch(/^extract: started \(20\.0 KiB\)$/m);
    expect(run.stderr).toMatch(/^create-venv: started$/m);
    expect(run.stderr).toContain("Successfully installed starwhale-0.6.15 tinypkg01-1.0.1 tinypkg02-1.0.2");
    expect(run.stderr).toContain(`notice: restored demo/version/${demo.slice(0, 12)} (first use)\n`);
    const probe = "import sys, tinypkg01, tinypkg02; print(sys.prefix)";
    expect(
      bash(
        `eval "$(swcli runtime activate demo --print)" && python -c '${probe}' && echo "$SW_ACTIVATED_RUNTIME_URI_IN_SHELL"`,
      ),
    ).toBe(`${prefix}\nlocal/project/self/runtime/demo/version/${demo}`);
  }, 120_000);

  it("activates yamlfull: the lock, the bundle's wheel, hello.sh at bin/hello.sh, and no command outside a container", async () => {
    const run = ok(
      await box.swcli(["runtime", "activate", "yamlfull/version/latest", "--print"], { env: offline }),
    );
    const prefix = join(snapshotOf("yamlfull", yamlfull), "export/venv");
    expect(readFileSync(join(prefix, "bin/hello.sh"), "utf8")).toBe("#!/bin/sh\necho hello\n");
    expect(run.stderr).toContain("skipped command `echo hello-from-commands`");
    expect(run.stderr.split("\n")).not.toContain("hello-from-commands");
    expect(
      bash(
        `eval "$(swcli runtime activate yamlfull --print)" && python -c 'import tinypkg05, tinypkg06, tinypkg07; print("ok")'`,
      ),
    ).toBe("ok");
    // Forced, the command runs (its output among the restore's lines).
    const forced = ok(
      await box.swcli(["runtime", "activate", "yamlfull", "-f", "--print"], {
        env: { ...offline, SW_RUNTIME_FORCE_RUN_COMMAND: "1" },
      }),
    );
    expect(forced.stderr.split("\n")).toContain("hello-from-commands");
    expect(forced.stderr).toContain("(asked to restore again)");
  }, 120_000);

  it("reuses a restored environment, and redoes one whose restore was interrupted", async () => {
    const again = ok(await box.swcli(["runtime", "activate", "demo", "--print"], { env: offline }));
    expect(again.stderr).not.toContain("restored");
    await writeFile(join(snapshotOf("demo", demo), "export/venv/.runtime_restore_status"), "restoring");
    const redone = ok(await box.swcli(["runtime", "activate", "demo", "--print"], { env: offline }));
    expect(redone.stderr).toContain("(the last restore was interrupted)");
    expect(readFileSync(join(snapshotOf("demo", demo), "export/venv/.runtime_restore_status"), "utf8")).toBe(
      "success",
    );
  }, 120_000);
});

describe("interactive shells", () => {
  const script = [
    'echo "rc=$FROM_RC venv=$VIRTUAL_ENV"',
    "python -c 'import tinypkg01; print(\"imported\")'",
    'echo "mode=$SW_ACTIVATED_RUNTIME_MODE_IN_SHELL"',
    "exit 3",
    "",
  ].join("\n");
  const expectActive = (stdout: string) => {
    const prefix = join(snapshotOf("demo", demo), "export/venv");
    expect(stdout).toContain(`rc=yes venv=${prefix}\n`);
    expect(stdout).toContain("imported\n");
    expect(stdout).toContain("mode=venv\n");
  };

  it("opens bash that reads ~/.bashrc, then activates; the shell's exit status is swcli's", async () => {
    await writeFile(join(box.home, ".bashrc"), "export FROM_RC=yes\n");
    const run = await box.swcli(["runtime", "activate", "demo"], {
      input: script,
      env: { ...offline, SHELL: "/bin/bash" },
    });
    expect(run.code).toBe(3);
    expectActive(run.stdout);
    expect(run.stderr).toContain(
      `notice: demo/version/${demo.slice(0, 12)} is active in this bash; \`exit\` leaves it`,
    );
    // Through a shell pipe, as a script would drive it.
    const piped = bash(
      `printf 'echo "in $VIRTUAL_ENV"; exit 4\\n' | swcli runtime activate demo; echo "status $?"`,
    );
    expect(piped).toMatch(/^in \S+\/export\/venv\nstatus 4$/);
  }, 120_000);

  const zsh = ["/usr/bin/zsh", "/bin/zsh"].find(existsSync);
  it.skipIf(!zsh)(
    "opens zsh that reads ~/.zshenv and ~/.zshrc, then activates, leaving ZDOTDIR as it was",
    async () => {
      await writeFile(join(box.home, ".zshenv"), "export FROM_ZSHENV=yes\n");
      await writeFile(join(box.home, ".zshrc"), "export FROM_RC=yes\n");
      const input = script.replace("exit 3", `echo "env=$FROM_ZSHENV zdotdir=\${ZDOTDIR-unset}"\nexit 3`);
      const run = await box.swcli(["runtime", "activate", "demo"], {
        input,
        env: { ...offline, SHELL: zsh! },
      });
      expect(run.code).toBe(3);
      expectActive(run.stdout);
      expect(run.stdout).toContain("env=yes zdotdir=unset\n");
    },
    120_000,
  );

  const fish = ["/usr/bin/fish", "/bin/fish"].find(existsSync);
  it.skipIf(!fish)(
    "opens fish with the environment active after its own config",
    async () => {
      await mkdir(join(box.home, ".config/fish"), { recursive: true });
      await writeFile(join(box.home, ".config/fish/config.fish"), "set -gx FROM_RC yes\n");
      const run = await box.swcli(["runtime", "activate", "demo"], {
        input: script,
        inputAsFile: true,
        env: { ...offline, SHELL: fish! },
      });
      expect(run.code).toBe(3);
      expectActive(run.stdout);
    },
    120_000,
  );

  it("prints the command for a shell it can't start", async () => {
    const run = ok(
      await box.swcli(["runtime", "activate", "demo"], { env: { ...offline, SHELL: "/bin/tcsh" } }),
    );
    expect(run.stderr).toContain(
      "notice: /bin/tcsh can't be started with the runtime active; run this in it:\n",
    );
    expect(run.stdout).toMatch(/\nsource \S+\/export\/venv\/bin\/activate\n$/);
  });
});

describe("runtimes built by swcli", () => {
  it("builds from a venv, then activates it: a new env, restored from the lock, imports what the venv had", async () => {
    const venv = await createVenv(join(box.home, "work-venv"));
    await pipInstall(venv, ["alpha"], { findLinks: wheels });
    const built = JSON.parse(
      ok(await box.swcli(["-o", "json", "runtime", "build", "-v", venv, "--name", "fromvenv"])).stdout,
    );
    expect(built).toMatchObject({ name: "fromvenv", tags: ["latest", "v0"] });
    const probe = `eval "$(swcli runtime activate fromvenv --print)" && python -c 'import alpha, beta, sys; print(sys.prefix)'`;
    expect(bash(probe, offline)).toBe(join(snapshotOf("fromvenv", built.version), "export/venv"));
  }, 120_000);

  it("builds with --pack-env, copies to another project, and activates the copy without any wheels", async () => {
    const venv = await createVenv(join(box.home, "packed-venv"));
    await pipInstall(venv, ["alpha"], { findLinks: wheels });
    const built = JSON.parse(
      ok(await box.swcli(["-o", "json", "runtime", "build", "-v", venv, "--name", "shipped", "--pack-env"]))
        .stdout,
    );
    ok(await box.swcli(["runtime", "copy", "shipped", "local/project/elsewhere/shipped"]));
    const run = ok(
      await box.swcli(["runtime", "activate", "local/project/elsewhere/shipped", "--print"], {
        env: { PIP_NO_INDEX: "1" },
      }),
    );
    expect(run.stderr).toMatch(/^extract: started/m);
    expect(run.stderr).toMatch(/^unpack-env: started/m);
    expect(run.stderr).not.toContain("pip install");
    const prefix = join(
      box.storage,
      "elsewhere/workdir/runtime/shipped",
      built.version.slice(0, 2),
      built.version,
      "export/venv",
    );
    expect(bash(`${run.stdout}\npython -c 'import alpha, beta, sys; print(sys.prefix)'`)).toBe(prefix);
  }, 120_000);
});

describe("bundles of ours", () => {
  it("restores a packed environment by unpacking it: no index, no wheels", async () => {
    const venv = await createVenv(join(box.home, "to-pack"));
    await pipInstall(venv, ["alpha"], { findLinks: wheels });
    const version = await addOwnBundle("packed", { packedFrom: venv });
    const run = ok(
      await box.swcli(["-o", "json", "runtime", "activate", "packed", "--print"], {
        env: { PIP_NO_INDEX: "1" },
      }),
    );
    const result = JSON.parse(run.stdout) as RuntimeActivateJson;
    expect(result).toMatchObject({
      mode: "venv",
      restored: true,
      prefix: join(snapshotOf("packed", version), "export/venv"),
    });
    expect(run.stderr).toMatch(/^unpack-env: started/m);
    expect(run.stderr).not.toContain("pip install");
    expect(
      bash(`eval "$(swcli runtime activate packed --print)" && python -c 'import alpha, beta; print("ok")'`),
    ).toBe("ok");
  }, 120_000);

  it("restores an extracted directory with the hidden restore command, as a runtime image does", async () => {
    const version = await addOwnBundle("plain");
    const target = join(box.home, "image-root");
    ok(await box.swcli(["runtime", "extract", "plain", "--target-dir", target]));
    const run = ok(await box.swcli(["runtime", "restore", target], { env: offline }));
    expect(run.stdout).toContain(`activate it with: eval "$(${target}/activate.host)"\n`);
    expect(bash(`eval "$(${target}/activate.host)" && python -c 'import alpha; print("ok")'`)).toBe("ok");
    expect(existsSync(snapshotOf("plain", version))).toBe(false);
  }, 120_000);

  it("fails with one line naming the Python that is missing, or the package pip can't find", async () => {
    await addOwnBundle("future", { python: "3.99" });
    const missing = await box.swcli(["runtime", "activate", "future", "--print"], { env: offline });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(
      /^error: Python 3\.99 is not installed: the runtime's environment needs it/m,
    );
    expect(missing.stderr).toContain(
      "hint: install Python 3.99 (for example `pyenv install 3.99`), then try again\n",
    );

    await addOwnBundle("unlisted", { lock: "alpha==1.0\nnot-in-any-index==1.0" });
    const pip = await box.swcli(["runtime", "activate", "unlisted", "--print"], { env: offline });
    expect(pip.code).toBe(1);
    expect(pip.stderr).toMatch(
      /^error: pip install -r requirements-sw-lock\.txt failed \(exit 1\): ERROR: .*not-in-any-index/m,
    );
    // The next activation tries again instead of using the broken environment.
    const retry = await box.swcli(["runtime", "activate", "unlisted", "--print"], { env: offline });
    expect(retry.stderr).toContain("pip install -r requirements-sw-lock.txt");
  }, 120_000);
});
