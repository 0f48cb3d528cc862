// The job system of one process: handlers + runner + a queue adapter chosen by storage.
//   PGlite   → in-process queue (jobs run in the API process)
//   Postgres → pg-boss; `npm run worker` processes work, and the API works too unless told not to.
// It imports no handler: the process that starts it (src/live.ts for the API, worker.ts) hands them
// over, so modules/ (whose services the handlers call) can import jobs/ without a way back. Services
// enqueue through jobs/enqueue.ts.
import type { JobKind, Store } from "@stratum/db";
import type { EventBus } from "../events/index.js";
import { InProcessJobQueue } from "./in-process.js";
import { PgBossJobQueue } from "./pg-boss.js";
import { JobRunner, type RunnerOptions } from "./runner.js";
import type { ReaperOptions } from "./reaper.js";
import type { JobHandler, JobQueue } from "./types.js";

export * from "./types.js";
export { JobRunner, type RunOutcome, type RunnerOptions } from "./runner.js";
export { reapStaleJobs, DEFAULT_STALE_MS, DEFAULT_MAX_ATTEMPTS, type ReaperOptions } from "./reaper.js";
export { InProcessJobQueue } from "./in-process.js";
export { PgBossJobQueue, QUEUE_NAME } from "./pg-boss.js";
export { createJob, requestCancel, type CreateJobInput } from "./job-rows.js";
export { ShardFailedError, shardStates, type RunShardsOptions, type ShardApi, type ShardSpec, type ShardState } from "./shards.js";

/** Default rows at or above which an analysis is split per class on pg-boss (STRATUM_SHARD_MIN_ROWS). */
export const DEFAULT_SHARD_MIN_ROWS = 100_000;

export interface JobSystemOptions extends RunnerOptions, ReaperOptions {
  /** "in-process" | "pg-boss"; default: pg-boss on Postgres, in-process on PGlite. */
  queue?: "in-process" | "pg-boss";
  /** Whether this process runs jobs (pg-boss only; the in-process queue always does). Default true. */
  work?: boolean;
  concurrency?: number;
  reapIntervalMs?: number;
  /** The kinds this process runs: `defaultHandlers()` (jobs/handlers) in the API and the worker; tests pick. */
  handlers: JobHandler[];
}

export interface JobSystem {
  readonly runner: JobRunner;
  readonly queue: JobQueue;
  close(): Promise<void>;
}

export async function createJobSystem(store: Store, bus: EventBus, options: JobSystemOptions): Promise<JobSystem> {
  const handlers = options.handlers;
  const byKind = new Map<JobKind, JobHandler>(handlers.map((h) => [h.kind, h]));
  const kind = options.queue ?? (store.kind === "postgres" ? "pg-boss" : "in-process");
  // Shards pay off only where other processes can take them: pg-boss. In-process they would run one
  // after another in this process, so by default nothing is sharded there.
  const runner = new JobRunner(store, bus, handlers, {
    ...options,
    shardMinRows: options.shardMinRows ?? (kind === "pg-boss" ? DEFAULT_SHARD_MIN_ROWS : Number.POSITIVE_INFINITY),
  });
  const queue: JobQueue =
    kind === "pg-boss"
      ? await PgBossJobQueue.open(store, runner, byKind, { ...options, work: options.work ?? true })
      : await InProcessJobQueue.open(store, runner, byKind, options);
  runner.enqueue = (jobId) => queue.enqueue(jobId);
  return {
    runner,
    queue,
    close: () => queue.close(),
  };
}
