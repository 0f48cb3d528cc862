// `npm run worker`: a process that only runs jobs (PostgreSQL + pg-boss). Start as many as you like,
// on any machine that reaches the database; they share one queue. SIGTERM/SIGINT stop taking jobs and
// let running ones finish (up to 30 s); a worker killed harder is detected by the heartbeat reaper of
// the others, and its job is re-queued (resuming from its checkpoint) or failed cleanly.
import "reflect-metadata";
import { openStore } from "@stratum/db";
import { createEventBus } from "./events/index.js";
import { createJobSystem, DEFAULT_SHARD_MIN_ROWS } from "./jobs/index.js";
import { defaultHandlers } from "./jobs/handlers/index.js";

function intEnv(key: string, fallback: number, min: number, max: number): number {
  const raw = process.env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${key}: expected an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL?.trim()) {
    console.error("worker: DATABASE_URL is not set. Workers share jobs through PostgreSQL; on the embedded default (PGlite) jobs run inside the API process, so no worker is needed.");
    process.exit(2);
  }
  const store = await openStore();
  const bus = await createEventBus(store);
  const jobs = await createJobSystem(store, bus, {
    // This process starts the job system, so it hands over the handlers (every kind, as the API).
    handlers: defaultHandlers(),
    queue: "pg-boss",
    work: true,
    concurrency: intEnv("STRATUM_WORKER_CONCURRENCY", 1, 1, 64),
    staleMs: intEnv("STRATUM_JOB_STALE_MS", 60_000, 1_000, 3_600_000), // 60 s
    heartbeatMs: intEnv("STRATUM_JOB_HEARTBEAT_MS", 5_000, 100, 600_000), // 5 s
    maxAttempts: intEnv("STRATUM_JOB_MAX_ATTEMPTS", 3, 1, 100),
    // An analysis of at least this many rows is split per class into shard jobs any worker takes;
    shardMinRows: intEnv("STRATUM_SHARD_MIN_ROWS", DEFAULT_SHARD_MIN_ROWS, 1, 2_000_000_000),
    // An embedding of at least that many rows is split into ranges of this many (default: half of it).
    ...(process.env.STRATUM_SHARD_ROWS?.trim() ? { shardRows: intEnv("STRATUM_SHARD_ROWS", 0, 1, 2_000_000_000) } : {}),
  });
  console.log(`worker ${process.pid}: taking ${jobs.runner.kinds().join(", ")} jobs`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`worker ${process.pid}: ${signal}, finishing running jobs`);
    await jobs.close();
    await bus.close();
    await store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error("worker: failed to start", error);
  process.exit(1);
});
