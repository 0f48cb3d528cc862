// Sharded jobs (issue 13, scale-out). A job over a large version splits its work into shard jobs:
// ordinary Job rows of the same kind with "parentId" set, handed to the queue so that any worker
// (`npm run worker`) can take one through pg-boss. Each shard is claimed, heart-beaten, re-queued after
// a crash and fenced by its attempt number exactly like a job; it stores what it computed in
// "JobShardOutput" in the transaction that marks it SUCCEEDED. The parent:
//   1. creates its shards once (a retried parent finds those of its earlier attempt, with their outputs);
//   2. while shards are QUEUED, claims and runs them itself (so one worker alone still finishes, and a
//      parent never sits idle holding a worker slot); otherwise waits for the others, summing their
//      progress into its own;
//   3. reads every output and commits its result, deleting the outputs in that same transaction.
// A shard that fails for good fails the parent; a cancelled or failed parent cancels its shards.
// A handler whose output is rows of its own tables (EMBED: each shard's vectors, split by row range)
// passes { outputs: false }: its shards write those rows, idempotently, and mark themselves SUCCEEDED
// with ctx.commit; the parent then commits only the whole (handlers/embed.ts).
import { NOW_UTC, type SqlClient, type Store } from "@stratum/db";
import { JobCancelledError, type JobRecord } from "./types.js";

export interface ShardSpec {
  /** Stable name of the shard inside its parent (e.g. the class label); also its payload's `shard`. */
  key: string;
  /** Extra payload fields for the shard (the parent's payload is copied under them). */
  payload?: Record<string, unknown>;
  /** Items the shard will do, when known before it starts (its row's total): summed progress counts it at once. */
  total?: number;
}

export interface RunShardsOptions {
  /**
   * false: the shards store their results in the handler's own tables and commit with ctx.commit, so
   * there is no JobShardOutput to read (run returns an empty map). Default true.
   */
  outputs?: boolean;
  /** The parent's progress phase while its shards run (default "shards"). */
  phase?: string;
}

export interface ShardState {
  key: string;
  jobId: number;
  status: string;
  phase: string;
  done: number;
  total: number;
  attempts: number;
}

/** What a handler sees of sharding (ctx.shards). */
export interface ShardApi {
  /**
   * Rows at or above which a handler should split its work (STRATUM_SHARD_MIN_ROWS on the worker; default
   * 100,000 on pg-boss, never on the in-process queue, where shards would run one after another anyway).
   */
  readonly minRows: number;
  /**
   * Rows per shard for handlers that split by row range (EMBED): STRATUM_SHARD_ROWS on the worker, default
   * half of minRows (so a version at the threshold makes two shards).
   */
  readonly rows: number;
  /** This job is a shard: its key (payload.shard), or null. */
  readonly key: string | null;
  /**
   * In the parent: creates the shards (once), runs or awaits them all and returns each one's output by key.
   * Throws when a shard FAILED or was CANCELLED (the parent then fails; the reason names the shard), or
   * JobCancelledError when the shard was cancelled with the parent (jobCancel flags both).
   */
  run(specs: ShardSpec[], options?: RunShardsOptions): Promise<Map<string, Uint8Array>>;
  /** In a shard: marks it SUCCEEDED together with storing its output (one transaction). */
  commitOutput(data: Uint8Array, result?: Record<string, unknown>): Promise<void>;
}

export class ShardFailedError extends Error {
  override name = "ShardFailedError";
}

/** The parent's part, with what it needs from the runner and the execution passed in. */
export interface ShardHost {
  store: Store;
  job: JobRecord;
  /** Hands a QUEUED shard to the queue (pg-boss: any worker), after the transaction that made it commits. */
  enqueue(jobId: number): Promise<void>;
  /** Claims and runs a shard in this process; returns false when another worker already had it. */
  runHere(jobId: number): Promise<boolean>;
  progress(phase: string, done: number, total: number, partial?: Record<string, unknown>): void;
  step(): Promise<void>;
  pollMs: number;
}

/** Creates the parent's shard rows if it has none yet; returns every shard, in key order of specs. */
export async function ensureShards(store: Store, job: JobRecord, specs: ShardSpec[]): Promise<{ states: ShardState[]; created: boolean }> {
  if (specs.length === 0) throw new Error("ensureShards: expected at least one shard");
  const keys = new Set(specs.map((s) => s.key));
  if (keys.size !== specs.length) throw new Error("ensureShards: shard keys must be distinct");
  return store.transaction(async (sql) => {
    // The parent's row lock: two attempts of one parent (a presumed-dead one still running) never both create.
    await sql.query(`SELECT id FROM "Job" WHERE id = $1 FOR UPDATE`, [job.id]);
    let states = await shardStates(sql, job.id);
    let created = false;
    if (states.length === 0) {
      for (const spec of specs) {
        await sql.query(
          `INSERT INTO "Job" ("consortiumId", kind, payload, "createdById", "parentId", total) VALUES ($1, $2::"JobKind", $3::jsonb, $4, $5, $6)`,
          [job.consortiumId, job.kind, JSON.stringify({ ...job.payload, ...spec.payload, shard: spec.key }), job.createdById, job.id, spec.total ?? 0],
        );
      }
      states = await shardStates(sql, job.id);
      created = true;
    }
    const have = new Set(states.map((s) => s.key));
    for (const k of keys) if (!have.has(k)) throw new Error(`job ${job.id}: its shards (${[...have].join(", ")}) do not match this attempt's (${[...keys].join(", ")})`);
    return { states, created };
  });
}

