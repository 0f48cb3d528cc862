import * as engine from "@stratum/engine";
import { GraphQLError } from "graphql";
import type { PrismaClient, SelectionRun as Row, SqlClient } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { audit, auditSql } from "../../audit/audit.js";
import { AppError, AppErrors } from "../../graphql/errors.js";
import { decodeId, decodeIdOrNull } from "../../graphql/ids.js";
import { byId } from "../../graphql/loaders.js";
import { requestCancel, enqueueJob } from "../../jobs/enqueue.js";
import { announceJob } from "../../jobs/announce.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { createSelectionRun, NOW_UTC } from "@stratum/db";
import { type ConnectionArgs, type ConnectionShape, type Edge, decodeCursor, encodeCursor, pageSize } from "../../graphql/connection.js";
import { Job } from "../job/job.type.js";
import { GroupAllocationRow, MetadataColumn, MetricRow, RunComparison, RunPairOverlap, SelectionRun } from "./run.type.js";
import { notifiedCache } from "../../cache/notified-cache.js";
import { apiFieldOf, selectParamsOf, type SelectionRunRefInput, type SelectionRunStartInput } from "./run.input.js";
import { resolveRunConstraints } from "../subset/run-constraints.js";

export function runLoader(ctx: Context) {
  return ctx.loader("runById", () => byId<Row>((ids) => ctx.prisma.selectionRun.findMany({ where: { id: { in: ids } } })));
}

export async function consortiumOfRun(ctx: Context, runId: number): Promise<number | null> {
  const run = await runLoader(ctx).load(runId);
  return run ? consortiumOfVersion(ctx, run.datasetVersionId) : null;
}

export async function visibleRun(ctx: Context, id: number): Promise<SelectionRun | null> {
  const row = await runLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)))) return null;
  return SelectionRun.from(row);
}

/** Loads a run for a mutation: NOT_FOUND unless visible, then the role check. */
export async function runForChange(ctx: Context, runIdGlobal: string, minRole: "CURATOR" | "REVIEWER", field = ["runId"]) {
  const id = decodeId(runIdGlobal, "SelectionRun", field);
  const run = await runLoader(ctx).load(id);
  const access = await requireRole(ctx, run ? await consortiumOfVersion(ctx, run.datasetVersionId) : null, minRole, field, "selection run");
  return { run: run!, access };
}

/** A declared column needs at least this many levels (else nothing to balance) and at most DECLARED_LEVELS_MAX. */
export const DECLARED_LEVELS_MIN = 2;
/** More levels than this is an id or a measurement, not an acquisition condition: its cells would be single images. */
export const DECLARED_LEVELS_MAX = 64;

/**
 * Each declared column must be a metadata column of the version (or `site`, the sample's site, unless
 * the manifest has a `site` column of its own: the select job reads the same) with 2..64 levels,
 * counted over the version's samples (missing values are not a level here).
 */
async function checkDeclared(ctx: Context, versionId: number, declared: string[], errors: AppError[]) {
  for (const [i, column] of declared.entries()) {
    const field = ["declaredConfounders", String(i)];
    // Raw: key presence and distinct values of a metadata key (jsonb_exists, ->>) have no Prisma form.
    const r = await ctx.app.store.sql.query<{ present: boolean | null; levels: number }>(
      `SELECT bool_or(jsonb_exists(s.metadata, $2)) AS present, count(DISTINCT nullif(s.metadata->>$2, ''))::int AS levels
       FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1`,
      [versionId, column],
    );
    let { present, levels } = r.rows[0] ?? { present: false, levels: 0 };
    if (!present && column === "site") {
      // The version's distinct sites (no site is no level), as fast as count(DISTINCT) (bench-server-reads.mjs).
      const sites = await ctx.prisma.sample.groupBy({ by: ["siteId"], where: { versions: { some: { versionId } }, siteId: { not: null } } });
      present = true;
      levels = sites.length;
    }
    if (!present) {
      errors.push(new AppError("DECLARED_COLUMN_NOT_FOUND", `declaredConfounders: no sample of this version has a "${column}" column`, field));
    } else if (levels < DECLARED_LEVELS_MIN) {
      errors.push(
        new AppError("DECLARED_COLUMN_SINGLE_LEVEL", `declaredConfounders: column "${column}" has ${levels} level${levels === 1 ? "" : "s"} in this version; expected at least ${DECLARED_LEVELS_MIN}`, field),
      );
    } else if (levels > DECLARED_LEVELS_MAX) {
      errors.push(
        new AppError("DECLARED_COLUMN_TOO_MANY_LEVELS", `declaredConfounders: column "${column}" has ${levels} levels in this version; expected at most ${DECLARED_LEVELS_MAX}`, field),
      );
    }
  }
}

