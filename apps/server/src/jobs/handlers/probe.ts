// PROBE: the built-in linear probe for a selection run. Trains a logistic-regression probe on the
// run's selected samples' embeddings and tests it either on the rest of the version's embedded pool
// (split "pool-holdout") or on another version of the consortium embedded with the same model
// (payload testVersionId/testSetId, split "test-version:<id>": held-out data where site and label need
// not be tied as in the pool). Worst-group accuracy is reported over label × each column the run's
// evidence covers (declared, associated by the analysis, site): the number that falls when a model has
// learned the site instead of the disease. Writes the Evaluation rows (COMPUTED) in one transaction.
import * as engine from "@stratum/engine";
import { loadEmbeddingMatrix, type EmbeddingMatrix } from "@stratum/db";
import type { JobContext, JobHandler } from "../types.js";
import { JobInputError } from "../types.js";
import { payloadId } from "./select.js";
import { toGlobalId } from "../../graphql/ids.js";
import { runColumns } from "../../modules/composition/composition.service.js";

function subset(data: Float32Array, dim: number, rows: number[]): engine.Points {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(data.subarray(row * dim, row * dim + dim), i * dim));
  return { data: out, n: rows.length, dim };
}

interface RunRow {
  datasetVersionId: number;
  embeddingSetId: number | null;
  analysisId: number | null;
  params: unknown;
  status: string;
}