export async function shardStates(sql: SqlClient, parentId: number): Promise<ShardState[]> {
  const r = await sql.query<ShardState>(
    `SELECT payload->>'shard' AS key, id AS "jobId", status::text AS status, phase, done, total, attempts
     FROM "Job" WHERE "parentId" = $1 ORDER BY id`,
    [parentId],
  );
  return r.rows;
}

export async function runShards(host: ShardHost, specs: ShardSpec[], options: RunShardsOptions = {}): Promise<Map<string, Uint8Array>> {
  const { store, job } = host;
  const { states } = await ensureShards(store, job, specs);
  // Sent on every attempt: a queue message lost with a crashed parent is sent again (a duplicate finds
  // the shard claimed or done and is skipped).
  for (const s of states) if (s.status === "QUEUED") await host.enqueue(s.jobId);
  let reported = "";
  /** Sums the shards' progress into the parent's; returns the states it read. */
  const report = async (): Promise<ShardState[]> => {
    const now = await shardStates(store.sql, job.id);
    const done = now.reduce((a, s) => a + (s.status === "SUCCEEDED" ? Math.max(s.done, s.total, 1) : s.done), 0);
    const total = now.reduce((a, s) => a + Math.max(s.total, s.done, 1), 0);
    const shards = now.map((s) => ({ key: s.key, jobId: s.jobId, status: s.status, phase: s.phase, done: s.done, total: s.total }));
    // Only when something moved: a parent waiting on other workers polls every pollMs, and an
    // unchanged event would be one more for every subscriber.
    const state = JSON.stringify(shards);
    if (state !== reported) {
      reported = state;
      host.progress(options.phase ?? "shards", done, total, { shards, shardsDone: now.filter((s) => s.status === "SUCCEEDED").length, shardCount: now.length });
    }
    return now;
  };
  for (;;) {
    const now = await report();
    const bad = now.find((s) => s.status === "FAILED" || s.status === "CANCELLED");
    if (bad) {
      const row = await store.sql.query<{ error: string | null }>(`SELECT error FROM "Job" WHERE id = $1`, [bad.jobId]);
      // A shard cancelled because the parent was (jobCancel flags both): the parent ends CANCELLED, not FAILED.
      const parent = await store.sql.query<{ cancelRequested: boolean }>(`SELECT "cancelRequested" FROM "Job" WHERE id = $1`, [job.id]);
      if (bad.status === "CANCELLED" && parent.rows[0]?.cancelRequested) throw new JobCancelledError(`job ${job.id} was cancelled`);
      throw new ShardFailedError(`shard ${bad.key} (job ${bad.jobId}) ${bad.status.toLowerCase()}${row.rows[0]?.error ? `: ${row.rows[0].error}` : ""}`);
    }
    await host.step();
    if (now.every((s) => s.status === "SUCCEEDED")) break;
    const queued = now.find((s) => s.status === "QUEUED");
    if (queued) {
      // The parent's own progress keeps moving while it runs a shard here (and the other workers' too).
      let reading: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        reading ??= report().catch(() => undefined).finally(() => (reading = undefined));
      }, host.pollMs);
      try {
        await host.runHere(queued.jobId);
      } finally {
        clearInterval(timer);
        await reading;
      }
      continue;
    }
    await new Promise((r) => setTimeout(r, host.pollMs));
  }
  const out = new Map<string, Uint8Array>();
  if (options.outputs === false) return out;
  const r = await store.sql.query<{ key: string; data: Uint8Array }>(
    `SELECT j.payload->>'shard' AS key, o.data FROM "Job" j JOIN "JobShardOutput" o ON o."jobId" = j.id WHERE j."parentId" = $1`,
    [job.id],
  );
  for (const row of r.rows) out.set(row.key, row.data);
  for (const s of specs) if (!out.has(s.key)) throw new ShardFailedError(`shard ${s.key} of job ${job.id} succeeded without an output`);
  return out;
}

/** In the parent's commit transaction: the outputs have served (the shard rows stay as the record). */
export async function dropShardOutputs(sql: SqlClient, parentId: number): Promise<void> {
  await sql.query(`DELETE FROM "JobShardOutput" o USING "Job" j WHERE o."jobId" = j.id AND j."parentId" = $1`, [parentId]);
}

/** With the parent's FAILED/CANCELLED mark: its shards stop (QUEUED ones at once, RUNNING ones at their next step). */
export async function cancelShards(sql: SqlClient, parentId: number): Promise<void> {
  await sql.query(
    `UPDATE "Job" SET status = 'CANCELLED', "cancelRequested" = true, phase = 'cancelled', "finishedAt" = ${NOW_UTC}
     WHERE "parentId" = $1 AND status = 'QUEUED'`,
    [parentId],
  );
  await sql.query(`UPDATE "Job" SET "cancelRequested" = true WHERE "parentId" = $1 AND status = 'RUNNING'`, [parentId]);
  await sql.query(`DELETE FROM "JobShardOutput" o USING "Job" j WHERE o."jobId" = j.id AND j."parentId" = $1`, [parentId]);
}
