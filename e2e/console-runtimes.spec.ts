import { admin, expect, test } from "./fixtures";
import { RuntimePages } from "./pages/runtime-pages";
import { shootBothThemes } from "./screenshots";
import { Api, unique } from "./seed";

/*
 * Versions arrive through Starwhale's upload route (what `swcli runtime copy` to a server sends): our own swcli's
 * remote copy is not on main yet.
 */
test("a runtime copied in appears; tag it, diff two versions, remove and recover", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("ml");
  await api.mutate("project.create", { name: project });
  const v0 = await api.uploadRuntime(project, "torch-env", {
    python: "3.10",
    packages: ["numpy==1.26.4", "torch==2.1.0", "six==1.16.0", "Pillow==9.5.0"],
  });
  const v1 = await api.uploadRuntime(project, "torch-env", {
    python: "3.11",
    cuda: "12.1",
    packages: ["numpy==2.0.0", "torch==2.0.1", "six==1.16.0", "scipy==1.13.0", "pillow==10.0.0rc1"],
  });
  await api.uploadRuntime(project, "sklearn-env", { python: "3.11", packages: ["scikit-learn==1.5.0"] });
  await api.signInBrowser(context);
  const rt = new RuntimePages(page, project);

  // The list: both runtimes, the latest version's short id, search and the empty result.
  await rt.gotoList();
  await expect(rt.runtimesTable.getByRole("link", { name: "torch-env" })).toBeVisible();
  await expect(rt.runtimesTable).toContainText(v1.slice(0, 12));
  await expect(page.getByTestId("runtime-count")).toHaveText("2 runtimes");
  await shootBothThemes(page, "runtimes");
  await page.getByRole("searchbox", { name: "Search by name" }).fill("tor");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\?q=tor$/);
  await expect(page.getByTestId("runtime-count")).toHaveText("1 runtime");
  await page.getByRole("searchbox", { name: "Search by name" }).fill("zzz");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "No runtimes match" })).toBeVisible();
  // The owner filter suggests the project's members, and finds what each one committed.
  await rt.gotoList();
  const owner = page.getByRole("combobox", { name: "Owner" });
  await expect(page.getByTestId("owner-suggestions").locator("option")).toHaveAttribute("value", admin.name);
  await owner.fill(admin.name);
  await owner.press("Enter");
  await expect(page).toHaveURL(new RegExp(`owner=${admin.name}`));
  await expect(page.getByTestId("runtime-count")).toHaveText("2 runtimes");
  await owner.fill("nobody-here");
  await owner.press("Enter");
  await expect(page.getByRole("heading", { name: "No runtimes match" })).toBeVisible();
  await rt.gotoList("?sort=name&order=desc");
  await expect(rt.runtimesTable.locator("tbody tr").first()).toContainText("torch-env");

  // History: tag v0 inline with the keyboard, then take the tag off again.
  await rt.runtimesTable.getByRole("link", { name: "torch-env" }).click();
  await expect(rt.versionsTable).toBeVisible();
  await rt.addTag("v0", "stable");
  await expect(rt.versionRow("v0").getByRole("list", { name: "Tags of v0" })).toContainText("stable");
  await rt.addTag("v1", "stable");
  await expect(rt.versionRow("v1").getByRole("alert")).toContainText('Tag "stable" is already on version');
  await shootBothThemes(page, "history");
  // The tag moves from v0 to v1 on request; then take it off again.
  await rt.versionRow("v1").getByRole("button", { name: "Move “stable” to v1" }).click();
  await expect(rt.versionRow("v1").getByRole("list", { name: "Tags of v1" })).toContainText("stable");
  await expect(rt.versionRow("v0")).not.toContainText("stable");
  await page.getByRole("button", { name: "Remove tag stable from v1" }).click();
  await expect(rt.versionRow("v1")).not.toContainText("stable");

  // The version page: its URI, the swcli command and every tab.
  await rt.gotoVersion("torch-env", v1);
  const uri = `${process.env.SW_E2E_BASE_URL}/project/${project}/runtime/torch-env/version/${v1}`;
  await expect(page.getByTestId("version-uri")).toHaveText(uri);
  await expect(page.getByTestId("copy-command")).toHaveText(`swcli runtime copy ${uri} .`);
  // Enabled for a maintainer exactly when the server has a registry (global-setup gives it test-all.sh's one).
  const buildImage = page.getByRole("button", { name: "Build image", exact: true });
  if (process.env.SW_TEST_REGISTRY) await expect(buildImage).toBeEnabled();
  else await expect(buildImage).toBeDisabled();
  await expect(page.getByText("CUDA")).toBeVisible();
  await shootBothThemes(page, "version-overview");
  await page.getByRole("link", { name: "runtime.yaml" }).click();
  await expect(page.getByText("name: torch-env")).toBeVisible();
  await page.getByRole("link", { name: "Lock" }).click();
  await expect(page.getByRole("table", { name: /Packages in/ })).toContainText("scipy");
  await shootBothThemes(page, "version-lock");
  await page.getByRole("link", { name: "Manifest" }).click();
  await expect(page.getByText(`version: ${v1}`)).toBeVisible();
  await page.getByRole("link", { name: "Files" }).click();
  await expect(page.getByRole("table", { name: "Files" })).toContainText("_manifest.yaml");

  // The diff: v0 → v1 by default from the version page's "Compare…".
  await rt.gotoVersion("torch-env", v1);
  await page.getByRole("link", { name: "Compare…" }).click();
  await expect(page.getByTestId("diff-counts")).toContainText("2 upgraded");
  await expect(page.getByTestId("diff-counts")).toContainText("1 downgraded");
  await expect(page.getByTestId("diff-counts")).toContainText("1 added");
  await expect(page.getByTestId("environment-changes")).toContainText("Python");
  await expect(page.getByTestId("environment-changes")).toContainText("3.11");
  await expect(page.getByTestId("environment-changes")).toContainText("CUDA");
  await expect(rt.packageChanges.locator('tr[data-kind="upgraded"]', { hasText: "numpy" })).toContainText(
    "major",
  );
  await expect(rt.packageChanges.locator('tr[data-kind="upgraded"]', { hasText: "pillow" })).toContainText(
    "10.0.0rc1",
  );
  await shootBothThemes(page, "diff");
  await page.getByRole("button", { name: /^Downgraded/ }).click();
  await expect(rt.packageChanges.locator("tbody tr")).toHaveCount(1);
  await expect(rt.packageChanges).toContainText("torch");
  // Swapped, the same changes read the other way.
  await page.getByRole("link", { name: "Swap the two versions" }).click();
  await expect(page.getByTestId("diff-counts")).toContainText("1 upgraded");
  await expect(page.getByTestId("diff-counts")).toContainText("1 removed");
  // A version that does not exist: the server's message, not a blank page.
  await rt.gotoDiff("torch-env", `?from=v0&to=v9`);
  await expect(page.locator("main").getByRole("alert")).toContainText("v9");

  // Remove v1: v0 becomes latest; show removed, recover it.
  await rt.gotoHistory("torch-env");
  await rt.confirm("Remove v1", "Remove");
  await expect(rt.versionRow("v1")).toHaveCount(0);
  await expect(rt.versionRow("v0")).toContainText("latest");
  await page.getByRole("link", { name: "Show removed versions" }).click();
  await expect(rt.versionRow("v1")).toContainText("removed");
  await rt.confirm("Recover v1", "Recover");
  await expect(rt.versionRow("v1")).toContainText("latest");

  // Remove the whole runtime: gone from the list until "Show removed"; recover it from its page.
  await rt.confirm("Remove runtime", "Remove");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("removed");
  await rt.gotoList();
  await expect(rt.runtimesTable.getByRole("link", { name: "torch-env" })).toHaveCount(0);
  await page.getByLabel("Show removed").check();
  await expect(page).toHaveURL(/removed=1/);
  await expect(rt.runtimesTable.getByRole("row", { name: /torch-env/ })).toContainText("removed");
  await rt.runtimesTable.getByRole("link", { name: "torch-env" }).click();
  await rt.confirm("Recover runtime", "Recover");
  await expect(rt.versionRow("v1")).toContainText("latest");
  expect(v0).not.toBe(v1);
});

test("the console works on a phone-sized screen", async ({ page, context }) => {
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("phone");
  await api.mutate("project.create", { name: project });
  await api.uploadRuntime(project, "tiny-env", {
    python: "3.11",
    packages: ["six==1.16.0"],
    tags: ["stable"],
  });
  await api.signInBrowser(context);
  await page.setViewportSize({ width: 390, height: 844 });
  const rt = new RuntimePages(page, project);
  await rt.gotoList();
  await expect(rt.runtimesTable.getByRole("link", { name: "tiny-env" })).toBeVisible();
  // Nothing wider than the screen: the table scrolls inside its box, the page does not.
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await shootBothThemes(page, "phone-runtimes");
  await rt.gotoHistory("tiny-env");
  await expect(rt.versionsTable).toBeVisible();
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await shootBothThemes(page, "phone-history");
});
