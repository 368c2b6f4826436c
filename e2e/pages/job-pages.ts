import type { Locator, Page } from "@playwright/test";

const seg = encodeURIComponent;

/** The jobs list, the new build form and a job's page of one project. */
export class JobPages {
  constructor(
    readonly page: Page,
    readonly project: string,
  ) {}

  get jobsTable(): Locator {
    return this.page.getByRole("table", { name: "Jobs" });
  }
  get rows(): Locator {
    return this.jobsTable.getByTestId("job-row");
  }
  get state(): Locator {
    return this.page.getByRole("heading", { level: 1 }).getByTestId("job-state");
  }
  get log(): Locator {
    return this.page.getByRole("log", { name: "Job log" });
  }
  get reason(): Locator {
    return this.page.getByTestId("job-reason");
  }
  phase(name: string): Locator {
    return this.page.getByTestId(`phase-${name}`);
  }

  async gotoList(query = "") {
    await this.page.goto(`/projects/${seg(this.project)}/jobs${query}`);
  }
  async gotoJob(id: string) {
    await this.page.goto(`/projects/${seg(this.project)}/jobs/${seg(id)}`);
  }
  async gotoNewBuild() {
    await this.page.goto(`/projects/${seg(this.project)}/jobs/new`);
  }

  /** Fills the new build form: runtime.yaml typed in, files picked from disk, tags. */
  async fillBuild(input: { yaml: string; files?: string[]; tags?: string }) {
    await this.page.getByRole("textbox", { name: "runtime.yaml text" }).fill(input.yaml);
    if (input.files?.length) {
      await this.page.getByLabel("Add requirements files and wheels").setInputFiles(input.files);
    }
    if (input.tags) await this.page.getByRole("textbox", { name: /^Tags/ }).fill(input.tags);
  }
}