/**
 * The version's metadata columns with their level counts, `site` first, then by name: what the run
 * form offers as known confounders (the same counts checkDeclared applies). Columns are capped at 200.
 */
export async function metadataColumnsOf(sql: SqlClient, versionId: number): Promise<MetadataColumn[]> {
  // Raw: every metadata key with its level counts (jsonb_each_text) in one aggregate; Prisma has no form of it.
  const r = await sql.query<{ name: string; levels: number; present: number; total: number }>(
    `WITH v AS (SELECT s.metadata, s."siteId" FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1),
          total AS (SELECT count(*)::int AS n FROM v)
     SELECT e.key AS name, count(DISTINCT nullif(e.value, ''))::int AS levels, count(nullif(e.value, ''))::int AS present, (SELECT n FROM total) AS total
     FROM v, jsonb_each_text(v.metadata) e GROUP BY e.key
     UNION ALL
     SELECT 'site', count(DISTINCT "siteId")::int, count("siteId")::int, (SELECT n FROM total) FROM v
     WHERE NOT EXISTS (SELECT 1 FROM v WHERE jsonb_exists(v.metadata, 'site'))`,
    [versionId],
  );
  const rows = r.rows.filter((row) => row.total > 0);
  rows.sort((a, b) => (a.name === "site" ? -1 : b.name === "site" ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows.slice(0, 200).map((row) =>
    Object.assign(new MetadataColumn(), {
      name: row.name,
      levels: row.levels,
      missing: row.total - row.present,
      declarable: row.levels >= DECLARED_LEVELS_MIN && row.levels <= DECLARED_LEVELS_MAX,
    }),
  );
}

/** Checks everything before anything is written; every problem is reported, each naming its field. */
async function validateStart(ctx: Context, input: SelectionRunStartInput) {
  const errors: AppError[] = [];
  const versionId = decodeId(input.datasetVersionId, "DatasetVersion", ["datasetVersionId"]);
  const access = await requireRole(ctx, await consortiumOfVersion(ctx, versionId), "CURATOR", ["datasetVersionId"], "dataset version");
  const setId = decodeId(input.embeddingSetId, "EmbeddingSet", ["embeddingSetId"]);
  const set = await ctx.prisma.embeddingSet.findUnique({ where: { id: setId } });
  if (!set || set.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no embedding set of this version has this ID", ["embeddingSetId"]);
  if (set.status !== "COMPLETE") errors.push(new AppError("INVALID_STATE", `the embedding set is ${set.status}; expected COMPLETE`, ["embeddingSetId"]));
  // Each declared parameter from its API field (declaredConfounders → declared); blanks are "not given".
  const params = selectParamsOf(input);
  if (input.declaredConfounders?.length && input.strategy !== "confounder-aware") {
    errors.push(new AppError("VALIDATION", `declaredConfounders: only confounder-aware balances declared confounders; strategy is "${input.strategy}"`, ["declaredConfounders"]));
  }
  let resolved: engine.ResolvedParams | null = null;
  try {
    resolved = engine.resolveParams(params);
  } catch (error) {
    if (!(error instanceof engine.EngineInputError)) throw error;
    errors.push(new AppError("VALIDATION", `${error.code}: ${error.message}`, [apiFieldOf(error.field)]));
  }
  if (resolved?.declared) await checkDeclared(ctx, versionId, resolved.declared, errors);
  let analysisId: number | null = null;
  if (input.analysisId != null && input.analysisId !== "") {
    analysisId = decodeId(input.analysisId, "ConfounderAnalysis", ["analysisId"]);
    const analysis = await ctx.prisma.confounderAnalysis.findUnique({ where: { id: analysisId } });
    if (!analysis || analysis.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no analysis of this version has this ID", ["analysisId"]);
    if (analysis.status !== "SUCCEEDED") errors.push(new AppError("INVALID_STATE", `the analysis is ${analysis.status}; expected SUCCEEDED`, ["analysisId"]));
  } else if (input.strategy === "confounder-aware") {
    errors.push(new AppError("VALIDATION", 'strategy "confounder-aware" needs analysisId: run a confounder analysis of this version first', ["analysisId"]));
  }
  if (resolved?.stratifyColumn && resolved.stratifyColumn !== "site") {
    // Raw: jsonb_exists (a key present, whatever its value); Prisma's JSON path filters cannot tell a key
    // holding null from a missing one.
    const r = await ctx.app.store.sql.query(
      `SELECT 1 FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1 AND jsonb_exists(s.metadata, $2) LIMIT 1`,
      [versionId, resolved.stratifyColumn],
    );
    if (!r.rows.length) errors.push(new AppError("VALIDATION", `stratifyColumn: no sample of this version has a "${resolved.stratifyColumn}" column`, ["stratifyColumn"]));
  }
  if (resolved) {
    // Class pools: the version's samples with a vector in the set, per label.
    const pools = await ctx.prisma.sample.groupBy({ by: ["label"], where: { vectors: { some: { setId } }, versions: { some: { versionId } } }, _count: { _all: true } });
    const largest = Math.max(0, ...pools.map((r) => r._count._all));
    if (resolved.perClass > largest) {
      errors.push(
        new AppError("LIMIT_EXCEEDED", `perClass: expected at most ${largest} (the largest class pool with embeddings), got ${resolved.perClass}`, ["perClass"]),
      );
    }
  }
  // Pool subset, exclusions and must-include rows (issue 14), resolved to samples before anything is written.
  const constraints = await resolveRunConstraints(ctx, versionId, setId, resolved?.perClass ?? null, input, errors);
  if (errors.length) throw new AppErrors(errors);
  return { access, versionId, setId, analysisId, resolved: resolved!, constraints };
}

async function afterCreate(ctx: Context, runId: number, jobId: number) {
  await enqueueJob(ctx.app, jobId);
  const [run, job] = await Promise.all([ctx.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } }), ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } })]);
  return { run: SelectionRun.from(run), job: Job.from(job) };
}

