import type { Locator, Page } from "@playwright/test";

export class SignInPage {
  readonly name: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.name = page.getByLabel("User name");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Sign in" });
    // Scoped to the form: Next.js has its own (empty) alert region for route announcements.
    this.error = page.locator("form").getByRole("alert");
  }

  async goto() {
    await this.page.goto("/signin");
  }

  async signIn(name: string, password: string) {
    await this.name.fill(name);
    await this.password.fill(password);
    await this.submit.click();
  }
}
