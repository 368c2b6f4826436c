import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (set PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 when installing).
export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "./artifacts/test-results",
  globalSetup: "./global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "./artifacts/results.json" }]],
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
    },
  },
  projects: [
    // The first-start spec sees the system as a new install does (no projects yet), so it runs before the rest.
    { name: "first-start", testMatch: "smoke.spec.ts", use: { browserName: "chromium" } },
    {
      name: "chromium",
      testIgnore: "smoke.spec.ts",
      dependencies: ["first-start"],
      use: { browserName: "chromium" },
    },
  ],
});
