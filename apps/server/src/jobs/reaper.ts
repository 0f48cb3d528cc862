// Crash safety. A worker that dies stops beating; after `staleMs` its RUNNING job is either put back
// in the queue (attempts < maxAttempts; handlers resume from their checkpoint) or marked FAILED with
// its domain row. Handlers write their results in one final transaction, so a dead worker never leaves
// half a run behind: at worst it leaves an EMBED set's finished batches, which the next attempt skips.
import type { JobKind, SqlClient, Store } from "@stratum/db";
import { NOW_UTC } from "@stratum/db";
import type { JobRunner } from "./runner.js";
import type { JobHandler, JobRecord } from "./types.js";
import { cancelShards } from "./shards.js";

export interface ReaperOptions {
  /** A RUNNING job whose heartbeat is older than this is presumed dead. */
  staleMs?: number;
  /** Attempts (claims) allowed before a job whose worker keeps dying is FAILED. */
  maxAttempts?: number;
}

export const DEFAULT_STALE_MS = 60_000; // 60 s: 12 missed heartbeats
export const DEFAULT_MAX_ATTEMPTS = 3;

interface StaleRow {
  id: number;
  consortiumId: number;
  kind: JobKind;
  attempts: number;
  payload: Record<string, unknown>;
  createdById: number | null;
  cancelRequested: boolean;
  parentId: number | null;
}

export interface ReapResult {
  requeued: number[];
  failed: number[];
}

/**
 * Finds RUNNING jobs with a stale heartbeat (all of them when `all` — the single in-process worker at
 * start-up knows any RUNNING job is an orphan). Safe to run in many processes at once: each stale row
 * is locked and handled by exactly one of them. Never the jobs `runner` itself is running: their
 * heartbeat is late because this process was busy (a long synchronous step holds its timers back,
 * the reaper's as well), not because it died; other processes still reap them if it does die.
 */
export async function reapStaleJobs(
  store: Store,
  runner: JobRunner,
  handlers: ReadonlyMap<JobKind, JobHandler>,
  options: ReaperOptions & { all?: boolean } = {},
): Promise<ReapResult> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const result: ReapResult = { requeued: [], failed: [] };
  const finals: { job: JobRecord; status: "QUEUED" | "FAILED" | "CANCELLED"; error: string | null }[] = [];
  await store.transaction(async (sql: SqlClient) => {
    const r = await sql.query<StaleRow>(
      `SELECT id, "consortiumId", kind, attempts, payload, "createdById", "cancelRequested", "parentId" FROM "Job"
       WHERE status = 'RUNNING' AND NOT (id = ANY($1::int[]))
         ${options.all ? "" : `AND "heartbeatAt" < ${NOW_UTC} - make_interval(secs => $2)`}
       ORDER BY id FOR UPDATE SKIP LOCKED`,
      options.all ? [[...runner.running]] : [[...runner.running], staleMs / 1000],
    );
    for (const row of r.rows) {
      const job: JobRecord = {
        id: row.id,
        consortiumId: row.consortiumId,
        kind: row.kind,
        status: "RUNNING",
        payload: row.payload ?? {},
        checkpoint: null,
        attempt: row.attempts,
        createdById: row.createdById,
        parentId: row.parentId ?? null,
      };
      const handler = handlers.get(row.kind);
      if (row.cancelRequested) {
        await sql.query(`UPDATE "Job" SET status = 'CANCELLED', phase = 'cancelled', "finishedAt" = ${NOW_UTC} WHERE id = $1`, [row.id]);
        await cancelShards(sql, row.id);
        await handler?.onEnd?.(sql, job, "CANCELLED", null);
        finals.push({ job, status: "CANCELLED", error: null });
        result.failed.push(row.id);
      } else if (row.attempts < maxAttempts) {
        await sql.query(`UPDATE "Job" SET status = 'QUEUED', phase = 'requeued', rate = 0 WHERE id = $1`, [row.id]);
        await sql.query(`UPDATE "SelectionRun" SET status = 'QUEUED', phase = 'requeued' WHERE "jobId" = $1`, [row.id]);
        await sql.query(`UPDATE "ConfounderAnalysis" SET status = 'QUEUED' WHERE "jobId" = $1`, [row.id]);
        await sql.query(`UPDATE "EmbeddingSet" SET status = 'PENDING' WHERE "jobId" = $1`, [row.id]);
        finals.push({ job, status: "QUEUED", error: null });
        result.requeued.push(row.id);
      } else {
        const error = `WORKER_LOST: the worker stopped responding (no heartbeat for ${Math.round(staleMs / 1000)} s) on attempt ${row.attempts} of ${maxAttempts}`;
        await sql.query(
          `UPDATE "Job" SET status = 'FAILED', phase = 'failed', error = $2, "finishedAt" = ${NOW_UTC} WHERE id = $1`,
          [row.id, error],
        );
        await cancelShards(sql, row.id);
        await handler?.onEnd?.(sql, job, "FAILED", error);
        finals.push({ job, status: "FAILED", error });
        result.failed.push(row.id);
      }
    }
  });
  for (const f of finals) {
    await runner.publish(f.job, {
      status: f.status,
      phase: f.status === "QUEUED" ? "requeued" : f.status === "FAILED" ? "failed" : "cancelled",
      error: f.error,
      final: f.status !== "QUEUED",
    });
  }
  return result;
}

/** QUEUED jobs of the given kinds, oldest first (start-up recovery of the in-process queue). */
export async function queuedJobIds(store: Store, kinds: JobKind[]): Promise<number[]> {
  if (kinds.length === 0) return [];
  const r = await store.sql.query<{ id: number }>(
    `SELECT id FROM "Job" WHERE status = 'QUEUED' AND kind::text = ANY($1::text[]) ORDER BY id`,
    [kinds],
  );
  return r.rows.map((row) => row.id);
}
