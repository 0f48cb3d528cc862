// Starts the API and the web app on a fresh embedded database (a new temp folder each run) and seeds
// the demo consortium with one known password for every account. Uses the lead's scripts/start.mjs
// (STRATUM_SKIP_BUILD=1: build first with `npx turbo run build --filter=@stratum/web...`).
//
// Env: E2E_API_PORT (4310), E2E_WEB_PORT (3310). Writes artifacts/e2e-state.json for the tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
export const E2E_PASSWORD = "stratum-e2e-password";

async function waitFor(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const start = Date.now();
  let last = "";
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`e2e: the server exited (${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`e2e: ${url} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const file of ["apps/server/dist/main.js", "apps/web/.next/BUILD_ID"]) {
    if (!existsSync(path.join(root, file))) {
      throw new Error(`e2e: ${file} is missing; build first: npx turbo run build --filter=@stratum/web...`);
    }
  }
  const apiPort = Number(process.env.E2E_API_PORT ?? 4310);
  const webPort = Number(process.env.E2E_WEB_PORT ?? 3310);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "stratum-e2e-"));
  mkdirSync(path.join(here, "artifacts"), { recursive: true });
  const env = {
    ...process.env,
    STRATUM_DATA_DIR: path.join(dataDir, "pglite"),
    STRATUM_FILES_DIR: path.join(dataDir, "files"),
    STRATUM_DEMO_PASSWORD: E2E_PASSWORD,
    STRATUM_SKIP_BUILD: "1",
    API_PORT: String(apiPort),
    WEB_PORT: String(webPort),
    CORS_ORIGINS: `http://localhost:${webPort}`,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete (env as Record<string, string | undefined>).DATABASE_URL; // always the fresh embedded database

  // Seed before the API opens the folder (PGlite is single-process). When the API seeds on start
  // itself, this finds a non-empty database or the API finds one: either way the demo is there once.
  const seedModule = path.join(root, "apps/server/dist/seed/demo.js");
  let seeded: unknown = null;
  if (existsSync(seedModule)) {
    await import("reflect-metadata"); // the server's modules carry TypeGraphQL decorators
    const { openStore } = (await import(pathToFileURL(path.join(root, "packages/db/dist/index.js")).href)) as typeof import("@stratum/db");
    const { seedDemoIfEmpty } = (await import(pathToFileURL(seedModule).href)) as { seedDemoIfEmpty: (s: unknown, o: unknown) => Promise<unknown> };
    const store = await openStore({ dataDir: env.STRATUM_DATA_DIR });
    try {
      seeded = await seedDemoIfEmpty(store, { filesDir: env.STRATUM_FILES_DIR, password: E2E_PASSWORD, log: (l: string) => console.log(`e2e seed: ${l}`) });
    } finally {
      await store.close();
    }
  } else {
    console.warn("e2e: apps/server/dist/seed/demo.js is missing; relying on the API to seed the demo.");
  }

  const logFile = path.join(here, "artifacts", "servers.log");
  const out = (await import("node:fs")).openSync(logFile, "w");
  const child = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], { cwd: root, env, stdio: ["ignore", out, out], detached: true });
  const apiUrl = `http://localhost:${apiPort}/graphql`;
  const webUrl = `http://localhost:${webPort}`;
  try {
    await waitFor(`http://localhost:${apiPort}/healthz`, 120_000, child);
    await waitFor(`${webUrl}/signin`, 120_000, child);
  } catch (e) {
    try { process.kill(-child.pid!, "SIGTERM"); } catch { /* already gone */ }
    throw new Error(`${e instanceof Error ? e.message : e}; see ${logFile}`);
  }
  process.env.E2E_WEB_URL = webUrl;
  process.env.E2E_API_URL = apiUrl;
  writeFileSync(path.join(here, "artifacts", "e2e-state.json"), JSON.stringify({ apiUrl, webUrl, dataDir, password: E2E_PASSWORD, seeded: seeded !== null }, null, 2));

  return async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch { /* already gone */ }
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
