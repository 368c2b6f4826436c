import { admin, expect, test } from "./fixtures";
import { shootBothThemes } from "./screenshots";
import { Api, unique } from "./seed";

test("an owner creates a project, invites a member, changes their role and makes the project public", async ({
  page,
  context,
}) => {
  const api = await Api.signIn(admin.name, admin.password);
  const bob = await api.createUser(unique("bob"));
  await api.signInBrowser(context);
  const project = unique("vision");

  await page.goto("/projects");
  await page.getByLabel("Project name").fill(project);
  await page.getByLabel("Description").fill("Runtimes of the vision team");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/runtimes$`));
  await expect(page.getByRole("heading", { name: "No runtimes yet" })).toBeVisible();
  await expect(page.getByText(`cloud://SERVER/project/${project}`)).toBeVisible();
  await shootBothThemes(page, "runtimes-empty");

  // The same name again is refused, readably.
  await page.goto("/projects");
  await page.getByLabel("Project name").fill(project);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText(`Project "${project}" already exists`);
  await expect(page.getByRole("link", { name: project })).toBeVisible();
  await shootBothThemes(page, "projects");

  await page.goto(`/projects/${project}/members`);
  await page.getByLabel("User name").fill("nobody-here");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText('User "nobody-here" not found');

  await page.getByLabel("User name").fill(bob.name);
  await page.getByLabel("Role", { exact: true }).selectOption("guest");
  await page.getByRole("button", { name: "Invite" }).click();
  const bobRow = page.getByTestId(`member-${bob.name}`);
  await expect(bobRow.getByLabel(`Role of ${bob.name}`)).toHaveValue("guest");
  await bobRow.getByLabel(`Role of ${bob.name}`).selectOption("maintainer");
  await page.reload();
  await expect(bobRow.getByLabel(`Role of ${bob.name}`)).toHaveValue("maintainer");
  await shootBothThemes(page, "members");

  // The last owner can't be demoted: the server says why.
  await page.getByTestId(`member-${admin.name}`).getByLabel(`Role of ${admin.name}`).selectOption("guest");
  await expect(page.getByTestId(`member-${admin.name}`).getByRole("alert")).toContainText("last owner");

  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel(/Public/).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await expect(page.getByTestId("project-name").locator("..")).toContainText("Public");
  await shootBothThemes(page, "settings");
});