export const probeHandler: JobHandler = {
  kind: "PROBE",

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const runId = payloadId(ctx.job, "runId");
    const run = (
      await sql.query<RunRow>(`SELECT "datasetVersionId", "embeddingSetId", "analysisId", params, status FROM "SelectionRun" WHERE id = $1`, [runId])
    ).rows[0];
    if (!run) throw new JobInputError("NOT_FOUND", "runId", `selection run ${runId} does not exist`);
    if (run.status !== "SUCCEEDED") throw new JobInputError("INVALID_STATE", "runId", `selection run ${runId}: expected SUCCEEDED, got ${run.status}`);
    if (run.embeddingSetId === null) throw new JobInputError("NOT_FOUND", "embeddingSet", `selection run ${runId} has no embedding set`);
    const testSetId = ctx.job.payload.testSetId === undefined ? null : payloadId(ctx.job, "testSetId");
    const testVersionId = testSetId === null ? null : payloadId(ctx.job, "testVersionId");
    if (testSetId !== null) {
      // Checked when the job was started; checked again because the set may have changed since.
      const set = (await sql.query<{ status: string; datasetVersionId: number }>(`SELECT status, "datasetVersionId" FROM "EmbeddingSet" WHERE id = $1`, [testSetId])).rows[0];
      if (!set || set.datasetVersionId !== testVersionId) throw new JobInputError("NOT_FOUND", "testVersionId", `the test version's embedding set ${testSetId} no longer exists`);
      if (set.status !== "COMPLETE") throw new JobInputError("INVALID_STATE", "testVersionId", `the test version's embedding set is ${set.status}; expected COMPLETE`);
    }
    ctx.progress("loading", 0, 0);
    const pool = await loadEmbeddingMatrix(sql, run.embeddingSetId);
    const selected = new Set(
      (await sql.query<{ sampleId: number }>(`SELECT "sampleId" FROM "SelectionItem" WHERE "runId" = $1`, [runId])).rows.map((r) => r.sampleId),
    );
    const train: number[] = [];
    const rest: number[] = [];
    pool.sampleIds.forEach((id, row) => (selected.has(id) ? train : rest).push(row));
    if (train.length === 0) throw new JobInputError("EMPTY_INPUT", "runId", `selection run ${runId} has no items with vectors to train on`);
    let testM: EmbeddingMatrix = pool;
    let test = rest;
    let overlap = 0;
    if (testSetId !== null) {
      testM = await loadEmbeddingMatrix(sql, testSetId);
      if (testM.dim !== pool.dim) throw new JobInputError("DIM_MISMATCH", "testVersionId", `the test vectors have ${testM.dim} dimensions; the run's have ${pool.dim}`);
      // A sample the run trained on is no test of it: versions of one dataset share samples.
      test = [];
      testM.sampleIds.forEach((id, row) => (selected.has(id) ? overlap++ : test.push(row)));
      if (test.length === 0) throw new JobInputError("EMPTY_INPUT", "testVersionId", `the test version has no embedded samples outside the run's selection`);
    } else if (test.length === 0) {
      throw new JobInputError("EMPTY_INPUT", "runId", `selection run ${runId} selected the whole pool; nothing is left to test on`);
    }
    await ctx.step();
    ctx.progress("training", 0, 1);
    const { columns } = await runColumns(sql, { dbId: runId, ...run });
    // Columns the test data has values for; the others are named in details.
    const groupings: Record<string, (string | null)[]> = {};
    const skippedColumns: string[] = [];
    for (const column of columns) {
      const values = testM.metadata[column];
      const picked = values ? test.map((r) => values[r] ?? null) : [];
      if (picked.some((v) => v !== null)) groupings[column] = picked;
      else skippedColumns.push(column);
    }
    const site = testM.metadata.site ?? [];
    const maxIter = Number(ctx.job.payload.maxIter ?? 200);
    const result = engine.linearProbe(
      {
        trainPoints: subset(pool.points, pool.dim, train),
        trainLabels: train.map((r) => pool.labels[r] as string),
        testPoints: subset(testM.points, testM.dim, test),
        testLabels: test.map((r) => testM.labels[r] as string),
        testGroups: test.map((r) => site[r] ?? null),
        testGroupings: groupings,
      },
      { maxIter },
    );
    await ctx.step();
    const split = testVersionId === null ? "pool-holdout" : `test-version:${toGlobalId("DatasetVersion", testVersionId)}`;
    const testVersion =
      testVersionId === null
        ? null
        : (
            await sql.query<{ dataset: string; number: number }>(
              `SELECT d.name AS dataset, v.number FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId" WHERE v.id = $1`,
              [testVersionId],
            )
          ).rows[0] ?? null;
    const details = {
      trainSize: train.length,
      testSize: test.length,
      ...(testVersionId === null ? {} : { testVersion: { id: toGlobalId("DatasetVersion", testVersionId), dataset: testVersion?.dataset ?? null, number: testVersion?.number ?? null }, excludedOverlap: overlap }),
      perClass: result.perClass,
      perGroup: result.perGroup,
      groupings: result.groupings,
      ...(skippedColumns.length ? { skippedColumns } : {}),
      converged: result.converged,
      probe: "logistic regression on frozen embeddings",
    };
    const metrics: [string, number][] = [
      ["probe.accuracy", result.accuracy],
      ["probe.balancedAccuracy", result.balancedAccuracy],
      // label × site, as before: kept for clients that read this name
      ["probe.worstGroupAccuracy", result.worstGroupAccuracy],
      ...Object.entries(result.groupings).map(([column, g]) => [`probe.worstGroupAccuracy.${column}`, g.worstGroupAccuracy] as [string, number]),
    ];
    await ctx.commit(async (tx) => {
      for (const [metric, value] of metrics) {
        if (!Number.isFinite(value)) continue; // no eligible group: nothing to report
        await tx.query(
          `INSERT INTO "Evaluation" ("runId", metric, value, split, source, details, "reportedById")
           VALUES ($1, $2, $3, $4, 'COMPUTED', $5::jsonb, $6)`,
          [runId, metric, value, split, JSON.stringify(details), ctx.job.createdById],
        );
      }
      return {
        runId,
        split,
        accuracy: result.accuracy,
        balancedAccuracy: result.balancedAccuracy,
        worstGroupAccuracy: result.worstGroupAccuracy,
        worstGroupByColumn: Object.fromEntries(Object.entries(result.groupings).map(([c, g]) => [c, g.worstGroupAccuracy])),
      };
    });
  },
};