export async function startRun(ctx: Context, input: SelectionRunStartInput) {
  const v = await validateStart(ctx, input);
  const { strategy, perClass, seed, ...rest } = v.resolved;
  // @stratum/db writes the run, its Job row and constraint rows in one transaction; the audit row joins it.
  const { runId, jobId } = await createSelectionRun(
    ctx.app.store,
    {
      consortiumId: v.access.consortiumId,
      datasetVersionId: v.versionId,
      embeddingSetId: v.setId,
      analysisId: v.analysisId,
      parentId: null,
      name: input.name ?? "",
      strategy,
      params: v.constraints ? { ...rest, constraints: v.constraints.summary } : rest,
      seed,
      budgetPerClass: perClass,
      createdById: ctx.viewer!.userId,
      ...(v.constraints ? { constraints: v.constraints.rows } : {}),
    },
    (tx, created) =>
      audit(tx, ctx, "selectionRunStart", { type: "SelectionRun", id: created.runId, consortiumId: v.access.consortiumId }, {
        ...v.resolved,
        jobId: created.jobId,
        ...(v.constraints ? { constraints: v.constraints.summary } : {}),
      }),
  );
  return afterCreate(ctx, runId, jobId);
}

/**
 * A reproduction runs on the parent's recorded snapshot of verdicts (params.groupVerdicts), never on
 * today's. A confounder-aware parent from before runs recorded one allocated over the groups as
 * discovered: an empty snapshot says exactly that.
 */
function reproductionParams(run: Row): Record<string, unknown> {
  const params = { ...(run.params as Record<string, unknown>) };
  if (run.strategy === "confounder-aware" && run.analysisId !== null && !Array.isArray(params.groupVerdicts)) params.groupVerdicts = [];
  return params;
}

