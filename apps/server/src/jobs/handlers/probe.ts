// PROBE: the built-in linear probe for a selection run. Trains a logistic-regression probe on the
// run's selected samples' embeddings and tests it on the rest of the version's embedded pool; the
// test groups are label × site, so worst-group accuracy shows what a confounder costs. Writes the
// Evaluation rows (COMPUTED) in one transaction.
import * as engine from "@stratum/engine";
import { loadEmbeddingMatrix } from "@stratum/db";
import type { JobContext, JobHandler } from "../types.js";
import { JobInputError } from "../types.js";
import { payloadId } from "./select.js";

function subset(data: Float32Array, dim: number, rows: number[]): engine.Points {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(data.subarray(row * dim, row * dim + dim), i * dim));
  return { data: out, n: rows.length, dim };
}

export const probeHandler: JobHandler = {
  kind: "PROBE",

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const runId = payloadId(ctx.job, "runId");
    const run = (
      await sql.query<{ datasetVersionId: number; embeddingSetId: number | null; status: string }>(
        `SELECT "datasetVersionId", "embeddingSetId", status FROM "SelectionRun" WHERE id = $1`,
        [runId],
      )
    ).rows[0];
    if (!run) throw new JobInputError("NOT_FOUND", "runId", `selection run ${runId} does not exist`);
    if (run.status !== "SUCCEEDED") throw new JobInputError("INVALID_STATE", "runId", `selection run ${runId}: expected SUCCEEDED, got ${run.status}`);
    if (run.embeddingSetId === null) throw new JobInputError("NOT_FOUND", "embeddingSet", `selection run ${runId} has no embedding set`);
    ctx.progress("loading", 0, 0);
    const m = await loadEmbeddingMatrix(sql, run.embeddingSetId);
    const selected = new Set(
      (await sql.query<{ sampleId: number }>(`SELECT "sampleId" FROM "SelectionItem" WHERE "runId" = $1`, [runId])).rows.map((r) => r.sampleId),
    );
    const train: number[] = [];
    const test: number[] = [];
    m.sampleIds.forEach((id, row) => (selected.has(id) ? train : test).push(row));
    if (train.length === 0) throw new JobInputError("EMPTY_INPUT", "runId", `selection run ${runId} has no items with vectors to train on`);
    if (test.length === 0) throw new JobInputError("EMPTY_INPUT", "runId", `selection run ${runId} selected the whole pool; nothing is left to test on`);
    await ctx.step();
    ctx.progress("training", 0, 1);
    const site = m.metadata.site ?? [];
    const maxIter = Number(ctx.job.payload.maxIter ?? 200);
    const result = engine.linearProbe(
      {
        trainPoints: subset(m.points, m.dim, train),
        trainLabels: train.map((r) => m.labels[r] as string),
        testPoints: subset(m.points, m.dim, test),
        testLabels: test.map((r) => m.labels[r] as string),
        testGroups: test.map((r) => site[r] ?? null),
      },
      { maxIter },
    );
    await ctx.step();
    const details = { trainSize: train.length, testSize: test.length, perClass: result.perClass, perGroup: result.perGroup, converged: result.converged, probe: "logistic regression on frozen embeddings" };
    const metrics: [string, number][] = [
      ["probe.accuracy", result.accuracy],
      ["probe.balancedAccuracy", result.balancedAccuracy],
      ["probe.worstGroupAccuracy", result.worstGroupAccuracy],
    ];
    await ctx.commit(async (tx) => {
      for (const [metric, value] of metrics) {
        await tx.query(
          `INSERT INTO "Evaluation" ("runId", metric, value, split, source, details, "reportedById")
           VALUES ($1, $2, $3, 'pool-holdout', 'COMPUTED', $4::jsonb, $5)`,
          [runId, metric, value, JSON.stringify(details), ctx.job.createdById],
        );
      }
      return { runId, accuracy: result.accuracy, balancedAccuracy: result.balancedAccuracy, worstGroupAccuracy: result.worstGroupAccuracy };
    });
  },
};
