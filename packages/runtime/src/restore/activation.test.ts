import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ActivationTarget,
  activationCommand,
  fishQuote,
  prepareShell,
  printedActivation,
  shellKind,
  shQuote,
  writeActivationFiles,
} from "./activation";

const venv: ActivationTarget = {
  mode: "venv",
  prefix: "/s/export/venv",
  uri: "local/project/self/runtime/a/version/v",
};

describe("activation commands", () => {
  it("quotes only what needs it, for POSIX shells and for fish", () => {
    expect(shQuote("/a/b-c_d.e")).toBe("/a/b-c_d.e");
    expect(shQuote("/my dir/it's")).toBe(`'/my dir/it'\\''s'`);
    expect(fishQuote("/my dir/it's \\x")).toBe(`'/my dir/it\\'s \\\\x'`);
  });

  it("tells shells apart by $SHELL's name; anything else gets POSIX commands", () => {
    expect([shellKind("/bin/bash"), shellKind("/usr/bin/zsh"), shellKind("/usr/local/bin/fish")]).toEqual([
      "bash",
      "zsh",
      "fish",
    ]);
    expect([shellKind("/bin/dash"), shellKind("/bin/tcsh"), shellKind(undefined)]).toEqual([
      "sh",
      "sh",
      "sh",
    ]);
  });

  it("sources bin/activate in POSIX shells, activate.fish in fish, and uses conda activate for conda", () => {
    expect(activationCommand(venv, "bash")).toBe("source /s/export/venv/bin/activate");
    expect(activationCommand(venv, "fish")).toBe("source /s/export/venv/bin/activate.fish");
    expect(activationCommand({ ...venv, mode: "conda", prefix: "/s/export/conda" }, "zsh")).toBe(
      "conda activate /s/export/conda",
    );
  });

  it("prints the SW_ACTIVATED_RUNTIME_* variables with the command, in the shell's syntax", () => {
    expect(printedActivation(venv, "bash").split("\n")).toEqual([
      "export SW_ACTIVATED_RUNTIME_MODE_IN_SHELL=venv SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL=/s/export/venv SW_ACTIVATED_RUNTIME_URI_IN_SHELL=local/project/self/runtime/a/version/v",
      "source /s/export/venv/bin/activate",
    ]);
    expect(printedActivation({ ...venv, uri: "" }, "fish").split("\n")).toEqual([
      "set -gx SW_ACTIVATED_RUNTIME_MODE_IN_SHELL venv",
      "set -gx SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL /s/export/venv",
      "set -gx SW_ACTIVATED_RUNTIME_URI_IN_SHELL ''",
      "source /s/export/venv/bin/activate.fish",
    ]);
  });
});

describe("activation files and shell start-up", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "swhub-activation-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes env.sw and two executable scripts that print the activation, as Starwhale does", async () => {
    await writeActivationFiles(dir, venv);
    expect(await readFile(join(dir, "env.sw"), "utf8")).toBe(
      [
        "SW_ACTIVATED_RUNTIME_MODE_IN_SHELL=venv",
        "SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL=/s/export/venv",
        "SW_ACTIVATED_RUNTIME_URI_IN_SHELL=local/project/self/runtime/a/version/v",
        "",
      ].join("\n"),
    );
    for (const name of ["activate.host", "activate.sw"]) {
      expect(await readFile(join(dir, name), "utf8")).toBe(
        "#!/bin/sh\necho 'source /s/export/venv/bin/activate'\n",
      );
      expect((await stat(join(dir, name))).mode & 0o111).toBe(0o111);
    }
  });

  it("starts bash with an rcfile that sources ~/.bashrc first, then activates", async () => {
    const launch = await prepareShell(venv, "bash", { shell: "/bin/bash", rcDir: dir });
    expect(launch).toEqual({
      command: "/bin/bash",
      args: ["--rcfile", join(dir, "bashrc"), "-i"],
      env: {
        SW_ACTIVATED_RUNTIME_MODE_IN_SHELL: "venv",
        SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL: "/s/export/venv",
        SW_ACTIVATED_RUNTIME_URI_IN_SHELL: "local/project/self/runtime/a/version/v",
      },
    });
    expect(await readFile(join(dir, "bashrc"), "utf8")).toBe(
      "[ -f ~/.bashrc ] && . ~/.bashrc\nsource /s/export/venv/bin/activate\n",
    );
  });

  it("starts zsh with ZDOTDIR at its own start-up files, remembering the user's ZDOTDIR", async () => {
    const launch = await prepareShell(venv, "zsh", {
      shell: "/bin/zsh",
      rcDir: dir,
      zdotdir: "/home/u/.config/zsh",
    });
    expect(launch.args).toEqual(["-i"]);
    expect(launch.env).toMatchObject({ ZDOTDIR: dir, SW_USER_ZDOTDIR: "/home/u/.config/zsh" });
    expect(await readFile(join(dir, ".zshrc"), "utf8")).toContain("source /s/export/venv/bin/activate\n");
  });

  it("starts fish with the activation as its init command", async () => {
    expect(await prepareShell(venv, "fish", { shell: "/usr/bin/fish", rcDir: dir })).toMatchObject({
      command: "/usr/bin/fish",
      args: ["-C", "source /s/export/venv/bin/activate.fish"],
    });
  });
});
