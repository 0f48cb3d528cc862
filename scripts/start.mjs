#!/usr/bin/env node
// `npm start`: builds what is not built yet (turbo's cache makes this quick after the first time), then
// runs the GraphQL API on :4000 and the web app on :3000 on the configured storage — the embedded PGlite
// folder .stratum/ by default, PostgreSQL when DATABASE_URL is set. The API seeds a demo consortium on an
// empty database and prints how to sign in.
//
// Production by default (issue 12, finding 4): NODE_ENV=production for both processes — no stack traces
// or introspection, Secure cookies when reached over HTTPS. `npm run dev` (this script with --dev) runs
// both in development instead: Next's dev server (no production build), the API with stack traces and
// introspection.
//
// The web app runs through apps/web/server.mjs (not `next start`), which writes the browser's real
// address into x-stratum-client-ip for the API's login throttling (docs/security.md, "Login and proxies").
//
// Env: API_PORT (4000), WEB_PORT (3000), STRATUM_DATA_DIR, DATABASE_URL, STRATUM_SKIP_BUILD=1.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serverNodeFlags } from "../apps/server/node-flags.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const apiPort = process.env.API_PORT ?? "4000";
const webPort = process.env.WEB_PORT ?? "3000";
const dev = process.argv.includes("--dev");
const nodeEnv = dev ? "development" : "production";
const env = {
  ...process.env,
  NODE_ENV: nodeEnv,
  NEXT_TELEMETRY_DISABLED: "1",
  TURBO_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
};

if (process.env.STRATUM_SKIP_BUILD !== "1") {
  console.log("stratum: building (cached after the first run)…");
  // Development skips the web app's production build (Next's dev server compiles on demand) but still
  // needs its typed GraphQL documents (git-ignored src/gql), generated from the server's printed schema.
  const steps = dev
    ? [
        ["npx", ["turbo", "run", "build", "--output-logs=errors-only", "--filter=!@stratum/web"]],
        ["npm", ["run", "codegen", "-w", "@stratum/web"]],
      ]
    : [["npx", ["turbo", "run", "build", "--output-logs=errors-only"]]];
  for (const [command, args] of steps) {
    // The build itself always runs as production (Next refuses a non-standard NODE_ENV in next build).
    const build = spawnSync(command, args, { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
    if (build.status !== 0) {
      console.error("stratum: build failed; see the output above.");
      process.exit(build.status ?? 1);
    }
  }
}

const children = [];
function run(name, command, args, extraEnv, cwd = root) {
  const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: "inherit" });
  child.on("exit", (code, signal) => {
    if (shuttingDown) return;
    console.error(`stratum: ${name} exited (${signal ?? code}); stopping.`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let shuttingDown = false;
function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 5_000).unref(); // give PGlite time to flush
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on("exit", r))))).then(() =>
    process.exit(code),
  );
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

run("api", process.execPath, [...serverNodeFlags, "apps/server/dist/main.js"], { PORT: apiPort, WEB_ORIGIN: `http://localhost:${webPort}` });
run("web", process.execPath, ["server.mjs", "-p", webPort, ...(dev ? ["--dev"] : [])], { NEXT_PUBLIC_API_URL: `http://localhost:${apiPort}/graphql` }, path.join(root, "apps/web"));
console.log(`stratum: ${nodeEnv}\nstratum: API  http://localhost:${apiPort}/graphql\nstratum: web  http://localhost:${webPort}`);
