// Starts the API and the web app on a fresh embedded database (a new temp folder each run) and seeds
// the demo consortium with one known password for every account. Uses the lead's scripts/start.mjs
// (STRATUM_SKIP_BUILD=1: build first with `npx turbo run build --filter=@stratum/web...`), which
// seeds the demo itself.
//
// Env: E2E_API_PORT (4310), E2E_WEB_PORT (3310). Writes artifacts/e2e-state.json for the tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

async function waitForLog(file: string, pattern: RegExp, timeoutMs: number, child: ChildProcess): Promise<void> {
  const { readFileSync } = await import("node:fs");
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (pattern.test(readFileSync(file, "utf8"))) return;
    if (child.exitCode !== null) throw new Error(`e2e: the server exited (${child.exitCode}) before printing ${pattern}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`e2e: the server did not print ${pattern} within ${timeoutMs / 1000} s`);
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
    // The curator test starts the demo embedding itself, so its progress bar is watched live from start.
    STRATUM_SEED_EMBED: "false",
    STRATUM_SKIP_BUILD: "1",
    API_PORT: String(apiPort),
    WEB_PORT: String(webPort),
    CORS_ORIGINS: `http://localhost:${webPort}`,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete (env as Record<string, string | undefined>).DATABASE_URL; // always the fresh embedded database

  // The API seeds the demo consortium on an empty database at start (STRATUM_SEED_DEMO, default on)
  // with STRATUM_DEMO_PASSWORD for every account, and queues the demo embedding jobs.
  const logFile = path.join(here, "artifacts", "servers.log");
  const out = (await import("node:fs")).openSync(logFile, "w");
  const child = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], { cwd: root, env, stdio: ["ignore", out, out], detached: true });
  const apiUrl = `http://localhost:${apiPort}/graphql`;
  const webUrl = `http://localhost:${webPort}`;
  try {
    await waitFor(`http://localhost:${apiPort}/healthz`, 120_000, child);
    await waitFor(`${webUrl}/signin`, 120_000, child);
    // The API listens before it has seeded the demo; it prints this line when the accounts exist.
    await waitForLog(logFile, /Demo consortium ready/, 180_000, child);
  } catch (e) {
    try { process.kill(-child.pid!, "SIGTERM"); } catch { /* already gone */ }
    throw new Error(`${e instanceof Error ? e.message : e}; see ${logFile}`);
  }
  process.env.E2E_WEB_URL = webUrl;
  process.env.E2E_API_URL = apiUrl;
  writeFileSync(path.join(here, "artifacts", "e2e-state.json"), JSON.stringify({ apiUrl, webUrl, dataDir, password: E2E_PASSWORD }, null, 2));

  return async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch { /* already gone */ }
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
