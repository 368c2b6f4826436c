import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAppError } from "@swhub/shared/errors";
import { beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CliConfig, currentInstance, findInstance, loadConfig, saveConfig } from "./config";
import { readEnv } from "./env";

let home: string;
let path: string;
const env = (extra: Record<string, string> = {}) => readEnv({ HOME: home, SW_CLI_CONFIG: path, ...extra });

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "swcli-config-"));
  path = join(home, "conf", "config.yaml");
});

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error("expected an AppError");
}

const starwhaleConfig = `
current_instance: pre-k8s
instances:
  local:
    current_project: self
    type: standalone
    updated_at: 2023-02-19 00:19:23 CST
    uri: local
    user_name: starwhale
  pre-k8s:
    current_project: mnist
    sw_token: secret-token
    type: cloud
    updated_at: 2023-02-20 10:00:00 CST
    uri: http://console.pre.intra.starwhale.ai
    user_name: lwz
    user_role: admin
link_auths:
  - ak: x
storage:
  root: /data/starwhale
version: '2.0'
`;

describe("loadConfig", () => {
  it("creates a fresh config with only the local instance, mode 0600", () => {
    const config = loadConfig(env(), new Date(2026, 0, 2, 3, 4, 5));
    const file = parse(readFileSync(path, "utf8"));
    expect(file).toMatchObject({
      version: "2.0",
      current_instance: "local",
      instances: { local: { uri: "local", type: "standalone", current_project: "self" } },
      storage: { root: join(home, ".starwhale") },
    });
    expect(Object.keys(file.instances)).toEqual(["local"]);
    expect(file.instances.local.updated_at).toMatch(/^2026-01-02 03:04:05 \S+$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(config.storageRoot).toBe(join(home, ".starwhale"));
    expect(config.notices).toEqual([]);
  });

  it("reads Starwhale's own file and keeps what it doesn't know when saving", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, starwhaleConfig);
    const config = loadConfig(env());
    expect(currentInstance(config)).toMatchObject({
      alias: "pre-k8s",
      local: false,
      instance: { sw_token: "secret-token" },
    });
    expect(config.storageRoot).toBe("/data/starwhale");
    config.data.current_instance = "local";
    saveConfig(config);
    const saved = parse(readFileSync(path, "utf8"));
    expect(saved.link_auths).toEqual([{ ak: "x" }]);
    expect(saved.current_instance).toBe("local");
    expect(saved.instances["pre-k8s"].user_role).toBe("admin");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("lets $SW_LOCAL_STORAGE win over storage.root", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, starwhaleConfig);
    expect(loadConfig(env({ SW_LOCAL_STORAGE: "/elsewhere" })).storageRoot).toBe("/elsewhere");
  });

  it("regenerates a config of another version, keeps the old file, and says so", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, "version: '1.0'\ncurrent_instance: local\ninstances: {}\n");
    const config = loadConfig(env());
    expect(config.notices).toEqual([
      `${path} has config version "1.0", and swcli reads version "2.0"; it was regenerated with defaults, and the old file is kept as ${path}.bak`,
    ]);
    expect(readFileSync(`${path}.bak`, "utf8")).toContain("version: '1.0'");
    expect(parse(readFileSync(path, "utf8")).version).toBe("2.0");
  });

  it("treats an empty file as no file", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, "\n");
    expect(loadConfig(env()).notices).toEqual([]);
    expect(parse(readFileSync(path, "utf8")).current_instance).toBe("local");
  });

  it("gives one clear error, naming the file, for broken YAML, and leaves the file alone", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, "version: '2.0'\ninstances: [oops\n");
    const error = errorOf(() => loadConfig(env()));
    expect(error.message).toMatch(
      new RegExp(`^config file ${path} is not valid YAML: .+ at line \\d+, column \\d+:$`),
    );
    expect(error.hint).toBe("fix the file, or move it away and swcli writes a fresh one");
    expect(readFileSync(path, "utf8")).toBe("version: '2.0'\ninstances: [oops\n");
  });

  it("names the field that is wrong", () => {
    mkdirSync(join(home, "conf"));
    writeFileSync(path, "version: '2.0'\ncurrent_instance: local\ninstances:\n  dev: { type: cloud }\n");
    expect(errorOf(() => loadConfig(env())).message).toBe(
      `config file ${path}: instances.dev.uri: Invalid input: expected string, received undefined`,
    );
    writeFileSync(path, "- a list\n");
    expect(errorOf(() => loadConfig(env())).message).toBe(`config file ${path} must be a YAML mapping`);
  });

  it("says when the config can't be written", () => {
    writeFileSync(join(home, "conf"), "a file where a directory should be");
    expect(errorOf(() => loadConfig(env())).message).toBe(
      `can't write config file ${path}: a parent of it is not a directory`,
    );
  });
});

describe("finding instances", () => {
  function configWith(instances: Record<string, string>, current = "local"): CliConfig {
    mkdirSync(join(home, "conf"), { recursive: true });
    const entries = Object.entries(instances).map(
      ([alias, uri]) => `  ${alias}: { uri: "${uri}", type: cloud }`,
    );
    writeFileSync(path, `version: "2.0"\ncurrent_instance: ${current}\ninstances:\n${entries.join("\n")}\n`);
    return loadConfig(env());
  }

  it("restores a missing local instance in memory", () => {
    expect(findInstance(configWith({ dev: "http://127.0.0.1:8082" }), "local")).toMatchObject({
      alias: "local",
      local: true,
    });
  });

  it("finds by alias, or by URL when one alias has it", () => {
    const config = configWith({ dev: "http://127.0.0.1:8082", prod: "https://hub.example.com/" });
    expect(findInstance(config, "dev").alias).toBe("dev");
    expect(findInstance(config, "https://HUB.example.com").alias).toBe("prod");
    expect(findInstance(config, "127.0.0.1:8082").alias).toBe("dev");
    expect(findInstance(config, undefined).alias).toBe("local");
  });

  it("refuses a URL two aliases share, and an unknown alias", () => {
    const config = configWith({ a: "http://h:1", b: "http://h:1" });
    expect(errorOf(() => findInstance(config, "http://h:1"))).toEqual({
      message:
        'invalid URI "http://h:1": http://h:1 is configured under several aliases (a, b); use one of them',
      hint: undefined,
    });
    expect(errorOf(() => findInstance(config, "https://other.example.com")).message).toBe(
      'invalid URI "https://other.example.com": no instance is configured for https://other.example.com',
    );
    expect(errorOf(() => findInstance(config, "nope"))).toEqual({
      message: 'no instance "nope" is logged in',
      hint: "log in first: swcli instance login <url> --alias nope",
    });
  });

  it("explains a current_instance that isn't configured", () => {
    const config = configWith({}, "gone");
    expect(errorOf(() => currentInstance(config)).message).toBe(
      `the current instance "gone" is not in ${path}`,
    );
    expect(existsSync(path)).toBe(true);
  });
});
