import { type RuntimeManifest, runtimeManifestSchema } from "@swhub/shared/schemas";
import { describe, expect, it } from "vitest";
import { planInstall } from "./install-plan";

const manifest = (extra: Record<string, unknown>): RuntimeManifest =>
  runtimeManifestSchema.parse({
    version: "v",
    ...extra,
    environment: { mode: "venv", ...(extra.environment as object) },
  });

// Shaped like yamlfull.swrt's manifest (test-fixtures/starwhale-0.6.15): every venv dependency kind.
const rawDeps = [
  { kind: "pip_pkg", deps: ["tinypkg05"] },
  { kind: "pip_req_file", deps: "requirements.txt" },
  { kind: "wheel", deps: ["tinypkg06-1.0.6-py3-none-any.whl"] },
  {
    kind: "native_file",
    deps: [
      { dest: "bin/hello.sh", src: "scripts/hello.sh" },
      { dest: "/etc/x.conf", src: "x" },
    ],
  },
  { kind: "command", deps: ["echo hello-from-commands"] },
];

describe("what the environment is installed from (spec §4.1)", () => {
  it("with a lock: setup_requires, the lock, then wheels; native files where a container restore puts them", () => {
    const plan = planInstall(
      manifest({
        environment: { lock: { files: [".starwhale/lock/requirements-sw-lock.txt"] } },
        dependencies: {
          raw_deps: rawDeps,
          setup_requires: [{ kind: "pip_pkg", deps: ["numpy==1.0", "cython"] }],
        },
      }),
      "/b",
    );
    expect(plan.requirements).toEqual([
      "numpy==1.0",
      "cython",
      "-r",
      "/b/dependencies/.starwhale/lock/requirements-sw-lock.txt",
      "/b/wheels/tinypkg06-1.0.6-py3-none-any.whl",
    ]);
    expect(plan.nativeFiles).toEqual([
      { src: "/b/files/scripts/hello.sh", dest: "/opt/starwhale.user/runtime/bin/hello.sh" },
      { src: "/b/files/x", dest: "/etc/x.conf" },
    ]);
    expect(plan.notes).toEqual([
      "the runtime's commands (echo hello-from-commands) were not run: the native builder never runs the image; use --builder buildx to run them",
    ]);
  });

  it("without a lock: every pip dependency in order", () => {
    const plan = planInstall(manifest({ dependencies: { raw_deps: rawDeps } }), "/b");
    expect(plan.requirements).toEqual([
      "tinypkg05",
      "-r",
      "/b/dependencies/requirements.txt",
      "/b/wheels/tinypkg06-1.0.6-py3-none-any.whl",
    ]);
  });

  it("refuses conda runtimes, and bundle paths that leave the bundle", () => {
    expect(() => planInstall(manifest({ environment: { mode: "conda" } }), "/b")).toThrow(
      "conda runtimes cannot be dockerized by the native builder yet",
    );
    const hostile = manifest({
      dependencies: { raw_deps: [{ kind: "native_file", deps: [{ src: "../../etc/shadow", dest: "x" }] }] },
    });
    expect(() => planInstall(hostile, "/b")).toThrow(
      /names "\.\.\/\.\.\/etc\/shadow".*which is outside \/b\/files/,
    );
  });
});
