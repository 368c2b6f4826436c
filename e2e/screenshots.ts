import type { Page } from "@playwright/test";

/** Saves the page in the light and the dark theme (the OS setting, which the console follows by default). */
export async function shootBothThemes(page: Page, name: string) {
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `e2e/artifacts/${name}-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `e2e/artifacts/${name}-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
}
