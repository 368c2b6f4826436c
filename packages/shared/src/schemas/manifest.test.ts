import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatVenvLock, parseVenvLock } from "./lock";
import { runtimeManifestSchema } from "./manifest";
import { tagManifestSchema } from "./tag-manifest";

// Written by the real Starwhale 0.6.15 client: packages/runtime/test-fixtures/starwhale-0.6.15/yamlfull.swrt.
const starwhaleManifest = `artifacts:
  dependencies:
  - dependencies/requirements.txt
  - dependencies/.starwhale/lock/requirements-sw-lock.txt
  files:
  - dest: bin/hello.sh
    src: scripts/hello.sh
  runtime_yaml: runtime.yaml
  wheels:
  - wheels/tinypkg06-1.0.6-py3-none-any.whl
base_image: docker-registry.starwhale.cn/star-whale/base:0.3.4
build:
  os: Linux
  sw_version: 0.6.15
configs:
  conda:
    channels:
    - conda-forge
    condarc: {}
  docker:
    image: ''
  pip:
    extra_index_url:
    - ''
    index_url: https://example.invalid/simple
    trusted_host:
    - ''
created_at: 2026-11-27 18:58:33 UTC
dependencies:
  conda_files: []
  conda_pkgs: []
  local_packaged_env: false
  pip_files:
  - requirements.txt
  pip_pkgs:
  - tinypkg05
  raw_deps:
  - deps:
    - tinypkg05
    kind: pip_pkg
  - deps: requirements.txt
    kind: pip_req_file
  - deps:
    - dest: bin/hello.sh
      src: scripts/hello.sh
    kind: native_file
  setup_requires: []
docker:
  builtin_run_image:
    fullname: docker-registry.starwhale.cn/star-whale/base:0.3.4
    name: base
    repo: docker-registry.starwhale.cn/star-whale
    tag: 0.3.4
  custom_run_image: ''
environment:
  arch:
  - noarch
  auto_lock_dependencies: true
  lock:
    env_name: ''
    env_prefix_path: ''
    env_use_shell: false
    files:
    - .starwhale/lock/requirements-sw-lock.txt
    shell:
      python_env: system
      python_version: 3.11.2
      use_conda: false
      use_venv: false
    starwhale_version: 0.6.15
    system: Linux
  mode: venv
  python: '3.11'
version: iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg
`;

describe("_manifest.yaml", () => {
  it("reads the manifest Starwhale 0.6.15 writes", () => {
    const m = runtimeManifestSchema.parse(parse(starwhaleManifest));
    expect(m.version).toBe("iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg");
    expect(m.environment).toMatchObject({ mode: "venv", python: "3.11", auto_lock_dependencies: true });
    expect(m.environment.lock?.files).toEqual([".starwhale/lock/requirements-sw-lock.txt"]);
    expect(m.dependencies.raw_deps?.map((d) => d.kind)).toEqual(["pip_pkg", "pip_req_file", "native_file"]);
    expect(m.docker?.builtin_run_image?.fullname).toBe("docker-registry.starwhale.cn/star-whale/base:0.3.4");
  });
  it("keeps keys it does not know, so nothing is lost on a round trip", () => {
    const m = runtimeManifestSchema.parse({ ...parse(starwhaleManifest), future_key: { a: 1 } });
    expect((m as Record<string, unknown>).future_key).toEqual({ a: 1 });
  });
  it("an old manifest without most sections still opens", () => {
    const m = runtimeManifestSchema.parse({
      version: "ge3tkylgha2tenrtmftdgyjzni3dayq",
      environment: { python: 3.7 },
    });
    expect(m.environment.python).toBe("3.7");
    expect(m.dependencies.raw_deps).toBeUndefined();
  });
  it("reads swhub's packed_env_layer, and drops a malformed one instead of refusing the bundle", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const layer = {
      path: "export/venv_env.tar.gz",
      media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest,
      diff_id: `sha256:${"b".repeat(64)}`,
      size: 10,
      prefix: "/opt/starwhale.user/runtime/export/venv",
      python: "3.11",
      architectures: ["amd64"],
    };
    const m = runtimeManifestSchema.parse({ ...parse(starwhaleManifest), packed_env_layer: layer });
    expect(m.packed_env_layer).toEqual(layer);
    expect(runtimeManifestSchema.parse(parse(starwhaleManifest)).packed_env_layer).toBeUndefined();
    const bad = runtimeManifestSchema.parse({
      ...parse(starwhaleManifest),
      packed_env_layer: { ...layer, digest: "md5:x" },
    });
    expect(bad.packed_env_layer).toBeUndefined();
    expect(bad.version).toBe("iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg");
  });
  it("a manifest without a version is refused", () =>
    expect(runtimeManifestSchema.safeParse({ environment: {} }).success).toBe(false));
});

describe("tag manifest", () => {
  it("reads the index Starwhale writes after four builds, two user tags and a removal", () => {
    const t = tagManifestSchema.parse(
      parse(`fast_tag_seq: 3
name: venv1
tags:
  Abc-1.2_x: jp7gcsf65dqgbunpeskgwlhkwezo47tfnvdngcll
  latest: 656zzdtqgjmxcvuwzv46s2cp3uqlltm25l7tbw3s
  v0: 2u7jjedu2hvefq4ukg3cy2oslcggwbrkhhnhyvy4
typ: runtime
updated_at: 2026-11-27 19:15:12 UTC
versions:
  656zzdtqgjmxcvuwzv46s2cp3uqlltm25l7tbw3s:
    latest: true
  jp7gcsf65dqgbunpeskgwlhkwezo47tfnvdngcll:
    Abc-1.2_x: true
`),
    );
    expect(t.fast_tag_seq).toBe(3);
    expect(t.tags.latest).toBe("656zzdtqgjmxcvuwzv46s2cp3uqlltm25l7tbw3s");
    expect(t.versions.jp7gcsf65dqgbunpeskgwlhkwezo47tfnvdngcll).toEqual({ "Abc-1.2_x": true });
  });
  it("a fresh index has no tags and starts numbering at v0", () => {
    const t = tagManifestSchema.parse({ name: "x", tags: null, versions: null });
    expect(t).toMatchObject({ fast_tag_seq: -1, tags: {}, versions: {} });
  });
});

describe("venv lock", () => {
  const starwhaleLock =
    "# Generated by Starwhale(0.6.15) Runtime Lock\nstarwhale==0.6.15\ntinypkg01==1.0.1\ntinypkg02==1.0.2";
  it("reads Starwhale's lock and writes it back byte for byte", () => {
    const lock = parseVenvLock(starwhaleLock);
    expect(lock).toEqual({
      generatedBy: "0.6.15",
      options: [],
      requirements: ["starwhale==0.6.15", "tinypkg01==1.0.1", "tinypkg02==1.0.2"],
    });
    expect(formatVenvLock(lock)).toBe(starwhaleLock);
  });
  it("keeps pip options apart from requirements, and editables as requirements", () => {
    const lock = parseVenvLock(
      "# Generated by Starwhale(0.6.15) Runtime Lock\n--index-url https://x/simple\n-e git+https://x/y.git#egg=y\nz==1\n",
    );
    expect(lock.options).toEqual(["--index-url https://x/simple"]);
    expect(lock.requirements).toEqual(["-e git+https://x/y.git#egg=y", "z==1"]);
  });
});
