import { admin, expect, test } from "./fixtures";
import { shootBothThemes } from "./screenshots";

test("a user signs in, creates an API token that is shown once, and revokes it", async ({
  page,
  signInPage,
}) => {
  await signInPage.goto();
  await signInPage.signIn(admin.name, admin.password);
  await expect(page).toHaveURL(/\/projects$/);

  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();

  // A token without a name is refused with the server's reason, and nothing is created.
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText(
    "Name the token after where it is used",
  );

  await page.getByLabel("Token name").fill("laptop");
  await page.getByLabel("Expires").selectOption({ label: "In 30 days" });
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByTestId("new-token-secret");
  await expect(secret).toHaveText(/^swh_/);
  const token = (await secret.textContent())!;
  const row = page.getByTestId("token-laptop");
  await expect(row).toContainText("active");
  await shootBothThemes(page, "account-token-created");

  // The token works as a Bearer credential until it is revoked.
  const me = () =>
    fetch(`${process.env.SW_E2E_BASE_URL}/api/trpc/auth.me`, {
      headers: { authorization: `Bearer ${token}` },
    });
  expect((await me()).status).toBe(200);

  // Shown once: after a reload only its prefix is left.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(row).toContainText(token.slice(0, 10));

  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await me()).status).toBe(401);
  await shootBothThemes(page, "account-token-revoked");
});
