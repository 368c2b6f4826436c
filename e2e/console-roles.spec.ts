import type { Browser } from "@playwright/test";
import { admin, expect, test } from "./fixtures";
import { RuntimePages } from "./pages/runtime-pages";
import { Api, unique } from "./seed";

/** A page signed in as a user, in its own browser context. */
async function pageAs(browser: Browser, api: Api) {
  const context = await browser.newContext({ baseURL: process.env.SW_E2E_BASE_URL });
  await api.signInBrowser(context);
  return context.newPage();
}

test("each role sees what it may do, and an outsider sees nothing of a private project", async ({
  browser,
}) => {
  const owner = await Api.signIn(admin.name, admin.password);
  const project = unique("private");
  await owner.mutate("project.create", { name: project });
  const [guest, maintainer, outsider] = await Promise.all(
    ["guest", "maint", "outsider"].map((p) => owner.createUser(unique(p))),
  );
  await owner.mutate("member.add", { project, userName: guest!.name, role: "guest" });
  await owner.mutate("member.add", { project, userName: maintainer!.name, role: "maintainer" });
  const version = await owner.uploadRuntime(project, "secret-env", {
    python: "3.11",
    packages: ["numpy==2.0.0"],
    tags: ["prod"],
  });

  // A guest reads everything but is offered no change.
  const asGuest = new RuntimePages(
    await pageAs(browser, await Api.signIn(guest!.name, guest!.password)),
    project,
  );
  await asGuest.gotoHistory("secret-env");
  await expect(asGuest.versionRow("v0")).toContainText("prod");
  await expect(asGuest.page.getByRole("button", { name: /Add a tag/ })).toHaveCount(0);
  await expect(asGuest.page.getByRole("button", { name: /^Remove/ })).toHaveCount(0);
  await expect(asGuest.page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(asGuest.page.getByTestId("project-role")).toHaveText("You are guest");
  await asGuest.page.goto(`/projects/${project}/settings`);
  await expect(asGuest.page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await asGuest.page.goto(`/projects/${project}/members`);
  await expect(asGuest.page.getByRole("button", { name: "Invite" })).toHaveCount(0);

  // A maintainer tags and removes, but only an owner recovers.
  const asMaintainer = new RuntimePages(
    await pageAs(browser, await Api.signIn(maintainer!.name, maintainer!.password)),
    project,
  );
  await asMaintainer.gotoHistory("secret-env");
  await asMaintainer.addTag("v0", "checked");
  await expect(asMaintainer.versionRow("v0")).toContainText("checked");
  await asMaintainer.confirm("Remove v0", "Remove");
  await expect(asMaintainer.versionRow("v0")).toContainText("removed");
  await expect(asMaintainer.page.getByRole("button", { name: /^Recover/ })).toHaveCount(0);
  await owner.mutate("runtime.recover", { project, name: "secret-env", version });

  // An outsider neither lists the project nor reaches any of its pages, not even by URL.
  const asOutsider = new RuntimePages(
    await pageAs(browser, await Api.signIn(outsider!.name, outsider!.password)),
    project,
  );
  await asOutsider.page.goto("/projects");
  await expect(asOutsider.page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await expect(asOutsider.page.getByRole("link", { name: project })).toHaveCount(0);
  for (const go of [
    () => asOutsider.gotoList(),
    () => asOutsider.gotoHistory("secret-env"),
    () => asOutsider.gotoVersion("secret-env", version, "lock"),
    () => asOutsider.gotoDiff("secret-env", "?from=v0&to=v0"),
    () => asOutsider.page.goto(`/projects/${project}/members`),
  ]) {
    await go();
    await expect(asOutsider.page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(asOutsider.page.getByText("secret-env")).toHaveCount(0);
    await expect(asOutsider.page.getByText("numpy")).toHaveCount(0);
  }
});
