// End-to-end tests in Debian's Chromium (never `npx playwright install`) against a live API and web
// app on a fresh embedded database; global-setup.ts starts both and seeds the demo consortium.
import { defineConfig } from "@playwright/test";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  // WebGL without a GPU runs on SwiftShader; Chromium now asks for this flag before using it.
  "--enable-unsafe-swiftshader",
];

export default defineConfig({
  testDir: "./tests",
  outputDir: "./artifacts/test-results",
  globalSetup: "./global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "artifacts/results.json" }]],
  use: {
    baseURL: process.env.E2E_WEB_URL ?? "http://localhost:3310",
    viewport: { width: 1440, height: 900 },
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    },
  },
});
