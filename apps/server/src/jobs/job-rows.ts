// Creating and cancelling Job rows: services call these inside their own transaction (with the audit
// row), then hand the id to the queue after commit.
import type { JobKind, SqlClient } from "@stratum/db";
import { NOW_UTC } from "@stratum/db";

export interface CreateJobInput {
  consortiumId: number;
  kind: JobKind;
  payload: Record<string, unknown>;
  createdById: number | null;
  total?: number;
}

export async function createJob(sql: SqlClient, input: CreateJobInput): Promise<number> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO "Job" ("consortiumId", kind, payload, "createdById", total) VALUES ($1, $2::"JobKind", $3::jsonb, $4, $5) RETURNING id`,
    [input.consortiumId, input.kind, JSON.stringify(input.payload), input.createdById, input.total ?? 0],
  );
  return (r.rows[0] as { id: number }).id;
}

/**
 * Asks a job to stop. A QUEUED job is CANCELLED at once (returns "CANCELLED"); a RUNNING one stops at
 * its next step (returns "REQUESTED"); a finished one is left alone (returns its status).
 */
export async function requestCancel(sql: SqlClient, jobId: number): Promise<"CANCELLED" | "REQUESTED" | "SUCCEEDED" | "FAILED"> {
  const r = await sql.query<{ status: string }>(`SELECT status FROM "Job" WHERE id = $1 FOR UPDATE`, [jobId]);
  const status = r.rows[0]?.status;
  if (status === "QUEUED") {
    await sql.query(
      `UPDATE "Job" SET status = 'CANCELLED', "cancelRequested" = true, phase = 'cancelled', "finishedAt" = ${NOW_UTC} WHERE id = $1`,
      [jobId],
    );
    return "CANCELLED";
  }
  if (status === "RUNNING") {
    await sql.query(`UPDATE "Job" SET "cancelRequested" = true WHERE id = $1`, [jobId]);
    await flagShardsCancelled(sql, jobId);
    return "REQUESTED";
  }
  if (status === "CANCELLED") return "CANCELLED";
  return (status ?? "FAILED") as "SUCCEEDED" | "FAILED";
}

/**
 * With a parent's cancel request: its shards stop too, each at its next step (a QUEUED one when it is
 * claimed), so the parent does not wait for a shard it is running to finish (jobs/shards.ts).
 */
export async function flagShardsCancelled(sql: SqlClient, parentId: number): Promise<void> {
  await sql.query(`UPDATE "Job" SET "cancelRequested" = true WHERE "parentId" = $1 AND status IN ('QUEUED', 'RUNNING')`, [parentId]);
}
