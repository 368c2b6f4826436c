import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCondaPrefix } from "../testing/python";
import { canonicalChannel, condaEnvName, exportFromRecords, findCondaExe, inspectCondaPrefix } from "./conda";
import { renderCondaLock, replacePipSection } from "./conda-lock";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-conda-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("canonicalChannel", () => {
  it.each([
    [{ channel: "https://conda.anaconda.org/conda-forge/linux-64", subdir: "linux-64" }, "conda-forge"],
    [{ channel: "https://repo.anaconda.com/pkgs/main/linux-64", subdir: "linux-64" }, "defaults"],
    [{ channel: "https://my.mirror/channels/ml/noarch", subdir: "noarch" }, "https://my.mirror/channels/ml"],
    [{ schannel: "pytorch", channel: "https://conda.anaconda.org/pytorch/linux-64" }, "pytorch"],
    [{ url: "https://conda.anaconda.org/bioconda/noarch/x-1-0.tar.bz2", subdir: "noarch" }, "bioconda"],
  ])("%j → %s", (record, expected) => expect(canonicalChannel(record)).toBe(expected));
});

describe("inspectCondaPrefix", () => {
  it("reads the records, the Python version and site-packages", async () => {
    const prefix = await makeCondaPrefix(join(tmp, "envs", "ml"), {
      python: "3.10.14",
      packages: [{ name: "numpy", version: "1.26.4", build: "py310_0", python: {} }],
    });
    const info = await inspectCondaPrefix(prefix);
    expect(info).toMatchObject({
      prefix,
      name: "ml",
      pythonVersion: "3.10.14",
      sitePackages: join(prefix, "lib", "python3.10", "site-packages"),
    });
    expect(info.records.map((r) => `${r.name}=${r.version}=${r.build}`).sort()).toEqual([
      "numpy=1.26.4=py310_0",
      "python=3.10.14=h955ad1f_0_cpython",
    ]);
    expect(info.records.find((r) => r.name === "numpy")?.files).toContain(
      "lib/python3.10/site-packages/numpy-1.26.4.dist-info/METADATA",
    );
  });

  it("refuses a directory without conda-meta/, naming it", async () => {
    await expect(inspectCondaPrefix(tmp)).rejects.toMatchObject({
      code: "invalid_input",
      message: `${tmp} is not a conda prefix: conda-meta/ not found`,
    });
  });

  it("names a corrupt record", async () => {
    const prefix = join(tmp, "corrupt");
    await mkdir(join(prefix, "conda-meta"), { recursive: true });
    await writeFile(join(prefix, "conda-meta", "x-1-0.json"), "{");
    await expect(inspectCondaPrefix(prefix)).rejects.toThrow(
      `${join(prefix, "conda-meta", "x-1-0.json")} is not valid JSON`,
    );
  });
});

describe("condaEnvName", () => {
  it("uses the name under envs/, base for a root install, else the path", async () => {
    expect(await condaEnvName("/opt/conda/envs/ml")).toBe("ml");
    const root = join(tmp, "root");
    await mkdir(join(root, "condabin"), { recursive: true });
    await writeFile(join(root, "condabin", "conda"), "");
    expect(await condaEnvName(root)).toBe("base");
    expect(await condaEnvName(join(tmp, "loose"))).toBe(join(tmp, "loose"));
  });
});

describe("export and lock rendering", () => {
  it("sorts packages by name and puts each package's channel in front of defaults", async () => {
    const prefix = await makeCondaPrefix(join(tmp, "export"), {
      python: "3.11.7",
      packages: [
        { name: "torch", version: "2.1.0", build: "py3.11_cpu_0", channel: "pytorch" },
        { name: "attrs", version: "23.1.0", build: "pyh71513ae_0" },
        { name: "openssl", version: "3.0.12", build: "h7f8727e_0", channel: "pkgs/main" },
      ],
    });
    const exported = await exportFromRecords(await inspectCondaPrefix(prefix), ["tinypkg==1.0"]);
    expect(exported.channels).toEqual(["pytorch", "conda-forge", "defaults"]);
    expect(exported.dependencies).toEqual([
      "attrs=23.1.0=pyh71513ae_0",
      "openssl=3.0.12=h7f8727e_0",
      "python=3.11.7=h955ad1f_0_cpython",
      "torch=2.1.0=py3.11_cpu_0",
      { pip: ["tinypkg==1.0"] },
    ]);
    const lock = renderCondaLock(
      replacePipSection(exported, ["tinypkg @ git+https://g/t.git@abc", "-e /src/x"]),
    );
    expect(lock).toBe(
      [
        "channels:",
        "- pytorch",
        "- conda-forge",
        "- defaults",
        "dependencies:",
        "- attrs=23.1.0=pyh71513ae_0",
        "- openssl=3.0.12=h7f8727e_0",
        "- python=3.11.7=h955ad1f_0_cpython",
        "- torch=2.1.0=py3.11_cpu_0",
        "- pip:",
        "  - tinypkg @ git+https://g/t.git@abc",
        "  - -e /src/x",
        `name: ${prefix}`,
        `prefix: ${prefix}`,
        "",
      ].join("\n"),
    );
  });
});

describe("findCondaExe", () => {
  it("prefers CONDA_EXE, then PATH, and finds nothing otherwise", async () => {
    const bin = join(tmp, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, "conda"), "#!/bin/sh\n", { mode: 0o755 });
    expect(await findCondaExe({ PATH: `/nonexistent:${bin}` })).toBe(join(bin, "conda"));
    expect(await findCondaExe({ CONDA_EXE: join(bin, "conda"), PATH: "" })).toBe(join(bin, "conda"));
    expect(await findCondaExe({ PATH: "/nonexistent" })).toBeUndefined();
  });
});
