import { describe, expect, it } from "vitest";
import type { ImageConfig } from "../oci/types";
import type { BasePython } from "./base-python";
import { runtimeImageSettings } from "./image-config";
import { pushTargets } from "./outputs";
import { pointScriptAtEnv } from "./pip-env";
import { venvCompletion } from "./venv-layout";

const env = "/opt/starwhale.user/runtime/export/venv";
const python: BasePython = { version: "3.11", path: "/usr/bin/python3.11", shell: true, via: "filesystem" };
const base = (inner: ImageConfig["config"]): ImageConfig => ({
  architecture: "amd64",
  os: "linux",
  config: inner,
  rootfs: { type: "layers", diff_ids: [] },
});
const input = {
  name: "mnist",
  version: "abcd",
  python,
  starwhaleVersion: "0.6.15",
  pypi: { SW_PYPI_INDEX_URL: "", SW_PYPI_EXTRA_INDEX_URL: "", SW_PYPI_TRUSTED_HOST: "" },
  base: { name: "b:1", digest: "sha256:00" },
};

describe("the image config", () => {
  it("activates the env through PATH and VIRTUAL_ENV, with Starwhale's variables, labels and work dir", () => {
    const settings = runtimeImageSettings(base({ Env: ["PATH=/usr/local/bin:/bin", "LANG=C.UTF-8"] }), input);
    expect(settings.env).toMatchObject({
      PATH: `${env}/bin:/usr/local/bin:/bin`,
      VIRTUAL_ENV: env,
      SW_USER_RUNTIME_WORKDIR: "/opt/starwhale.user/runtime",
      SW_USER_RUNTIME_NAME: "mnist",
      SW_USER_RUNTIME_VERSION: "abcd",
      SW_USER_RUNTIME_RESTORED: "1",
      SW_USER_RUNTIME_FROM_DOCKERIZE: "1",
      SW_RUNTIME_PYTHON_VERSION: "3.11",
      SW_VERSION: "0.6.15",
      SW_PIP_CACHE_DIR: "/root/.cache/pip",
    });
    expect(settings.labels).toMatchObject({
      starwhale_runtime_dockerize: "1",
      starwhale_runtime_name: "mnist",
      starwhale_runtime_version: "abcd",
      "org.opencontainers.image.base.name": "b:1",
    });
    expect(settings.workingDir).toBe("/opt/starwhale.user/runtime");
  });

  it("runs the base's entrypoint and command after activation, or a shell when the base has neither", () => {
    const withEntrypoint = runtimeImageSettings(base({ Entrypoint: ["/init"], Cmd: ["serve"] }), input);
    expect(withEntrypoint.entrypoint).toEqual([
      "/bin/sh",
      "-c",
      expect.stringContaining("activate"),
      "swhub-runtime",
      "/init",
    ]);
    expect(withEntrypoint.cmd).toEqual(["serve"]);
    expect(runtimeImageSettings(base({}), input).cmd).toEqual(["/bin/sh"]);
    // No shell in the base: PATH still activates the env; the entrypoint stays the base's.
    const noShell = runtimeImageSettings(base({}), { ...input, python: { ...python, shell: false } });
    expect(noShell.entrypoint).toBeUndefined();
    expect(noShell.env?.PATH).toBe(`${env}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
  });
});

describe("the venv's ties to the base's interpreter", () => {
  it("links the interpreter, writes pyvenv.cfg, and puts `python` on the default PATH", () => {
    const entries = venvCompletion({ python, prompt: "rt", has: () => false });
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get(`${env}/bin/python`)).toEqual({
      path: `${env}/bin/python`,
      type: "symlink",
      target: "/usr/bin/python3.11",
    });
    expect(byPath.get(`${env}/bin/python3.11`)).toMatchObject({ target: "python" });
    const cfg = byPath.get(`${env}/pyvenv.cfg`);
    expect(cfg?.type === "file" && String(cfg.content)).toBe(
      `home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11\nexecutable = /usr/bin/python3.11\ncommand = /usr/bin/python3.11 -m venv ${env}\n`,
    );
    expect(byPath.get("/usr/local/bin/python")).toMatchObject({ mode: 0o755 });
    expect(byPath.has(`${env}/bin/activate`)).toBe(true);
  });

  it("keeps what the env has, never shadows the interpreter, and adds no wrapper without a shell", () => {
    const official = { ...python, path: "/usr/local/bin/python3" };
    const paths = venvCompletion({
      python: official,
      prompt: "rt",
      has: (p) => p.endsWith("/bin/activate"),
    }).map((e) => e.path);
    expect(paths).toContain("/usr/local/bin/python");
    expect(paths).not.toContain("/usr/local/bin/python3");
    expect(paths).not.toContain(`${env}/bin/activate`);
    const bare = venvCompletion({ python: { ...python, shell: false }, prompt: "rt", has: () => false }).map(
      (e) => e.path,
    );
    expect(bare.some((p) => p.startsWith("/usr/local"))).toBe(false);
  });

  it("points console scripts pip wrote at the env's python, in both forms pip writes", () => {
    expect(pointScriptAtEnv(Buffer.from("#!/tmp/x/bin/python3.11\nimport sys\n")).toString()).toBe(
      `#!${env}/bin/python\nimport sys\n`,
    );
    const long = `#!/bin/sh\n'''exec' "/very long/path/bin/python3" "$0" "$@"\n' '''\nimport sys\n`;
    expect(pointScriptAtEnv(Buffer.from(long)).toString()).toBe(
      `#!/bin/sh\n'''exec' "${env}/bin/python" "$0" "$@"\n' '''\nimport sys\n`,
    );
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
    expect(pointScriptAtEnv(binary)).toBe(binary);
  });
});

describe("push targets", () => {
  it("groups tags by registry and repository, in the order given", () => {
    expect(pushTargets(["r.io/a:1", "q.io/a:1", "r.io/a:2", "r.io/b"])).toEqual([
      { registry: "r.io", repository: "a", tags: ["1", "2"] },
      { registry: "q.io", repository: "a", tags: ["1"] },
      { registry: "r.io", repository: "b", tags: ["latest"] },
    ]);
  });
});
