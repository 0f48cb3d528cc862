// EMBED: runs @stratum/embed's streaming pipeline over a dataset version's samples with the set's
// ONNX model. Each batch's vectors and failures are written in their own transaction (idempotent:
// ON CONFLICT DO NOTHING) and the checkpoint is the count of positions settled, so a killed worker's
// successor skips every sample already stored and goes on. The set turns COMPLETE in ctx.commit.
import type { SqlClient } from "@stratum/db";
import { resolveSampleUri, type ConsortiumRef, type StorageConfig } from "../../storage/resolve-uri.js";
import type { JobContext, JobHandler } from "../types.js";
import { JobCancelledError, JobInputError } from "../types.js";
import { NOW_UTC } from "@stratum/db";
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
    await sql.query(
      `INSERT INTO "EmbeddingVector" ("setId", "sampleId", vector)
       SELECT $1, s, decode(h, 'hex') FROM unnest($2::int[], $3::text[]) AS t(s, h) ON CONFLICT DO NOTHING`,
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
  await sql.query(`UPDATE "EmbeddingSet" SET count = (SELECT count(*) FROM "EmbeddingVector" WHERE "setId" = $1) WHERE id = $1`, [setId]);
}

export const embedHandler: JobHandler = {
  kind: "EMBED",

  async onStart(sql, job) {
    await sql.query(`UPDATE "EmbeddingSet" SET status = 'RUNNING' WHERE id = $1`, [payloadId(job, "setId")]);
  },

  async onEnd(sql, job) {
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
    const samples = (
      await sql.query<{ sampleId: number; uri: string | null }>(
        `SELECT s.id AS "sampleId", s.uri FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId"
         WHERE d."versionId" = $1 ORDER BY d.position`,
        [set.datasetVersionId],
      )
    ).rows;
    const settled = new Set<string>(
      (
        await sql.query<{ sampleId: number }>(
          `SELECT "sampleId" FROM "EmbeddingVector" WHERE "setId" = $1 UNION SELECT "sampleId" FROM "EmbeddingFailure" WHERE "setId" = $1`,
          [setId],
        )
      ).rows.map((r) => String(r.sampleId)),
    );
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
        model: { path: set.filePath, config: set.config },
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
    await ctx.commit(async (tx) => {
      const count = Number(
        (await tx.query<{ n: string }>(`SELECT count(*) AS n FROM "EmbeddingVector" WHERE "setId" = $1`, [setId])).rows[0]?.n ?? 0,
      );
      // A set where every image failed is not an embedding set: fail the job (its failures stay listed)
      // instead of a COMPLETE set with no vectors that analyses and runs would then refuse one by one.
      if (count === 0) {
        // counted in the store, so failures of an earlier attempt (a resumed job) count too
        const failures = Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM "EmbeddingFailure" WHERE "setId" = $1`, [setId])).rows[0]?.n ?? 0);
        if (failures > 0) throw new JobInputError("NO_VECTORS", "samples", `embedding set ${setId}: none of the ${failures} samples could be embedded; see the set's failures`);
      }
      await tx.query(`UPDATE "EmbeddingSet" SET status = 'COMPLETE', count = $2, "completedAt" = ${NOW_UTC} WHERE id = $1`, [setId, count]);
      return { setId, count, failed, resumedFrom };
    });
  },
};
