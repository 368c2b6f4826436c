import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { admin, expect, test } from "./fixtures";
import { RuntimePages } from "./pages/runtime-pages";
import { shootBothThemes } from "./screenshots";
import { Api, runtimeBundle, unique } from "./seed";

const run = promisify(execFile);
const swcliBin = resolve(import.meta.dirname, "../apps/cli/bin/swcli.mjs");

/** Our swcli in a sandbox of its own: a temp HOME, config and local store. */
async function sandbox() {
  const home = await mkdtemp(join(tmpdir(), "swhub-e2e-swcli-"));
  const env = {
    ...process.env,
    HOME: home,
    SW_CLI_CONFIG: join(home, "config.yaml"),
    SW_LOCAL_STORAGE: join(home, "store"),
  };
  return {
    home,
    store: env.SW_LOCAL_STORAGE,
    swcli: (...args: string[]) => run(process.execPath, [swcliBin, ...args], { env, timeout: 60_000 }),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

test("a runtime copied in with swcli appears in the console, and the console's URL is a URI swcli reads", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("cli");
  await api.mutate("project.create", { name: project });
  const { token } = await api.mutate<{ token: string }>("token.create", { name: "e2e swcli" });
  const box = await sandbox();
  try {
    // A bundle in the local store, as `swcli runtime build` leaves it.
    const { version, bytes } = runtimeBundle("cli-env", { python: "3.11", packages: ["numpy==2.0.0"] });
    const dir = join(box.store, "self", "runtime", "cli-env", version.slice(0, 2));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${version}.swrt`), bytes);

    const base = process.env.SW_E2E_BASE_URL!;
    await box.swcli("instance", "login", base, "--alias", "hub", "--token", token);
    // Login makes the server current; the source is a local runtime.
    await box.swcli("instance", "select", "local");
    await box.swcli("runtime", "copy", `cli-env/version/${version}`, `cloud://hub/project/${project}`);

    await api.signInBrowser(context);
    const rt = new RuntimePages(page, project);
    await rt.gotoList();
    await expect(rt.runtimesTable.getByRole("link", { name: "cli-env" })).toBeVisible();
    await expect(rt.runtimesTable).toContainText(version.slice(0, 12));
    await rt.runtimesTable.getByRole("link", { name: version.slice(0, 12) }).click();
    await expect(page.getByTestId("version-id")).toHaveText(version);
    await shootBothThemes(page, "swcli-copied-version");

    // The address bar's URL names the version for swcli.
    const info = await box.swcli("-o", "json", "runtime", "info", page.url());
    expect(info.stdout).toContain(version);
  } finally {
    await box.cleanup();
  }
});
