// EMBED: runs @stratum/embed's streaming pipeline over a dataset version's samples with the set's
// ONNX model. Each batch's vectors and failures are written in their own transaction (idempotent:
// ON CONFLICT DO NOTHING) and the checkpoint is the count of positions settled, so a killed worker's
// successor skips every sample already stored and goes on. The set turns COMPLETE in ctx.commit.
// Scale-out (issue 13; jobs/shards.ts): a version of ≥ ctx.shards.minRows samples is split into shard
// jobs over contiguous ranges of its rows by position (ctx.shards.rows each), which any worker takes.
// A shard embeds its range exactly as above (batches straight into EmbeddingVector, resumable) and
// marks itself SUCCEEDED with ctx.commit once every row of its range is settled; there is no shard
// output to carry: the parent commits only the set's completion. A vector depends on its image alone
// (not on the batch it went in), so the set is the same bytes sharded or not (__tests__/embed-shards.test.ts).
import type { SqlClient } from "@stratum/db";
import { resolveSampleUri, type ConsortiumRef, type StorageConfig } from "../../storage/resolve-uri.js";
import type { JobContext, JobHandler } from "../types.js";
import { JobCancelledError, JobInputError } from "../types.js";
import { NOW_UTC } from "@stratum/db";
import { shardStates, type ShardSpec } from "../shards.js";
import { payloadId } from "./select.js";

interface SetRow {
  id: number;
  datasetVersionId: number;
  dim: number;
  kind: string;
  filePath: string | null;
  config: unknown;
  modelName: string;
}

/** What the pipeline reads for one sample. */
export type EmbedInput = { key: string; path?: string; array?: { path: string; array?: string; index: number } };

/**
 * Sample URI → embed input, resolved for the sample's consortium exactly as the image route does
 * (storage/resolve-uri.ts): a file, an upload, or `npz:<file>#<array>[<row>]` / `npy:<file>[<row>]`.
 * A refusal is a per-sample failure whose reason names the sample, never a server path.
 */
export async function inputFromUri(storage: StorageConfig, consortium: ConsortiumRef, key: string, uri: string | null): Promise<EmbedInput | { key: string; code: string; reason: string }> {
  if (!uri) return { key, code: "NO_URI", reason: `sample ${key}: expected a uri to read the image from, got none` };
  const r = await resolveSampleUri(storage, consortium, uri);
  if (!r.ok) {
    console.warn(`[embed] sample ${key}: ${r.code}: ${r.detail}`);
    return { key, code: r.code, reason: `sample ${key}: ${r.reason}` };
  }
  if (r.array) return { key, array: { path: r.path, ...(r.array.array ? { array: r.array.array } : {}), index: r.array.index } };
  return { key, path: r.path };
}

/** Reasons shown to members carry the sample id and the kind of problem; the decoder's text (with paths) goes to the log. */
const PUBLIC_REASONS: Record<string, string> = {
  READ_FAILED: "file not found or not readable",
  UNSUPPORTED_FORMAT: "not a readable image (unsupported format)",
  DECODE_FAILED: "not a readable image",
};

export function publicFailure(f: { key: string; code: string; reason: string }): { key: string; code: string; reason: string } {
  if (f.reason.startsWith(`sample ${f.key}: `)) return f; // ours, already without paths
  console.warn(`[embed] sample ${f.key}: ${f.code}: ${f.reason}`);
  return { key: f.key, code: f.code, reason: `sample ${f.key}: ${PUBLIC_REASONS[f.code] ?? "not a readable image"}` };
}

async function writeBatch(
  sql: SqlClient,
  setId: number,
  items: { key: string; vector: Float32Array }[],
  failures: { key: string; code: string; reason: string }[],
): Promise<void> {
  if (items.length) {
    // The set's count grows by the rows this batch really added (a retried batch adds none): exact while
    // shards write concurrently, and no count(*) over the whole set per batch.
    await sql.query(
      `WITH added AS (
         INSERT INTO "EmbeddingVector" ("setId", "sampleId", vector)
         SELECT $1, s, decode(h, 'hex') FROM unnest($2::int[], $3::text[]) AS t(s, h) ON CONFLICT DO NOTHING RETURNING 1
       )
       UPDATE "EmbeddingSet" SET count = count + (SELECT count(*)::int FROM added) WHERE id = $1`,
      [setId, items.map((i) => Number(i.key)), items.map((i) => Buffer.from(i.vector.buffer, i.vector.byteOffset, i.vector.byteLength).toString("hex"))],
    );
  }
  if (failures.length) {
    await sql.query(
      `INSERT INTO "EmbeddingFailure" ("setId", "sampleId", reason)
       SELECT $1, s, r FROM unnest($2::int[], $3::text[]) AS t(s, r) ON CONFLICT DO NOTHING`,
      [setId, failures.map((f) => Number(f.key)), failures.map((f) => { const p = publicFailure(f); return `${p.code}: ${p.reason}`; })],
    );
  }
}

