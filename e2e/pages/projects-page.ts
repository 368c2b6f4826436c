import type { Locator, Page } from "@playwright/test";

export class ProjectsPage {
  readonly heading: Locator;
  readonly emptyState: Locator;
  readonly currentUser: Locator;
  readonly signOut: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1, name: "Projects" });
    this.emptyState = page.getByRole("region", { name: "No projects yet" });
    this.currentUser = page.getByTestId("current-user");
    this.signOut = page.getByRole("button", { name: "Sign out" });
  }

  async goto() {
    await this.page.goto("/projects");
  }
}
