import { admin, expect, test } from "./fixtures";

const shot = (name: string) => ({ path: `e2e/artifacts/${name}.png`, fullPage: true });

test("the admin signs in, sees the empty projects page, and signs out", async ({
  page,
  signInPage,
  projectsPage,
}) => {
  await signInPage.goto();
  await expect(page).toHaveTitle("Sign in · swhub");
  await page.screenshot(shot("signin"));

  await signInPage.signIn(admin.name, "not the password");
  await expect(signInPage.error).toHaveText("Wrong user name or password");
  await expect(page).toHaveURL(/\/signin$/);
  await page.screenshot(shot("signin-wrong-password"));

  await signInPage.signIn(admin.name, admin.password);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(projectsPage.heading).toBeVisible();
  await expect(projectsPage.emptyState).toBeVisible();
  await expect(projectsPage.currentUser).toContainText(admin.name);
  await page.screenshot(shot("projects-empty"));
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot(shot("projects-empty-dark"));

  await projectsPage.signOut.click();
  await expect(page).toHaveURL(/\/signin$/);
  await projectsPage.goto();
  await expect(page).toHaveURL(/\/signin$/);
});

test("a signed-out visitor is sent to the sign-in page", async ({ page, projectsPage }) => {
  await projectsPage.goto();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { name: "Sign in to your console" })).toBeVisible();
});

test("the health endpoint reports the database and Redis", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ ok: true, database: { ok: true }, redis: { ok: true } });
});
