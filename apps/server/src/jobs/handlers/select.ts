// SELECT: runs the engine's select() for one SelectionRun and writes its items, metrics and manifest
// hash in ONE transaction (@stratum/db commitSelection, with the job's SUCCEEDED mark), so a run is either complete or has no items at all.
// A reproduction (payload.reproduce) compares its hash with its parent's and records `reproducible`.
// Confounder-aware runs record the analysis' verdicts and group names when their job starts
// (params.groupVerdicts, see select-groups.ts) and allocate over the groups as those verdicts left
// them; a reproduction carries its parent's snapshot, so later verdicts change neither.
// A run with constraints (issue 14: pool subset, exclusions, must-include rows) reads the samples they
// resolved to when it was started (SelectionRunSample) and selects with engine selectConstrained; its
// metrics are measured over that pool.
import * as engine from "@stratum/engine";
import { allocateSharedMatrix, selectConstrainedThreaded, selectThreaded } from "@stratum/engine/threads";
import { commitSelection, loadEmbeddingMatrix } from "@stratum/db";
import type { JobContext, JobHandler, JobRecord } from "../types.js";
import { JobInputError } from "../types.js";
import { NOW_UTC } from "@stratum/db";
import { isSnapshot, loadGroups, RECORD_SNAPSHOT_SQL, type EffectiveGroup } from "./select-groups.js";

/** Coverage and MMD cost pool × selected × dim; above this they are skipped (and the metrics say so). */
const METRICS_WORK_LIMIT = 2e9;

interface RunRow {
  id: number;
  datasetVersionId: number;
  embeddingSetId: number | null;
  analysisId: number | null;
  parentId: number | null;
  strategy: string;
  params: Record<string, unknown>;
  /** bigint column (seeds reach 2^32−1): the pg driver gives a string, PGlite a number or bigint. */
  seed: number | string | bigint;
  budgetPerClass: number;
}

export function payloadId(job: JobRecord, key: string): number {
  const id = Number(job.payload[key]);
  if (!Number.isInteger(id)) throw new JobInputError("BAD_PAYLOAD", key, `job ${job.id}: expected payload.${key} to be an integer, got ${JSON.stringify(job.payload)}`);
  return id;
}

