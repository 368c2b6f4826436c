import { describe, expect, it } from "vitest";
import {
  fixShebang,
  formatPyvenvCfg,
  isInterpreterPath,
  mayNamePrefix,
  parsePyvenvCfg,
  pythonVersionOf,
  relocateText,
} from "./relocate";

const old = "/srv/venvs/demo";
const relocate = (path: string, text: string, to = "/opt/rt/env") =>
  relocateText(path, Buffer.from(text), [old], to).toString();

describe("relocateText", () => {
  it("rewrites console-script shebangs", () => {
    const script = `#!${old}/bin/python3\nimport sys\nfrom tiny import main\n`;
    expect(relocate("bin/tiny", script)).toBe(
      "#!/opt/rt/env/bin/python3\nimport sys\nfrom tiny import main\n",
    );
  });

  it("rewrites VIRTUAL_ENV in activate scripts", () => {
    expect(relocate("bin/activate", `VIRTUAL_ENV="${old}"\nexport VIRTUAL_ENV\n`)).toBe(
      'VIRTUAL_ENV="/opt/rt/env"\nexport VIRTUAL_ENV\n',
    );
    expect(relocate("bin/activate.fish", `set -gx VIRTUAL_ENV "${old}"\n`)).toBe(
      'set -gx VIRTUAL_ENV "/opt/rt/env"\n',
    );
  });

  it("rewrites .pth and direct_url.json paths", () => {
    expect(relocate("lib/python3.11/site-packages/extra.pth", `${old}/src\nimport x\n`)).toBe(
      "/opt/rt/env/src\nimport x\n",
    );
    const url = `{"url": "file://${old}/wheels/t-1.0-py3-none-any.whl", "archive_info": {}}`;
    const directUrl = "lib/python3.11/site-packages/t-1.0.dist-info/direct_url.json";
    expect(relocate(directUrl, url)).toContain('"file:///opt/rt/env/wheels/t-1.0-py3-none-any.whl"');
    // pip percent-encodes file URLs (urllib's pathname2url); the new prefix must be encoded the same way.
    expect(relocate(directUrl, url, "/opt/my env/é")).toContain('"file:///opt/my%20env/%C3%A9/wheels/t-1.0');
    const encoded = '{"url": "file:///srv/my%20envs/demo/w.whl"}';
    expect(relocateText(directUrl, Buffer.from(encoded), ["/srv/my envs/demo"], "/x").toString()).toBe(
      '{"url": "file:///x/w.whl"}',
    );
  });

  it("leaves a longer path that merely starts with the prefix alone", () => {
    expect(relocate("x.pth", `${old}2/src\n${old}-old\n${old}.bak\n${old}\n`)).toBe(
      `${old}2/src\n${old}-old\n${old}.bak\n/opt/rt/env\n`,
    );
  });

  it("never edits binary files or non-scripts in bin/", () => {
    const elf = Buffer.concat([Buffer.from("\x7fELF\0\0"), Buffer.from(old)]);
    expect(relocateText("bin/tool", elf, [old], "/x")).toBe(elf);
    expect(relocateText("bin/notes.txt", Buffer.from(old), [old], "/x").toString()).toBe(old);
  });

  it("switches to pip's /bin/sh wrapper when the new shebang would be too long or has spaces", () => {
    const long = `/opt/${"deep/".repeat(30)}env`;
    const out = relocate("bin/tiny", `#!${old}/bin/python\nprint(1)\n`, long);
    expect(out).toBe(`#!/bin/sh\n'''exec' "${long}/bin/python" "$0" "$@"\n' '''\nprint(1)\n`);
    expect(relocate("bin/tiny", `#!${old}/bin/python\n`, "/my env")).toContain(
      `'''exec' "/my env/bin/python"`,
    );
  });

  it("keeps short plain shebangs as they are", () => {
    expect(fixShebang("#!/usr/bin/env python\nx\n")).toBe("#!/usr/bin/env python\nx\n");
  });
});

describe("venv layout", () => {
  it("recognises interpreter entries in bin/", () => {
    for (const path of ["bin/python", "bin/python3", "bin/python3.11", "bin/python3.13"]) {
      expect(isInterpreterPath(path)).toBe(true);
    }
    for (const path of ["bin/python-config", "bin/pip", "lib/python3.11", "bin/pythonista"]) {
      expect(isInterpreterPath(path)).toBe(false);
    }
  });

  it("knows which files may name the prefix", () => {
    expect(mayNamePrefix("bin/pip")).toBe(true);
    expect(mayNamePrefix("lib/python3.11/site-packages/distutils-precedence.pth")).toBe(true);
    expect(mayNamePrefix("lib/python3.11/site-packages/a-1.dist-info/direct_url.json")).toBe(true);
    expect(mayNamePrefix("lib/python3.11/site-packages/a/__init__.py")).toBe(false);
  });

  it("reads and writes pyvenv.cfg", () => {
    const cfg = parsePyvenvCfg("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n");
    expect(pythonVersionOf(cfg)).toBe("3.11");
    expect(pythonVersionOf(parsePyvenvCfg("version_info = 3.12.1.final.0\n"))).toBe("3.12");
    expect(formatPyvenvCfg(cfg)).toBe(
      "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n",
    );
  });
});
