// Composition of selections by metadata column (issue 16 §4): which columns to show, and per class the
// share of each level in the pool and in each run's selection, with the largest level's share and
// Cramér's V between label and column. Counts come from one GROUP BY per side (pool, selections); the
// engine turns them into shares and V. Nothing loads embeddings.
//
// Site scoping: a site-scoped member sees the whole run (items, allocation) already; only sample URIs are
// scoped. Composition is an aggregate of labels and metadata levels, the same kind of figure as the
// allocation, so it is shown in full to everyone who can read the run.
import * as engine from "@stratum/engine";
import type { SqlClient } from "@stratum/db";

/** An analysis association counts as "associated" at this bias-corrected Cramér's V and p-value, in some class. */
export const ASSOCIATED_MIN_V = 0.2;
export const ASSOCIATED_MAX_P = 0.01;
/** Columns with more levels in the pool are not charted (ids, free text, ages): the declared-column limit. */
export const MAX_LEVELS = 64;

export interface RunRef {
  dbId: number;
  datasetVersionId: number;
  embeddingSetId: number | null;
  analysisId: number | null;
  params: unknown;
}

export interface RunColumns {
  /** In display order: declared, then associated (strongest first), then site. */
  columns: string[];
  associated: Set<string>;
  declared: Set<string>;
  /** The analysis the associations came from (the run's, else the version's latest SUCCEEDED one). */
  analysisId: number | null;
}

interface AssociationJson { label?: unknown; column?: unknown; cramersV?: unknown; pValue?: unknown }

/** `params.declared` of a run (written by the SELECT path for confounder-aware runs); [] when absent. */
export function declaredOf(params: unknown): string[] {
  const d = (params as { declared?: unknown } | null)?.declared;
  return Array.isArray(d) ? d.filter((c): c is string => typeof c === "string" && c.length > 0) : [];
}

