import { admin, expect, test } from "./fixtures";
import { runtimeYaml, seedBuild } from "./jobs-seed";
import { JobPages } from "./pages/job-pages";
import { shootBothThemes } from "./screenshots";
import { Api, unique } from "./seed";

test("a build whose dependency can't be installed fails with a readable reason; retry runs it again", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("broken");
  await api.mutate("project.create", { name: project });
  await api.signInBrowser(context);
  const jobs = new JobPages(page, project);

  // A runtime.yaml that doesn't parse never leaves the browser: the parser's message says where.
  await jobs.gotoNewBuild();
  await jobs.fillBuild({ yaml: "name: broken\ndependencies:\n  - foo.out\n" });
  await expect(page.getByText(/dependencies\[0\]: unsupported entry "foo.out"/).first()).toBeVisible();
  await page.getByRole("button", { name: "Start build" }).click();
  await expect(page.getByTestId("build-error")).toContainText('unsupported entry "foo.out"');
  await expect(page).toHaveURL(/\/jobs\/new$/);

  // One pip can't find: the job fails, and says why.
  await jobs.fillBuild({ yaml: runtimeYaml("broken", "  - pip: [e2e-nowhere]\n") });
  await page.getByRole("button", { name: "Start build" }).click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 20_000 });
  await expect(jobs.state).toHaveText("Failed", { timeout: 90_000 });
  await expect(jobs.reason).toContainText("The job failed");
  await expect(jobs.reason).toContainText(/e2e-nowhere/i);
  await expect(jobs.phase("install")).toHaveAttribute("data-status", "stopped");
  await expect(jobs.log).toContainText(/e2e-nowhere/i);
  await expect(page.getByRole("link", { name: "Open the version" })).toHaveCount(0);
  await shootBothThemes(page, "job-failed");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await shootBothThemes(page, "job-failed-phone");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Retry: the same request runs again from scratch, and fails the same way.
  await page.getByRole("button", { name: "Retry" }).click();
  await expect(jobs.log).toContainText(`queued again (retried by ${admin.name})`);
  await expect(jobs.state).toHaveText("Failed", { timeout: 90_000 });
  await expect(jobs.reason).toContainText(/e2e-nowhere/i);
});

test("cancel a queued build from its page, then retry it: it runs and succeeds", async ({
  page,
  context,
}) => {
  test.setTimeout(150_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("cancel");
  await api.mutate("project.create", { name: project });
  // The worker runs one build at a time: with three ahead of it, the last one waits in the queue.
  const yaml = (name: string) => ({ "runtime.yaml": runtimeYaml(name, "  - pip: [e2e-alpha]\n") });
  for (let i = 0; i < 3; i++) await seedBuild(api, project, `ahead-${i}`, yaml(`ahead-${i}`));
  const waiting = await seedBuild(api, project, "waiting", yaml("waiting"));
  await api.signInBrowser(context);
  const jobs = new JobPages(page, project);

  await jobs.gotoJob(waiting);
  await expect(jobs.state).toHaveText("Queued");
  await expect(page.getByText("Waiting for a worker to pick this job up…")).toBeVisible();
  // Keyboard: the confirm button takes focus, Enter confirms.
  await page.getByRole("button", { name: "Cancel job" }).click();
  await expect(page.getByRole("button", { name: "Yes, cancel" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(jobs.state).toHaveText("Cancelled");
  await expect(jobs.reason).toContainText(`cancelled by ${admin.name}`);

  await page.getByRole("button", { name: "Retry" }).click();
  await expect(jobs.state).toHaveText(/Queued|Running/);
  await expect(jobs.state).toHaveText("Succeeded", { timeout: 120_000 });
  await expect(page.getByRole("link", { name: "Open the version" })).toBeVisible();
});
