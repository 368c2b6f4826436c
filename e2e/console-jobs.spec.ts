import { admin, expect, test } from "./fixtures";
import { runtimeYaml, seedBuild } from "./jobs-seed";
import { JobPages } from "./pages/job-pages";
import { shootBothThemes } from "./screenshots";
import { Api, unique } from "./seed";

test("the jobs list: every job with its state, paged, filtered by state, readable on a phone", async ({
  page,
  context,
}) => {
  test.setTimeout(150_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("jobs");
  await api.mutate("project.create", { name: project });
  // Eleven builds that fail fast (runtime.yaml names a file the context lacks) and one that succeeds.
  const broken = runtimeYaml("broken-env", "  - requirements.txt\n");
  for (let i = 0; i < 11; i++) await seedBuild(api, project, "broken-env", { "runtime.yaml": broken });
  const good = await seedBuild(api, project, "good-env", {
    "runtime.yaml": runtimeYaml("good-env", "  - pip: [e2e-beta]\n"),
  });
  await api.signInBrowser(context);
  const jobs = new JobPages(page, project);

  await jobs.gotoList("?size=10");
  await expect(page.getByTestId("job-count")).toHaveText("12 jobs");
  await expect(jobs.rows).toHaveCount(10);
  // Newest first: the good build leads, and the page refreshes itself until it is done.
  await expect(jobs.rows.first()).toContainText(`#${good}`);
  await expect(jobs.rows.first()).toContainText("good-env");
  await expect(jobs.rows.first()).toContainText("Succeeded", { timeout: 90_000 });
  await expect(jobs.rows.nth(1)).toContainText("Failed");
  await shootBothThemes(page, "jobs");

  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(jobs.rows).toHaveCount(2);

  await page.getByRole("link", { name: "Succeeded" }).click();
  await expect(page.getByTestId("job-count")).toHaveText("1 job");
  await expect(page.getByRole("link", { name: "Succeeded" })).toHaveAttribute("aria-current", "page");
  await page.getByRole("link", { name: "Cancelled" }).click();
  await expect(page.getByRole("heading", { name: "No jobs match" })).toBeVisible();

  // A failed one's page says why, from the first lines of its log.
  await jobs.gotoList("?state=failed");
  await jobs.rows.first().getByRole("link").first().click();
  await expect(jobs.reason).toContainText("requirements.txt");

  // A job shows only under its own project: another project's URL with its id is not found.
  const other = unique("other");
  await api.mutate("project.create", { name: other });
  await new JobPages(page, other).gotoJob(good);
  await expect(page.getByRole("alert", { name: "Not found" })).toContainText(`Job ${good} not found`);
  await expect(page.getByRole("log", { name: "Job log" })).toHaveCount(0);

  // A guest reads the list but gets no build button.
  const guest = await api.createUser(unique("guest"));
  await api.mutate("member.add", { project, userName: guest.name, role: "guest" });
  const guestApi = await Api.signIn(guest.name, guest.password);
  await context.clearCookies();
  await guestApi.signInBrowser(context);
  await jobs.gotoList();
  await expect(jobs.rows).toHaveCount(12);
  await expect(page.getByRole("link", { name: "New build" })).toHaveCount(0);
  // ... and a failed job's page without retry or cancel; the form itself says why not.
  await jobs.gotoList("?state=failed");
  await jobs.rows.first().getByRole("link").first().click();
  await expect(jobs.reason).toBeVisible();
  await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await jobs.gotoNewBuild();
  await expect(page.getByRole("alert", { name: "Not allowed" })).toContainText(
    "needs the maintainer or owner role",
  );

  // Phone width: the table keeps job, state and progress.
  await page.setViewportSize({ width: 390, height: 844 });
  await jobs.gotoList();
  await expect(jobs.rows.first().getByTestId("job-state")).toBeVisible();
  await shootBothThemes(page, "jobs-phone");
});
