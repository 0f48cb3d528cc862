// Score columns of the map (issue 14): GET /analyses/:id/layout/columns/:name with a reserved name gives
// a data-quality figure over the layout's points, in the layout's order, as an STC1 frame like the
// metadata columns, so the map colours by it the same way:
//   quality:outlier     outlierRatio (score over its class median; comparable across classes), numbers
//   quality:labelError  labelErrorScore (1 − p̂(given label), out of sample), numbers
//   quality:duplicate   duplicate membership: "exact", "near" (+ " · cross-site", " · cross-split",
//                       " · two labels"), "none"; a category
//   similar:<Sample ID> cosine similarity to that sample in the analysis' embedding set, numbers
// The figures come from the version's newest SUCCEEDED report (of the analysis' embedding set if it has
// one, else any); without a report the quality columns answer 404 with code NO_REPORT. A metadata key
// spelled like a reserved name is shadowed by it.
import type { Prisma, Store } from "@stratum/db";
import * as engine from "@stratum/engine";
import { encodeLayoutColumn, encodeNumberColumn } from "@stratum/formats/layout";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { searchEntry } from "./similarity.js";

export const QUALITY_COLUMNS = ["quality:outlier", "quality:labelError", "quality:duplicate"] as const;
export const SIMILAR_PREFIX = "similar:";

export function isScoreColumn(name: string): boolean {
  return (QUALITY_COLUMNS as readonly string[]).includes(name) || name.startsWith(SIMILAR_PREFIX);
}

export type ScoreColumnResult = { frame: Uint8Array } | { status: 404; code: "NO_REPORT" | "NOT_FOUND"; message: string };

interface Analysis {
  id: number;
  datasetVersionId: number;
  embeddingSetId: number;
}

/** The layout's sample ids, in its order (ORDER BY groupId, sampleId: the same as the layout frame). */
async function layoutSamples(store: Store, analysisId: number): Promise<number[]> {
  // Raw: a map column reads one row per point — 203 ms against 261 ms for Prisma's findMany at 20,000
  // members (PGlite, load 7; bench-server-reads.mjs "map columns"). The score reads below are raw for the same reason.
  const r = await store.sql.query<{ sampleId: number }>(
    `SELECT m."sampleId" FROM "ConfounderGroupMember" m JOIN "ConfounderGroup" g ON g.id = m."groupId"
      WHERE g."analysisId" = $1 ORDER BY m."groupId", m."sampleId"`,
    [analysisId],
  );
  return r.rows.map((row) => row.sampleId);
}

async function reportFor(store: Store, a: Analysis): Promise<number | null> {
  // The version's newest SUCCEEDED report of the analysis' own embedding set, else of any set.
  const newest = (where: Prisma.DataQualityReportWhereInput) =>
    store.prisma.dataQualityReport.findFirst({ where: { datasetVersionId: a.datasetVersionId, status: "SUCCEEDED", ...where }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
  const r = (await newest({ embeddingSetId: a.embeddingSetId })) ?? (await newest({}));
  return r?.id ?? null;
}

/**
 * The frame of a reserved column for the analysis. The caller has checked that the viewer may read the
 * analysis; `consortiumOfSample` tells whether a `similar:` sample is of the same consortium (else 404).
 */
export async function scoreColumn(store: Store, a: Analysis, name: string, consortiumOfSample: (id: number) => Promise<boolean>): Promise<ScoreColumnResult> {
  if (name.startsWith(SIMILAR_PREFIX)) {
    const sampleId = decodeIdOrNull(name.slice(SIMILAR_PREFIX.length), "Sample");
    const notFound = { status: 404 as const, code: "NOT_FOUND" as const, message: "no sample with this ID is visible to you in this analysis' embedding set" };
    if (sampleId === null || !(await consortiumOfSample(sampleId))) return notFound;
    const set = await store.prisma.embeddingSet.findUnique({ where: { id: a.embeddingSetId } });
    if (!set) return notFound;
    const entry = await searchEntry(store, set).entry;
    const row = entry.rowOfSample.get(sampleId);
    if (row === undefined) return notFound;
    const ids = await layoutSamples(store, a.id);
    const rows = Int32Array.from(ids, (id) => entry.rowOfSample.get(id) ?? -1);
    return { frame: encodeNumberColumn(name, engine.similarityToRows(entry.points, row, rows, { inv: entry.inv })) };
  }
  const reportId = await reportFor(store, a);
  if (reportId === null) {
    return { status: 404, code: "NO_REPORT", message: "the analysis' version has no finished data-quality report; run a data-quality pass first" };
  }
  const ids = await layoutSamples(store, a.id);
  if (name === "quality:duplicate") {
    const r = await store.sql.query<{ sampleId: number; exact: boolean; crossSite: boolean; crossSplit: boolean; twoLabels: boolean }>(
      `SELECT m."sampleId", bool_or(s.kind = 'EXACT') AS exact, bool_or(s."crossSite") AS "crossSite",
              bool_or(s."crossSplit") AS "crossSplit", bool_or(s."conflictingLabels") AS "twoLabels"
         FROM "DataQualityDuplicateMember" m JOIN "DataQualityDuplicateSet" s ON s.id = m."setId"
        WHERE s."reportId" = $1 AND m."versionId" = $2 GROUP BY m."sampleId"`,
      [reportId, a.datasetVersionId],
    );
    const by = new Map(
      r.rows.map((d) => [d.sampleId, [d.exact ? "exact" : "near", d.crossSite ? "cross-site" : "", d.crossSplit ? "cross-split" : "", d.twoLabels ? "two labels" : ""].filter(Boolean).join(" · ")]),
    );
    const covered = await store.sql.query<{ sampleId: number }>(`SELECT "sampleId" FROM "DataQualitySample" WHERE "reportId" = $1`, [reportId]);
    const inReport = new Set(covered.rows.map((c) => c.sampleId));
    return { frame: encodeLayoutColumn(name, ids.map((id) => by.get(id) ?? (inReport.has(id) ? "none" : null))) };
  }
  const field = name === "quality:outlier" ? `CASE WHEN "outlierRatio" IS NOT NULL THEN "outlierRatio" WHEN "outlierScore" IS NOT NULL THEN 'Infinity'::float8 END` : `"labelErrorScore"`;
  const r = await store.sql.query<{ sampleId: number; v: number | null }>(`SELECT "sampleId", ${field} AS v FROM "DataQualitySample" WHERE "reportId" = $1`, [reportId]);
  const by = new Map(r.rows.map((row) => [row.sampleId, row.v]));
  // f32 has no room for ∞ on a colour scale: an infinite ratio (class median 0) is drawn as the largest finite one.
  let max = 0;
  for (const v of by.values()) if (v !== null && Number.isFinite(v) && v > max) max = v;
  const out = Float32Array.from(ids, (id) => {
    const v = by.get(id);
    return v === undefined || v === null ? NaN : Number.isFinite(v) ? v : max;
  });
  return { frame: encodeNumberColumn(name, out) };
}