export async function reproduceRun(ctx: Context, input: SelectionRunRefInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED" || !run.manifestHash) {
    throw new AppError("INVALID_STATE", `only a SUCCEEDED run can be reproduced; this one is ${run.status}`, ["runId"]);
  }
  const { runId, jobId } = await createSelectionRun(
    ctx.app.store,
    {
      consortiumId: access.consortiumId,
      datasetVersionId: run.datasetVersionId,
      embeddingSetId: run.embeddingSetId,
      analysisId: run.analysisId,
      parentId: run.id,
      name: run.name ? `${run.name} (reproduction)` : "",
      strategy: run.strategy,
      params: reproductionParams(run),
      seed: Number(run.seed),
      budgetPerClass: run.budgetPerClass,
      createdById: ctx.viewer!.userId,
      constraints: "parent",
    },
    (tx, created) => audit(tx, ctx, "selectionRunReproduce", { type: "SelectionRun", id: created.runId, consortiumId: access.consortiumId }, { parentId: run.id, jobId: created.jobId }),
  );
  return afterCreate(ctx, runId, jobId);
}

export async function cancelRun(ctx: Context, input: SelectionRunRefInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (!["QUEUED", "RUNNING"].includes(run.status) || run.jobId === null) {
    throw new AppError("INVALID_STATE", `only a QUEUED or RUNNING run can be cancelled; this one is ${run.status}`, ["runId"]);
  }
  const outcome = await ctx.app.store.transaction(async (sql) => {
    const outcome = await requestCancel(sql, run.jobId!);
    if (outcome === "CANCELLED") {
      // Raw: requestCancel (jobs/enqueue.ts) works on the raw transaction, and this joins it.
      await sql.query(`UPDATE "SelectionRun" SET status = 'CANCELLED', phase = 'cancelled', "completedAt" = ${NOW_UTC} WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')`, [run.id]);
    }
    await auditSql(sql, ctx, "selectionRunCancel", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, { outcome });
    return outcome;
  });
  if (outcome === "SUCCEEDED" || outcome === "FAILED") throw new AppError("INVALID_STATE", `the run already ended (${outcome})`, ["runId"]);
  // A queued job ends here, not in a runner: lists hear of it from us.
  if (outcome === "CANCELLED") await announceJob(runtimeOf(ctx.app).bus, { jobId: run.jobId, consortiumId: access.consortiumId, kind: "UPDATED", status: "CANCELLED" });
  return SelectionRun.from(await ctx.prisma.selectionRun.findUniqueOrThrow({ where: { id: run.id } }));
}

// ─── compareRuns ────────────────────────────────────────────────────────────

const COMPARED_METRICS = ["selected", "classBalanceTv", "allocationTv", "coverageMean", "coverageMax", "mmd"];

