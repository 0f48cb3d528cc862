// Creating an embedding set and its EMBED job: plain SQL with no GraphQL types, so the mutation and
// the demo seed share it without the seed loading TypeGraphQL.
import type { SqlClient } from "@stratum/db";
import { createJob } from "../../jobs/enqueue.js";
/**
 * Creates (or re-arms a FAILED) embedding set and its QUEUED EMBED job, inside the caller's transaction.
 * The caller enqueues jobId after commit. Shared by the embeddingSetStart mutation and the demo seed.
 */
export async function queueEmbeddingSetJob(
  sql: SqlClient,
  args: { consortiumId: number; modelId: number; versionId: number; dim: number; total: number; createdById: number | null; restartSetId?: number | null },
): Promise<{ setId: number; jobId: number }> {
  const jobId = await createJob(sql, { consortiumId: args.consortiumId, kind: "EMBED", payload: {}, createdById: args.createdById, total: args.total });
  let setId: number;
  if (args.restartSetId) {
    await sql.query(`UPDATE "EmbeddingSet" SET status = 'PENDING', "jobId" = $2 WHERE id = $1`, [args.restartSetId, jobId]);
    setId = args.restartSetId;
  } else {
    const r = await sql.query<{ id: number }>(
      `INSERT INTO "EmbeddingSet" ("modelId", "datasetVersionId", dim, "jobId") VALUES ($1, $2, $3, $4) RETURNING id`,
      [args.modelId, args.versionId, args.dim, jobId],
    );
    setId = r.rows[0]!.id;
  }
  await sql.query(`UPDATE "Job" SET payload = $2::jsonb WHERE id = $1`, [jobId, JSON.stringify({ setId })]);
  return { setId, jobId };
}
