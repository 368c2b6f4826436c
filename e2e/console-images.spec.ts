import { admin, expect, test } from "./fixtures";
import { packedEnvBundle } from "./images";
import { RuntimePages } from "./pages/runtime-pages";
import { Api, unique } from "./seed";

/*
 * "Build image" on a version page: the worker pushes the image to the loopback registry test-all.sh starts
 * (SW_TEST_REGISTRY, set up in global-setup.ts), and the version page then shows its reference.
 */
test.skip(!process.env.SW_TEST_REGISTRY, "needs the loopback registry test-all.sh starts (SW_TEST_REGISTRY)");

test("a maintainer builds an image from the version page and sees its reference; a guest is told why not", async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(180_000);
  const api = await Api.signIn(admin.name, admin.password);
  const project = unique("img");
  await api.mutate("project.create", { name: project });
  const bundle = await packedEnvBundle("vision");
  await api.uploadBundle(project, "vision", bundle.version, bundle.bytes);
  await api.signInBrowser(context);
  const rt = new RuntimePages(page, project);

  await rt.gotoVersion("vision", bundle.version);
  await expect(page.getByTestId("version-image")).toHaveCount(0);
  await page.getByRole("button", { name: "Build image", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/jobs/\\d+$`));

  // The job page follows the run on the worker, then links back to the version, which shows the image.
  const reference = `/${project}/vision:${bundle.version}`;
  await expect(page.getByTestId("job-result")).toContainText(reference, { timeout: 150_000 });
  await page.getByRole("link", { name: "Open the version" }).click();
  await expect(page.getByTestId("version-image")).toHaveText(new RegExp(`${reference}$`));
  const images = page.getByRole("table", { name: "Images" });
  await expect(images).toContainText(`/${project}/vision:v0`);
  await expect(images).toContainText("linux/amd64");
  await expect(images).toContainText(/sha256:[0-9a-f]{12}/);
  await rt.gotoHistory("vision");
  await expect(rt.versionRow("v0")).toContainText(`/${project}/vision:`);

  // A guest sees the button off, with the reason.
  const guest = await api.createUser(unique("guest"));
  await api.mutate("member.add", { project, userName: guest.name, role: "guest" });
  const guestContext = await browser.newContext({ baseURL: process.env.SW_E2E_BASE_URL });
  await (await Api.signIn(guest.name, guest.password)).signInBrowser(guestContext);
  const guestPage = await guestContext.newPage();
  await new RuntimePages(guestPage, project).gotoVersion("vision", bundle.version);
  await expect(guestPage.getByRole("button", { name: "Build image", exact: true })).toBeDisabled();
  await expect(guestPage.getByText("Maintainers can build images.")).toBeVisible();
  await guestContext.close();
});