/** A shard's rows: positions from ≤ p < to (to null: to the end) of the version. */
interface RowRange {
  from: number;
  to: number | null;
}

function rangeOf(payload: Record<string, unknown>): RowRange {
  const from = payload.from;
  const to = payload.to;
  if (!Number.isInteger(from) || !(to === null || Number.isInteger(to))) {
    throw new JobInputError("BAD_INPUT", "shard", `embedding shard: expected integer payload.from and payload.to (or null), got ${JSON.stringify({ from, to })}`);
  }
  return { from: from as number, to: to as number | null };
}

/**
 * The parent's shards: those of an earlier attempt if it made any (whatever this worker's settings), else
 * contiguous ranges of ctx.shards.rows rows by position when the version has ≥ minRows rows and more
 * than one range; null: embed here, unsharded.
 */
async function planShards(ctx: JobContext, versionId: number): Promise<ShardSpec[] | null> {
  const sql = ctx.store.sql;
  const earlier = await shardStates(sql, ctx.job.id);
  if (earlier.length > 0) return earlier.map((s) => ({ key: s.key }));
  const n = Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "DatasetVersionSample" WHERE "versionId" = $1`, [versionId])).rows[0]?.n ?? 0);
  const size = ctx.shards.rows;
  if (n < ctx.shards.minRows || !(n > size)) return null;
  // The first position of every range, in one pass over the version's (versionId, position) index.
  const starts = (
    await sql.query<{ position: number }>(
      `SELECT position FROM (SELECT position, row_number() OVER (ORDER BY position) - 1 AS i FROM "DatasetVersionSample" WHERE "versionId" = $1) t
       WHERE i % $2 = 0 ORDER BY position`,
      [versionId, size],
    )
  ).rows.map((r) => r.position);
  return starts.map((from, k) => {
    const to = starts[k + 1] ?? null;
    return { key: `${from}-${to ?? "end"}`, payload: { from, to }, total: Math.min(size, n - k * size) };
  });
}

export const embedHandler: JobHandler = {
  kind: "EMBED",

  async onStart(sql, job) {
    if (job.parentId !== null) return; // a shard: the parent owns the set
    await sql.query(`UPDATE "EmbeddingSet" SET status = 'RUNNING' WHERE id = $1`, [payloadId(job, "setId")]);
  },

  async onEnd(sql, job) {
    if (job.parentId !== null) return; // a failed shard fails its parent, which marks the set
    // Finished batches stay (they are valid and a retry skips them); the set is FAILED either way.
    await sql.query(`UPDATE "EmbeddingSet" SET status = 'FAILED' WHERE id = $1`, [payloadId(job, "setId")]);
  },

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const setId = payloadId(ctx.job, "setId");
    const set = (
      await sql.query<SetRow>(
        `SELECT s.id, s."datasetVersionId", s.dim, m.kind, m."filePath", m.config, m.name AS "modelName"
         FROM "EmbeddingSet" s JOIN "EmbeddingModel" m ON m.id = s."modelId" WHERE s.id = $1`,
        [setId],
      )
    ).rows[0];
    if (!set) throw new JobInputError("NOT_FOUND", "setId", `embedding set ${setId} does not exist`);
    if (set.kind !== "ONNX" || !set.filePath) {
      throw new JobInputError("NOT_RUNNABLE", "model", `model "${set.modelName}" is ${set.kind} without an ONNX file; its vectors must be uploaded`);
    }
    if (ctx.shards.key !== null) {
      // A shard: its range, then its SUCCEEDED mark (its rows are stored batch by batch already).
      const range = rangeOf(ctx.job.payload);
      const r = await embedRows(ctx, set, range);
      await ctx.commit(async () => ({ setId, shard: ctx.shards.key, from: range.from, to: range.to, rows: r.total, embedded: r.embedded, failed: r.failed, resumedFrom: r.resumedFrom }));
      return;
    }
    const plan = await planShards(ctx, set.datasetVersionId);
    let failed = 0;
    let resumedFrom = 0;
    if (plan) {
      await ctx.shards.run(plan, { outputs: false, phase: "embedding" });
    } else {
      const r = await embedRows(ctx, set, null);
      failed = r.failed;
      resumedFrom = r.resumedFrom;
    }
    await ctx.commit(async (tx) => {
      const count = Number(
        (await tx.query<{ n: string }>(`SELECT count(*) AS n FROM "EmbeddingVector" WHERE "setId" = $1`, [setId])).rows[0]?.n ?? 0,
      );
      // counted in the store, so failures of an earlier attempt (a resumed job) and of every shard count too
      const failures = async () => Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM "EmbeddingFailure" WHERE "setId" = $1`, [setId])).rows[0]?.n ?? 0);
      // A set where every image failed is not an embedding set: fail the job (its failures stay listed)
      // instead of a COMPLETE set with no vectors that analyses and runs would then refuse one by one.
      if (count === 0) {
        const n = await failures();
        if (n > 0) throw new JobInputError("NO_VECTORS", "samples", `embedding set ${setId}: none of the ${n} samples could be embedded; see the set's failures`);
      }
      await tx.query(`UPDATE "EmbeddingSet" SET status = 'COMPLETE', count = $2, "completedAt" = ${NOW_UTC} WHERE id = $1`, [setId, count]);
      if (plan) return { setId, count, failed: await failures(), shards: plan.length };
      return { setId, count, failed, resumedFrom };
    });
  },
};

