import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWheel } from "@swhub/runtime/testing/python";
import { admin, expect, test } from "./fixtures";
import { runtimeYaml } from "./jobs-seed";
import { JobPages } from "./pages/job-pages";
import { shootBothThemes } from "./screenshots";
import { Api, unique } from "./seed";

/*
 * The worker builds offline: e2e-alpha (which needs e2e-beta) comes from the wheel directory global-setup gives it
 * as SW_BUILD_FIND_LINKS; e2e-gamma is a wheel the user adds in the form, carried in the build context.
 */
test("submit a build in the console, watch it stream live, reload mid-way, open the version", async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("build");
  await api.mutate("project.create", { name: project });
  await api.signInBrowser(context);
  const dir = await mkdtemp(join(tmpdir(), "swhub-e2e-wheel-"));
  const gamma = await buildWheel(dir, { name: "e2e-gamma", version: "0.3" });
  const jobs = new JobPages(page, project);

  try {
    // From the empty jobs list to the form, by keyboard-reachable links.
    await jobs.gotoList();
    await expect(page.getByRole("heading", { name: "No jobs yet" })).toBeVisible();
    await page.getByRole("link", { name: "New build" }).click();
    await expect(page.getByRole("heading", { name: "New build", level: 1 })).toBeVisible();

    await jobs.fillBuild({
      yaml: runtimeYaml("web-built", "  - pip: [e2e-alpha]\n  - wheels: [e2e_gamma-0.3-py3-none-any.whl]\n"),
      tags: "nightly",
    });
    // The form reads runtime.yaml: the name fills in, and the wheel it names is not added yet.
    await expect(page.getByRole("textbox", { name: "Runtime name" })).toHaveValue("web-built");
    const named = page.getByRole("list", { name: "Files runtime.yaml names" });
    await expect(named).toContainText("e2e_gamma-0.3-py3-none-any.whl, missing");
    await page.getByRole("button", { name: "Start build" }).click();
    await expect(page.getByTestId("build-error")).toContainText(
      "runtime.yaml names e2e_gamma-0.3-py3-none-any.whl, which is not added yet",
    );
    await expect(page.getByTestId("build-error")).toBeFocused();
    await page.getByLabel("Add requirements files and wheels").setInputFiles([gamma]);
    await expect(named).toContainText("e2e_gamma-0.3-py3-none-any.whl, added");
    await expect(page.getByTestId("build-error")).toHaveCount(0);
    await shootBothThemes(page, "new-build");

    // The first chunk's connection drops: the form asks the server where the upload stands and goes on.
    let dropped = 0;
    await page.route("**/api/projects/*/uploads/*", (route) =>
      route.request().method() === "PATCH" && dropped++ === 0
        ? route.abort("connectionreset")
        : route.fallback(),
    );
    await page.getByRole("button", { name: "Start build" }).click();
    await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 20_000 });
    expect(dropped).toBe(2);
    await page.unrouteAll();
    const jobUrl = page.url();

    // Live: the worker's first lines arrive while the job runs.
    await expect(jobs.log).toContainText("fetching the build context", { timeout: 30_000 });
    await expect(page.getByTestId("job-connection")).toHaveText(/Live|Finished/);
    const stateBeforeReload = await jobs.state.textContent();

    // A reload replays what happened so far and keeps following.
    await page.reload();
    await expect(jobs.log).toContainText("fetching the build context");
    await expect(jobs.state).toHaveText("Succeeded", { timeout: 120_000 });
    for (const phase of ["prepare", "resolve", "install", "lock", "pack", "publish"]) {
      await expect(jobs.phase(phase)).toHaveAttribute("data-status", "done");
    }
    await expect(page.getByTestId("job-percent")).toHaveText("100%");
    await expect(page.getByTestId("job-connection")).toHaveText("Finished");
    await expect(jobs.log).toContainText(/e2e.alpha/i);
    await expect(jobs.log).toContainText("publishing");
    test.info().annotations.push({ type: "state before reload", description: stateBeforeReload ?? "" });
    await shootBothThemes(page, "job-succeeded");

    // A finished job shows its whole log on a fresh load too, then the version it made.
    await page.goto(jobUrl);
    await expect(jobs.log).toContainText("fetching the build context");
    await expect(jobs.log).toContainText("publishing");
    await expect(page.getByTestId("job-result")).toContainText("tagged nightly");
    await page.getByRole("link", { name: "Open the version" }).click();
    await expect(page).toHaveURL(
      new RegExp(`/projects/${project}/runtimes/web-built/versions/[a-z2-7]+/overview$`),
    );
    await expect(page.getByText("e2e-alpha").first()).toBeVisible();

    // The list has it, finished, with its creator and runtime.
    await jobs.gotoList();
    await expect(jobs.rows).toHaveCount(1);
    await expect(jobs.rows.first()).toContainText("Succeeded");
    await expect(jobs.rows.first()).toContainText("web-built");
    await expect(jobs.rows.first()).toContainText(admin.name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
