import { defineConfig } from "vitest/config";

// Two tiers, told apart by file name: `*.test.ts` is pure, `*.int.test.ts` talks to real services.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "int",
          include: ["{apps,packages}/*/src/**/*.int.test.ts", "scripts/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ["./scripts/vitest-int-setup.ts"],
        },
      },
    ],
  },
});