export const selectHandler: JobHandler = {
  kind: "SELECT",

  async onStart(sql, job) {
    const runId = payloadId(job, "runId");
    await sql.query(
      `UPDATE "SelectionRun" SET status = 'RUNNING', phase = 'loading', "startedAt" = coalesce("startedAt", ${NOW_UTC}), error = NULL WHERE id = $1`,
      [runId],
    );
    // In the transaction that claims the job: the verdicts at the job's start, recorded once.
    await sql.query(RECORD_SNAPSHOT_SQL, [runId]);
  },

  async onEnd(sql, job, status, error) {
    const runId = payloadId(job, "runId");
    await sql.query(
      `UPDATE "SelectionRun" SET status = $2::"RunStatus", phase = $3, error = $4, "completedAt" = ${NOW_UTC} WHERE id = $1`,
      [runId, status, status.toLowerCase(), error],
    );
  },

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const runId = payloadId(ctx.job, "runId");
    const r = await sql.query<RunRow>(`SELECT * FROM "SelectionRun" WHERE id = $1`, [runId]);
    const run = r.rows[0];
    if (!run) throw new JobInputError("NOT_FOUND", "runId", `selection run ${runId} does not exist`);
    const seed = Number(run.seed);
    if (run.embeddingSetId === null) throw new JobInputError("NOT_FOUND", "embeddingSet", `selection run ${runId} has no embedding set`);

    ctx.progress("loading", 0, 0);
    // in shared memory: the engine's threads (and its dot kernel) read each class's rows in place
    const m = await loadEmbeddingMatrix(sql, run.embeddingSetId, { allocate: allocateSharedMatrix, onRows: (done) => ctx.progress("loading", done, 0) });
    if (m.n === 0) throw new JobInputError("EMPTY_POOL", "embeddingSet", `embedding set ${run.embeddingSetId} has no vectors for this version`);
    await ctx.step();

    let groups: Int32Array | undefined;
    let groupIds: (number | null)[] = [];
    let grouping: EffectiveGroup[] | undefined;
    if (run.analysisId !== null) {
      // Baselines are measured on the groups as discovered; only confounder-aware follows the verdicts.
      const snapshot = run.strategy === "confounder-aware" && isSnapshot(run.params.groupVerdicts) ? run.params.groupVerdicts : [];
      const loaded = await loadGroups(sql, run.analysisId, m.sampleIds, snapshot);
      ({ groups, groupIds } = loaded);
      if (run.strategy === "confounder-aware") grouping = loaded.effective;
    }
    await ctx.step();

    const { groupVerdicts: _snapshot, constraints: _constraints, ...stored } = run.params;
    const params = { ...stored, strategy: run.strategy, perClass: run.budgetPerClass, seed } as engine.SelectParams;
    const input: engine.SelectInput = {
      points: { data: m.points, n: m.n, dim: m.dim },
      labels: m.labels,
      ids: m.externalIds,
      metadata: m.metadata,
      ...(groups ? { groups } : {}),
    };
    const constraints = await loadConstraints(sql, runId, m.sampleIds);
    // Classes on ctx.threads threads: the same result and manifest hash as engine.select/selectConstrained
    // (threads = 1 runs those here). ctx.threads is not a run parameter: it is neither stored nor hashed.
    const threaded = { threads: ctx.threads, signal: ctx.signal, onProgress: (phase: string, done: number, total: number) => ctx.progress(phase, done, total) };
    const constrained = constraints ? await selectConstrainedThreaded(input, params, constraints, threaded) : null;
    const result: engine.SelectionResult = constrained ?? (await selectThreaded(input, params, threaded));
    await ctx.step();

    ctx.progress("writing", 0, result.selected.length);
    const items = result.selected;
    // The sample's own ConfounderGroup, also when its group was merged by name or rejected.
    const itemGroupIds = items.map((it) => (run.strategy === "confounder-aware" ? (groupIds[it.row] ?? null) : null));
    ctx.progress("metrics", 0, 1);
    // With constraints the pool is what the run selected from (candidates and must-include rows).
    const poolRows = constrained?.poolRows ?? null;
    const metricsInput = poolRows ? engine.rowsOf(input, poolRows) : input;
    const rowInPool = poolRows ? new Map(Array.from(poolRows, (row, i) => [row, i])) : null;
    const selectedRows = Int32Array.from(items, (it) => (rowInPool ? rowInPool.get(it.row)! : it.row));
    const poolN = metricsInput.points.n;
    const heavy = poolN * items.length * m.dim > METRICS_WORK_LIMIT;
    const quality = engine.selectionMetrics({ points: metricsInput.points, labels: metricsInput.labels, ...(metricsInput.groups ? { groups: metricsInput.groups } : {}) }, selectedRows, {
      seed,
      coverage: !heavy,
      mmd: !heavy,
    });
    const metrics = {
      ...quality,
      pool: poolN,
      ...(constrained ? { constraints: constrained.counts } : {}),
      allocation: result.perClass,
      params: result.params,
      ...(grouping ? { grouping } : {}),
      ...(heavy ? { skipped: ["coverage", "mmd"], skippedReason: `pool × selected × dim above ${METRICS_WORK_LIMIT}` } : {}),
    };
    await ctx.step();
    let reproducible: boolean | null = null;
    if (ctx.job.payload.reproduce === true && run.parentId !== null) {
      const parent = await sql.query<{ manifestHash: string | null }>(`SELECT "manifestHash" FROM "SelectionRun" WHERE id = $1`, [run.parentId]);
      reproducible = parent.rows[0]?.manifestHash === result.manifestHash;
    }
    // Never half-written: @stratum/db commitSelection writes the items and the run's SUCCEEDED state in
    // one transaction, and marks the job SUCCEEDED inside it (ctx.commit within), so a lost lease or a
    // cancel rolls the items back with it.
    await commitSelection(
      ctx.store,
      {
        runId,
        items: items.map((it, i) => ({
          sampleId: m.sampleIds[it.row] as number,
          rank: it.rank,
          label: it.label,
          groupId: itemGroupIds[i] ?? null,
          groupKey: it.groupKey,
          reason: it.reason,
        })),
        manifestHash: result.manifestHash,
        metrics,
        warnings: result.warnings,
        reproducible,
      },
      (tx, written) => ctx.commit(async () => ({ ...written }), tx),
    );
    // PGlite has no autovacuum: refresh the planner's statistics so item pages and exports use the
    // (runId, rank) index well as runs accumulate. PostgreSQL's autovacuum does this by itself.
    if (ctx.store.kind === "pglite") await sql.query(`ANALYZE "SelectionItem"`).catch(() => undefined);
  },
};

/**
 * The run's recorded constraint rows as matrix rows, or null when it has none. A recorded sample without
 * a row (its vector is not in the set) cannot be selected, so it is dropped here.
 */
async function loadConstraints(sql: JobContext["store"]["sql"], runId: number, sampleIds: Int32Array): Promise<engine.SelectConstraints | null> {
  const r = await sql.query<{ role: "POOL" | "EXCLUDE" | "INCLUDE"; sampleId: number; reason: string }>(
    `SELECT role::text AS role, "sampleId", reason FROM "SelectionRunSample" WHERE "runId" = $1 ORDER BY role, "sampleId"`,
    [runId],
  );
  if (!r.rows.length) return null;
  const rowOf = new Map<number, number>();
  sampleIds.forEach((id, row) => rowOf.set(id, row));
  const pool: number[] = [];
  const exclude: number[] = [];
  const include: number[] = [];
  const reasons = new Map<number, string>();
  for (const c of r.rows) {
    const row = rowOf.get(c.sampleId);
    if (row === undefined) continue;
    if (c.role === "POOL") pool.push(row);
    else if (c.role === "EXCLUDE") exclude.push(row);
    else {
      include.push(row);
      reasons.set(row, c.reason);
    }
  }
  const hasPool = r.rows.some((c) => c.role === "POOL");
  return { ...(hasPool ? { pool } : {}), exclude, include, includeReason: (row) => reasons.get(row) ?? "must include" };
}
