import type { Locator, Page } from "@playwright/test";

const seg = encodeURIComponent;

/** The runtimes list, a runtime's history, a version's tabs and the diff page of one project. */
export class RuntimePages {
  constructor(
    readonly page: Page,
    readonly project: string,
  ) {}

  get runtimesTable(): Locator {
    return this.page.getByRole("table", { name: "Runtimes" });
  }
  get versionsTable(): Locator {
    return this.page.getByRole("table", { name: "Versions" });
  }
  get packageChanges(): Locator {
    return this.page.getByRole("table", { name: "Package changes" });
  }

  async gotoList(query = "") {
    await this.page.goto(`/projects/${seg(this.project)}/runtimes${query}`);
  }
  async gotoHistory(name: string, query = "") {
    await this.page.goto(`/projects/${seg(this.project)}/runtimes/${seg(name)}${query}`);
  }
  async gotoVersion(name: string, version: string, tab = "overview") {
    await this.page.goto(
      `/projects/${seg(this.project)}/runtimes/${seg(name)}/versions/${seg(version)}/${tab}`,
    );
  }
  async gotoDiff(name: string, query = "") {
    await this.page.goto(`/projects/${seg(this.project)}/runtimes/${seg(name)}/diff${query}`);
  }

  /** A version's row in the history table, by its `vN`. */
  versionRow(alias: string): Locator {
    return this.page.getByTestId(`version-${alias}`);
  }

  async addTag(alias: string, tag: string) {
    await this.page.getByRole("button", { name: `Add a tag to ${alias}` }).click();
    await this.page.getByLabel(`New tag for ${alias}`).fill(tag);
    await this.page.keyboard.press("Enter");
  }

  /** Presses an action that asks first ("Remove v1"), then confirms it. */
  async confirm(action: string, confirmLabel: string) {
    await this.page.getByRole("button", { name: action, exact: true }).click();
    await this.page.getByRole("button", { name: confirmLabel, exact: true }).click();
  }
}
