import { join } from "node:path";
import { isAppError } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { beforeAll, describe, expect, it } from "vitest";
import { readBundleMember } from "../bundle/read";
import { type InstallStep, type PlanOptions, planInstall } from "./plan";
import { parseRuntimeManifest } from "./snapshot";

const fixtures = join(import.meta.dirname, "../../test-fixtures/starwhale-0.6.15");
const w = "/w";
const prefix = "/w/export/venv";
const host: PlanOptions = { workdir: w, prefix, container: false, runCommands: false };

let yamlfull: RuntimeManifest;
beforeAll(async () => {
  const text = (await readBundleMember(join(fixtures, "yamlfull.swrt"), "_manifest.yaml")).toString();
  yamlfull = parseRuntimeManifest(text, "yamlfull");
});

/** A manifest with the given raw deps and lock files. */
function manifest(raw: unknown[] | undefined, lockFiles: string[] = [], mode = "venv", extra: object = {}) {
  return parseRuntimeManifest(
    JSON.stringify({
      version: "abcd",
      environment: { mode, python: "3.11", lock: { files: lockFiles } },
      dependencies: { ...(raw ? { raw_deps: raw } : {}), ...extra },
    }),
    "test",
  );
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error("expected an error");
}

describe("install plan", () => {
  it("restores Starwhale's yamlfull bundle from its lock: command skipped, lock, wheel, native file at bin/hello.sh", () => {
    // Spec §4.1: with lock files, the pip package and the requirements file are in the lock and not installed again.
    expect(planInstall(yamlfull, host)).toEqual<InstallStep[]>([
      {
        kind: "skip",
        what: "command `echo hello-from-commands`",
        reason: "commands run only in a runtime container (SW_CONTAINER=1 or SW_RUNTIME_FORCE_RUN_COMMAND=1)",
      },
      {
        kind: "pip",
        targets: [
          { kind: "requirements-file", path: "/w/dependencies/.starwhale/lock/requirements-sw-lock.txt" },
        ],
      },
      { kind: "pip", targets: [{ kind: "wheel", path: "/w/wheels/tinypkg06-1.0.6-py3-none-any.whl" }] },
      { kind: "native-file", src: "/w/files/scripts/hello.sh", dest: "/w/export/venv/bin/hello.sh" },
    ]);
  });

  it("runs commands first in a container, before the lock", () => {
    const steps = planInstall(yamlfull, { ...host, container: true, runCommands: true });
    expect(steps.map((s) => s.kind)).toEqual(["command", "pip", "pip", "native-file"]);
    expect(steps[0]).toEqual({ kind: "command", command: "echo hello-from-commands" });
  });

  it("installs setup_requires before anything else", () => {
    const m = manifest(
      [{ kind: "pip_pkg", deps: ["a"] }],
      [".starwhale/lock/requirements-sw-lock.txt"],
      "venv",
      {
        setup_requires: [{ kind: "pip_pkg", deps: ["torch==0.0.1", "numpy==0.0.1", "cython"] }],
      },
    );
    expect(planInstall(m, host)).toEqual([
      {
        kind: "pip",
        targets: [
          { kind: "requirement", spec: "torch==0.0.1" },
          { kind: "requirement", spec: "numpy==0.0.1" },
          { kind: "requirement", spec: "cython" },
        ],
      },
      {
        kind: "pip",
        targets: [
          { kind: "requirements-file", path: "/w/dependencies/.starwhale/lock/requirements-sw-lock.txt" },
        ],
      },
    ]);
  });

  it("installs every raw dependency in order without a lock; one pip call per entry; conda entries skipped in a venv", () => {
    const m = manifest([
      { kind: "pip_req_file", deps: "requirements.txt" },
      { kind: "pip_pkg", deps: ["p1", " ", "p2"] },
      { kind: "conda_pkg", deps: ["cp1"] },
      { kind: "wheel", deps: ["dist/a-1-py3-none-any.whl", "b-2-py3-none-any.whl"] },
      { kind: "conda_env_file", deps: "env.yaml" },
    ]);
    expect(planInstall(m, host)).toEqual([
      { kind: "pip", targets: [{ kind: "requirements-file", path: "/w/dependencies/requirements.txt" }] },
      {
        kind: "pip",
        targets: [
          { kind: "requirement", spec: "p1" },
          { kind: "requirement", spec: "p2" },
        ],
      },
      { kind: "skip", what: "conda packages cp1", reason: "a venv runtime has no conda" },
      {
        kind: "pip",
        targets: [
          { kind: "wheel", path: "/w/wheels/dist/a-1-py3-none-any.whl" },
          { kind: "wheel", path: "/w/wheels/b-2-py3-none-any.whl" },
        ],
      },
      { kind: "skip", what: "conda environment file env.yaml", reason: "a venv runtime has no conda" },
    ]);
  });

  it("uses conda for conda entries and conda lock files in conda mode", () => {
    const m = manifest(
      [{ kind: "conda_pkg", deps: ["numpy"] }],
      [".starwhale/lock/conda-sw-lock.yaml"],
      "conda",
    );
    expect(planInstall(m, { ...host, prefix: "/w/export/conda" })).toEqual([
      { kind: "conda-env-update", file: "/w/dependencies/.starwhale/lock/conda-sw-lock.yaml" },
    ]);
    const unlocked = manifest([{ kind: "conda_pkg", deps: ["numpy", "scipy"] }], [], "conda");
    expect(planInstall(unlocked, host)).toEqual([{ kind: "conda-install", packages: ["numpy", "scipy"] }]);
  });

  it("reads bundles of Starwhale clients older than 0.3, which have no raw_deps", () => {
    const m = manifest(undefined, [], "venv", { pip_files: ["requirements.txt"], pip_pkgs: ["a", "b"] });
    expect(planInstall(m, host).map((s) => s.kind === "pip" && s.targets)).toEqual([
      [{ kind: "requirements-file", path: "/w/dependencies/requirements.txt" }],
      [
        { kind: "requirement", spec: "a" },
        { kind: "requirement", spec: "b" },
      ],
    ]);
  });

  it("places an absolute native-file destination under the environment on a host, and as given in a container", () => {
    const m = manifest([{ kind: "native_file", deps: [{ src: "conf", dest: "/etc/app.conf" }] }]);
    expect(planInstall(m, host)).toEqual([
      { kind: "native-file", src: "/w/files/conf", dest: "/w/export/venv/etc/app.conf" },
    ]);
    expect(planInstall(m, { ...host, container: true, runCommands: true })).toEqual([
      { kind: "native-file", src: "/w/files/conf", dest: "/etc/app.conf" },
    ]);
  });

  it.each([
    [
      { kind: "native_file", deps: [{ src: "a", dest: "../../../../root/.bashrc" }] },
      "../../../../root/.bashrc",
    ],
    [{ kind: "native_file", deps: [{ src: "../../secret", dest: "x" }] }, "../../secret"],
    [
      { kind: "wheel", deps: ["../../../tmp/evil-1-py3-none-any.whl"] },
      "../../../tmp/evil-1-py3-none-any.whl",
    ],
    [{ kind: "pip_req_file", deps: "/etc/passwd.txt" }, "/etc/passwd.txt"],
  ])("refuses a hostile path: %j", (dep, path) => {
    expect(errorOf(() => planInstall(manifest([dep]), host))).toContain(`names "${path}"`);
  });

  it("refuses a damaged manifest with one line naming the entry", () => {
    expect(errorOf(() => manifest([{ kind: "bogus", deps: [] }]))).toMatch(
      /^test is not a runtime manifest: dependencies\.raw_deps\[0\]\.kind: /,
    );
    expect(errorOf(() => planInstall(manifest([{ kind: "pip_pkg", deps: [1] }]), host))).toBe(
      "the runtime's _manifest.yaml is damaged: raw_deps[0]: pip_pkg expects strings",
    );
  });
});
