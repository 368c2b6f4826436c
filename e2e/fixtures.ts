import { test as base } from "@playwright/test";
import { ProjectsPage } from "./pages/projects-page";
import { SignInPage } from "./pages/signin-page";

/** The running system's address and admin come from global-setup.ts, through the environment. */
export const test = base.extend<{ signInPage: SignInPage; projectsPage: ProjectsPage }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture dependencies from this pattern
  baseURL: async ({}, use) => use(process.env.SW_E2E_BASE_URL),
  signInPage: async ({ page }, use) => use(new SignInPage(page)),
  projectsPage: async ({ page }, use) => use(new ProjectsPage(page)),
});

export const admin = {
  get name() {
    return process.env.SW_E2E_ADMIN_USER!;
  },
  get password() {
    return process.env.SW_E2E_ADMIN_PASSWORD!;
  },
};

export { expect } from "@playwright/test";