export async function compareRuns(ctx: Context, ids: string[]): Promise<RunComparison | null> {
  if (!Array.isArray(ids) || ids.length < 2 || ids.length > 4) {
    throw new GraphQLError(`ids: expected 2 to 4 selection run IDs, got ${ids?.length ?? 0}`, { extensions: { code: "BAD_USER_INPUT", argumentName: "ids" } });
  }
  // Distinct by the decoded row id, not the string (IDs are canonical, but the check must not depend on it).
  const dbIds = ids.map((id) => decodeIdOrNull(id, "SelectionRun"));
  const known = dbIds.filter((id): id is number => id !== null);
  if (new Set(known).size !== known.length) {
    throw new GraphQLError("ids: expected distinct runs, got the same run twice", { extensions: { code: "BAD_USER_INPUT", argumentName: "ids" } });
  }
  const runs: SelectionRun[] = [];
  for (const dbId of dbIds) {
    const run = dbId === null ? null : await visibleRun(ctx, dbId);
    if (!run) return null; // missing or hidden: we don't say which
    runs.push(run);
  }
  const runIds = runs.map((r) => r.dbId);
  const items = await ctx.prisma.selectionItem.findMany({ where: { runId: { in: runIds } }, select: { runId: true, sampleId: true } });
  const sets = runIds.map(() => new Set<number>());
  const byRun = new Map(runIds.map((id, i) => [id, i]));
  for (const row of items) sets[byRun.get(row.runId)!]!.add(row.sampleId);
  const union = new Set<number>();
  sets.forEach((s) => s.forEach((x) => union.add(x)));
  let overlap = 0;
  for (const x of union) if (sets.every((s) => s.has(x))) overlap++;
  const pairwise: RunPairOverlap[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      let inter = 0;
      for (const x of sets[i]!) if (sets[j]!.has(x)) inter++;
      pairwise.push(Object.assign(new RunPairOverlap(), { a: runs[i]!.id, b: runs[j]!.id, intersection: inter, jaccard: engine.jaccard(sets[i]!, sets[j]!) }));
    }
  }
  // Allocation per group: the groups of the first analysis among the runs (so baselines are measured on
  // the same groups); without one, per class.
  const analysisId = runs.find((r) => r.analysisId !== null)?.analysisId ?? null;
  const allocation = (await allocationOf(ctx.app.store, runIds, analysisId, runs[0]!.datasetVersionId)).map(({ groupId: _, ...row }) =>
    Object.assign(new GroupAllocationRow(), row),
  );
  const metrics = COMPARED_METRICS.map((name) =>
    Object.assign(new MetricRow(), {
      name,
      split: null,
      values: runs.map((r) => {
        const v = (r.metrics as Record<string, unknown> | null)?.[name];
        return typeof v === "number" ? v : null;
      }),
    }),
  );
  const evals = await ctx.prisma.evaluation.findMany({ where: { runId: { in: runIds } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const evalRows = new Map<string, MetricRow>();
  for (const e of evals) {
    const k = `${e.metric}\u0000${e.split}`;
    let row = evalRows.get(k);
    if (!row) evalRows.set(k, (row = Object.assign(new MetricRow(), { name: e.metric, split: e.split, values: runIds.map(() => null) })));
    row.values[byRun.get(e.runId)!] = e.value; // later rows win: the latest value
  }
  return Object.assign(new RunComparison(), {
    runs,
    overlap,
    union: union.size,
    pairwise,
    allocation,
    metrics,
    evaluations: [...evalRows.values()].sort((a, b) => (a.name + a.split < b.name + b.split ? -1 : 1)),
  });
}


export interface AllocationCounts {
  label: string;
  /** The analysis group's name (or "<label> #<index>", "<label> noise"); the class without an analysis. */
  group: string;
  /** The ConfounderGroup's id; null for a class. */
  groupId: number | null;
  pool: number;
  /** Selected from this group by each run, in the order of runIds. */
  selected: number[];
}

/**
 * Each run's whole selection per class × group beside the pool, counted by the database (aggregates over
 * every item, not a page of them). With an analysis: its groups (pool = group size, selected = the run's
 * items that are members); without one: per class of the version.
 */
export async function allocationOf(store: { prisma: PrismaClient; sql: SqlClient }, runIds: number[], analysisId: number | null, versionId: number): Promise<AllocationCounts[]> {
  const { prisma, sql } = store;
  if (analysisId !== null) {
    const groups = await prisma.confounderGroup.findMany({
      where: { analysisId },
      orderBy: [{ label: "asc" }, { isNoise: "asc" }, { index: "asc" }],
      select: { id: true, label: true, index: true, isNoise: true, name: true, size: true },
    });
    // Raw: one aggregate over every item of every run joined to the analysis' members — 0.63 s against
    // 1.07 s for a Prisma groupBy per run (two runs of 20,000 items, PGlite, load 15; bench-server-reads.mjs).
    const counts = await sql.query<{ runId: number; groupId: number; n: number }>(
      `SELECT i."runId", m."groupId", count(*)::int AS n FROM "SelectionItem" i
       JOIN "ConfounderGroupMember" m ON m."sampleId" = i."sampleId" JOIN "ConfounderGroup" g ON g.id = m."groupId" AND g."analysisId" = $2
       WHERE i."runId" = ANY($1::int[]) GROUP BY i."runId", m."groupId"`,
      [runIds, analysisId],
    );
    const n = new Map(counts.rows.map((r) => [`${r.runId}:${r.groupId}`, r.n]));
    return groups.map((g) => ({
      label: g.label,
      group: g.name ?? (g.isNoise ? `${g.label} noise` : `${g.label} #${g.index}`),
      groupId: g.id,
      pool: g.size,
      selected: runIds.map((id) => n.get(`${id}:${g.id}`) ?? 0),
    }));
  }
  // Both within 10 % of the raw GROUP BY at 20,000 samples on PGlite (bench-server-reads.mjs).
  const [pool, counts] = await Promise.all([
    prisma.sample.groupBy({ by: ["label"], where: { versions: { some: { versionId } } }, _count: { _all: true }, orderBy: { label: "asc" } }),
    prisma.selectionItem.groupBy({ by: ["runId", "label"], where: { runId: { in: runIds } }, _count: { _all: true } }),
  ]);
  const n = new Map(counts.map((r) => [`${r.runId}\u0000${r.label}`, r._count._all]));
  return pool.map((p) => ({
    label: p.label,
    group: p.label,
    groupId: null,
    pool: p._count._all,
    selected: runIds.map((id) => n.get(`${id}\u0000${p.label}`) ?? 0),
  }));
}

/** A page of DatasetVersion.runs as read from the database. */
export interface RunPage {
  /** Up to `first` rows, newest first. */
  rows: Row[];
  /** The rows as GraphQL objects, built once per page and shared by every request it serves (read-only). */
  edges: Edge<SelectionRun>[];
  hasNextPage: boolean;
  /** The version's number of runs, when the query could count it alongside the rows. */
  totalCount: number | undefined;
}

/** Run-list pages per version, dropped when any run of the version changes ("runs:<versionId>"). */
export const runPages = notifiedCache<RunPage>("runs", { maxIds: 1_000, maxPerId: 32 });

/**
 * DatasetVersion.runs — the run list every screen polls — in raw SQL: one keyset query that also counts
 * the version's runs (an index-only count, run once per statement: the screens always ask for totalCount,
 * and a second query cost more than the count). An empty page carries no count, so then it is a query
 * of its own, made only if totalCount is selected. About 8× cheaper than the Prisma path on PGlite, and
 * pages are kept in memory until a run of the version changes (runPages).
 * Order: newest first (createdAt desc, id desc); cursors are the same as paginate()'s.
 */
export async function runsOfVersion(ctx: Context, versionId: number, args: ConnectionArgs): Promise<ConnectionShape<SelectionRun>> {
  const first = pageSize(args);
  const after = args.after ? decodeCursor(args.after, 2) : null;
  if (after && !(after[0] instanceof Date && typeof after[1] === "number")) {
    throw new GraphQLError("after: expected a cursor returned by this list (pageInfo.endCursor)", { extensions: { code: "BAD_USER_INPUT", argumentName: "after" } });
  }
  const sql = ctx.app.store.sql;
  const read = async (): Promise<RunPage> => {
    const params: unknown[] = [versionId, first + 1];
    let keyset = "";
    if (after) {
      params.push(after[0], after[1]);
      keyset = `AND ("createdAt", id) < ($3::timestamp(3), $4::int)`;
    }
    const found = (
      await sql.query<Row & { totalCount?: number }>(
        `SELECT *, (SELECT count(*)::int FROM "SelectionRun" WHERE "datasetVersionId" = $1) AS "totalCount"
         FROM "SelectionRun" WHERE "datasetVersionId" = $1 ${keyset} ORDER BY "createdAt" DESC, id DESC LIMIT $2`,
        params,
      )
    ).rows;
    const rows = found.slice(0, first).map(({ totalCount: _count, ...row }) => row as Row);
    return {
      rows,
      edges: rows.map((row) => ({ cursor: encodeCursor([new Date(row.createdAt), row.id]), node: SelectionRun.from(row) })),
      hasNextPage: found.length > first,
      // Past the last run there is nothing to count with; before the first page, none means none.
      totalCount: found[0]?.totalCount ?? (after ? undefined : 0),
    };
  };
  const page = first === 0 ? null : await runPages(ctx.app.changes).get(versionId, `${first}\u0000${args.after ?? ""}`, read);
  for (const row of page?.rows ?? []) runLoader(ctx).prime(row.id, row);
  const edges = page?.edges ?? [];
  let counting: Promise<number> | null = null;
  const count = () =>
    page?.totalCount !== undefined
      ? Promise.resolve(page.totalCount)
      : (counting ??= ctx.prisma.selectionRun.count({ where: { datasetVersionId: versionId } }));
  // graphql-js awaits a thenable field value; a separate count happens only if totalCount is selected.
  const totalCount = { then: (ok: (n: number) => unknown, fail: (e: unknown) => unknown) => count().then(ok, fail) } as unknown as () => Promise<number>;
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { hasNextPage: page?.hasNextPage ?? false, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
