import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePipConf, resolvePipOptions } from "./pip-config";

describe("parsePipConf", () => {
  it("reads sections, both delimiters, comments and indented continuation lines", () => {
    const config = parsePipConf(
      [
        "# pip configuration",
        "[global]",
        "index-url = https://pypi.example/simple",
        "Extra_Index_URL =",
        "    https://a.example/simple",
        "    https://b.example/simple",
        "; another comment",
        "timeout: 60",
        "[install]",
        "trusted-host = a.example b.example",
      ].join("\n"),
    );
    expect(config.get("global.index-url")).toBe("https://pypi.example/simple");
    expect(config.get("global.extra-index-url")).toBe("\nhttps://a.example/simple\nhttps://b.example/simple");
    expect(config.get("global.timeout")).toBe("60");
    expect(config.get("install.trusted-host")).toBe("a.example b.example");
  });
});

describe("resolvePipOptions", () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "swhub-pipconf-"));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const write = async (path: string, text: string) => {
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
  };

  it("renders one option line per value, install overriding global, the XDG file overriding ~/.pip", async () => {
    await write(join(home, ".pip", "pip.conf"), "[global]\nindex-url = https://old.example/simple\n");
    await write(
      join(home, ".config", "pip", "pip.conf"),
      "[global]\nindex-url = https://new.example/simple\nextra-index-url =\n  https://a.example/s\n  https://b.example/s\ntrusted-host = ignored.example\n[install]\ntrusted-host = a.example b.example\n",
    );
    expect(await resolvePipOptions({ home, env: {} })).toEqual([
      "--index-url https://new.example/simple",
      "--extra-index-url https://a.example/s",
      "--extra-index-url https://b.example/s",
      "--trusted-host a.example",
      "--trusted-host b.example",
    ]);
  });

  it("honours XDG_CONFIG_HOME", async () => {
    await write(join(home, "xdg", "pip", "pip.conf"), "[global]\nindex-url = https://xdg.example/simple\n");
    expect(await resolvePipOptions({ home, env: { XDG_CONFIG_HOME: join(home, "xdg") } })).toEqual([
      "--index-url https://xdg.example/simple",
    ]);
  });

  it("is empty without config files, and when PIP_CONFIG_FILE is /dev/null (pip then reads none)", async () => {
    expect(await resolvePipOptions({ home, env: {} })).toEqual([]);
    await write(join(home, ".config", "pip", "pip.conf"), "[global]\nindex-url = https://x.example/simple\n");
    expect(await resolvePipOptions({ home, env: { PIP_CONFIG_FILE: "/dev/null" } })).toEqual([]);
  });
});