/**
 * Embeds the version's rows (all, or one shard's range) that have neither a vector nor a failure yet,
 * batch by batch, each batch in its own transaction; reports progress over those rows.
 */
async function embedRows(ctx: JobContext, set: SetRow, range: RowRange | null): Promise<{ total: number; embedded: number; failed: number; resumedFrom: number }> {
  const sql = ctx.store.sql;
  const setId = set.id;
  const inRange = range ? ` AND d.position >= $2 AND ($3::int IS NULL OR d.position < $3::int)` : "";
  const rangeParams = range ? [range.from, range.to] : [];
  const samples = (
    await sql.query<{ sampleId: number; uri: string | null }>(
      `SELECT s.id AS "sampleId", s.uri FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId"
       WHERE d."versionId" = $1${inRange} ORDER BY d.position`,
      [set.datasetVersionId, ...rangeParams],
    )
  ).rows;
  const settledRows = range
    ? await sql.query<{ sampleId: number }>(
        `SELECT x."sampleId" FROM (SELECT "sampleId" FROM "EmbeddingVector" WHERE "setId" = $4 UNION ALL SELECT "sampleId" FROM "EmbeddingFailure" WHERE "setId" = $4) x
         JOIN "DatasetVersionSample" d ON d."sampleId" = x."sampleId" WHERE d."versionId" = $1${inRange}`,
        [set.datasetVersionId, range.from, range.to, setId],
      )
    : await sql.query<{ sampleId: number }>(
        `SELECT "sampleId" FROM "EmbeddingVector" WHERE "setId" = $1 UNION SELECT "sampleId" FROM "EmbeddingFailure" WHERE "setId" = $1`,
        [setId],
      );
  const settled = new Set<string>(settledRows.rows.map((r) => String(r.sampleId)));
  const total = samples.length;
  const resumedFrom = settled.size;
  ctx.progress("embedding", settled.size, total, { embedded: 0, failed: 0, skipped: settled.size });
  await ctx.step();

  const embed = await import("@stratum/embed");
  // The samples' own consortium (through their version's dataset), whose roots and uploads they may read.
  const consortium = (
    await sql.query<ConsortiumRef>(
      `SELECT c.id, c.slug FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId"
       JOIN "Project" p ON p.id = d."projectId" JOIN "Consortium" c ON c.id = p."consortiumId" WHERE v.id = $1`,
      [set.datasetVersionId],
    )
  ).rows[0];
  if (!consortium) throw new JobInputError("NOT_FOUND", "setId", `the version of embedding set ${setId} has no consortium`);
  const badUri: { key: string; code: string; reason: string }[] = [];
  const inputs: EmbedInput[] = [];
  for (const s of samples) {
    const key = String(s.sampleId);
    if (settled.has(key)) continue;
    const input = await inputFromUri(ctx.storage, consortium, key, s.uri);
    if ("code" in input) badUri.push(input);
    else inputs.push(input);
  }
  if (badUri.length) await ctx.store.transaction((tx) => writeBatch(tx, setId, [], badUri));
  let embedded = 0;
  let failed = badUri.length;
  let done = settled.size + badUri.length;
  try {
    for await (const batch of embed.embedImages({
      model: { path: set.filePath as string, config: set.config },
      inputs,
      total: inputs.length,
      signal: ctx.signal,
    })) {
      await ctx.store.transaction((tx) => writeBatch(tx, setId, batch.items, batch.failures));
      embedded += batch.items.length;
      failed += batch.failures.length;
      done += batch.items.length + batch.failures.length;
      ctx.progress("embedding", done, total, { embedded, failed, resumedFrom });
      await ctx.step({ settled: done });
    }
  } catch (error) {
    if (embed.isAbortError(error) || ctx.signal.aborted) {
      await ctx.step(); // throws JobCancelledError / LeaseLostError with the real reason
      throw new JobCancelledError(`embedding set ${setId} cancelled`);
    }
    throw error;
  }
  return { total, embedded, failed, resumedFrom };
}