/** The columns a run's evidence covers: declared ∪ associated ∪ site (when the version has sites). */
// Raw SQL in this file (issue 15): the counts are label × level aggregates over metadata keys
// (->>, unnest of the columns), which Prisma cannot express; runColumns takes the raw client because
// the PROBE job (jobs/handlers/probe.ts) calls it with one.
export async function runColumns(sql: SqlClient, run: RunRef): Promise<RunColumns> {
  const analysis = (
    await sql.query<{ id: number; results: { associations?: AssociationJson[] } | null }>(
      run.analysisId !== null
        ? `SELECT id, results FROM "ConfounderAnalysis" WHERE id = $1 AND status = 'SUCCEEDED'`
        : `SELECT id, results FROM "ConfounderAnalysis" WHERE "datasetVersionId" = $1 AND status = 'SUCCEEDED'
           ORDER BY ("embeddingSetId" = $2) DESC, "completedAt" DESC NULLS LAST, id DESC LIMIT 1`,
      run.analysisId !== null ? [run.analysisId] : [run.datasetVersionId, run.embeddingSetId ?? -1],
    )
  ).rows[0];
  const strength = new Map<string, number>();
  for (const a of analysis?.results?.associations ?? []) {
    if (typeof a.column !== "string" || typeof a.cramersV !== "number") continue;
    const p = typeof a.pValue === "number" ? a.pValue : 1;
    if (a.cramersV >= ASSOCIATED_MIN_V && p <= ASSOCIATED_MAX_P) strength.set(a.column, Math.max(strength.get(a.column) ?? 0, a.cramersV));
  }
  const associated = new Set(strength.keys());
  const declared = new Set(declaredOf(run.params));
  const hasSite = (
    await sql.query<{ yes: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId"
       WHERE d."versionId" = $1 AND (s."siteId" IS NOT NULL OR COALESCE(s.metadata->>'site', '') <> '')) AS yes`,
      [run.datasetVersionId],
    )
  ).rows[0]?.yes;
  const columns = [...declared];
  for (const c of [...associated].sort((a, b) => strength.get(b)! - strength.get(a)! || (a < b ? -1 : 1))) if (!columns.includes(c)) columns.push(c);
  if (hasSite && !columns.includes("site")) columns.push("site");
  return { columns, associated, declared, analysisId: analysis?.id ?? null };
}

// "site" is the manifest's own site column when a sample has one, else the sample's site code — as
// loadEmbeddingMatrix gives it to the engine.
const LEVEL = `CASE WHEN c.col = 'site' THEN COALESCE(NULLIF(s.metadata->>'site', ''), st.code) ELSE NULLIF(s.metadata->>c.col, '') END`;

interface CountRow { column: string; label: string; level: string | null; n: number }

/** Pool counts per column × label × level: the version's samples with a vector in the set (all samples without a set). */
export async function poolCounts(sql: SqlClient, versionId: number, setId: number | null, columns: string[]): Promise<CountRow[]> {
  if (columns.length === 0) return [];
  return (
    await sql.query<CountRow>(
      `SELECT c.col AS "column", s.label, ${LEVEL} AS level, count(*)::int AS n
       FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" LEFT JOIN "Site" st ON st.id = s."siteId"
       CROSS JOIN unnest($3::text[]) AS c(col)
       WHERE d."versionId" = $1 AND ($2::int IS NULL OR EXISTS (SELECT 1 FROM "EmbeddingVector" v WHERE v."setId" = $2 AND v."sampleId" = d."sampleId"))
       GROUP BY 1, 2, 3`,
      [versionId, setId, columns],
    )
  ).rows;
}

/** Selection counts per run × column × label × level. */
export async function selectionCounts(sql: SqlClient, runIds: number[], columns: string[]): Promise<(CountRow & { runId: number })[]> {
  if (columns.length === 0 || runIds.length === 0) return [];
  return (
    await sql.query<CountRow & { runId: number }>(
      `SELECT i."runId", c.col AS "column", s.label, ${LEVEL} AS level, count(*)::int AS n
       FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId" LEFT JOIN "Site" st ON st.id = s."siteId"
       CROSS JOIN unnest($2::text[]) AS c(col)
       WHERE i."runId" = ANY($1::int[])
       GROUP BY 1, 2, 3, 4`,
      [runIds, columns],
    )
  ).rows;
}

export interface ComposedColumn {
  column: string;
  associated: boolean;
  /** Per run. */
  declared: boolean[];
  pool: engine.Composition;
  /** Per run, on the pool's classes and levels. */
  selections: engine.Composition[];
}

/**
 * Compositions of several runs of one version (pool = the first run's embedding set). Columns are the
 * union of each run's columns, so runs are compared on the same ones.
 */
export async function composeRuns(sql: SqlClient, runs: RunRef[]): Promise<ComposedColumn[]> {
  if (runs.length === 0) return [];
  const perRun = [];
  for (const r of runs) perRun.push(await runColumns(sql, r));
  const columns: string[] = [];
  for (const rc of perRun) for (const c of rc.columns) if (!columns.includes(c)) columns.push(c);
  const first = runs[0]!;
  const pool = await poolCounts(sql, first.datasetVersionId, first.embeddingSetId, columns);
  const sel = await selectionCounts(sql, runs.map((r) => r.dbId), columns);
  const out: ComposedColumn[] = [];
  const cellsOf = (rows: CountRow[]) => rows.map((c) => ({ label: c.label, level: c.level, count: c.n }));
  for (const column of columns) {
    const poolCells = pool.filter((r) => r.column === column);
    const selCells = runs.map((r) => sel.filter((s) => s.runId === r.dbId && s.column === column));
    const poolLevels = new Set(poolCells.map((r) => r.level).filter((l) => l !== null));
    const isDeclared = perRun.map((rc) => rc.declared.has(column));
    if (poolLevels.size === 0) continue; // no sample has a value
    // Too many levels to chart: keep it only when a run declared it (declared columns are capped at start).
    if (poolLevels.size > MAX_LEVELS && !isDeclared.some(Boolean)) continue;
    // Pool and every selection on the same classes and levels, so bars line up.
    const labels = new Set([...poolCells, ...selCells.flat()].map((r) => r.label));
    const levels = new Set([...poolCells, ...selCells.flat()].map((r) => r.level));
    out.push({
      column,
      associated: perRun.some((rc) => rc.associated.has(column)),
      declared: isDeclared,
      pool: engine.composition(cellsOf(poolCells), labels, levels),
      selections: selCells.map((cells) => engine.composition(cellsOf(cells), labels, levels)),
    });
  }
  return out;
}
