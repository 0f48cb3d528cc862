// QUALITY: data-quality findings for one DataQualityReport (issue 14) — exact duplicates (same image
// sha256), near-duplicates (cosine distance ≤ threshold), both flagged across sites, across this version
// and the consortium's other datasets embedded with the same model (leakage into a test split) and
// across labels; outliers per class; likely label errors (confident learning). One cosine kNN graph of
// the version serves near-duplicates and the kNN label-error probabilities. Everything is written in
// ONE transaction at the end, together with the job's SUCCEEDED mark.
import * as engine from "@stratum/engine";
import { insertColumns, loadEmbeddingMatrix, NOW_UTC, type EmbeddingMatrix, type SqlClient } from "@stratum/db";
import type { JobContext, JobHandler } from "../types.js";
import { JobInputError } from "../types.js";
import { payloadId } from "./select.js";

/** What DataQualityReport.params holds (written by dataQualityStart, defaults filled in). */
export interface QualityParams {
  /** Cosine distance 1 − cos, in (0, 2]; null = the engine's default from the nearest-neighbour distances. */
  threshold: number | null;
  k: number;
  outlierK: number;
  outlierMetric: "euclidean" | "cosine";
  labelErrors: "knn" | "probe";
  seed: number;
  /** Compare with the latest version of every other dataset of the consortium embedded with the same model. */
  crossVersions: boolean;
}

/** Rows of other versions compared at most (their vectors are held beside the version's). */
export const CROSS_VERSION_MAX_ROWS = 200_000;
/** Neighbours looked up in the version for each row of another version. */
const CROSS_K = 5;

interface ReportRow {
  id: number;
  datasetVersionId: number;
  embeddingSetId: number;
  params: QualityParams;
}

interface OtherSet {
  setId: number;
  versionId: number;
  dataset: string;
  number: number;
}

/** The latest version of each other dataset of the consortium with a COMPLETE set of this set's model and dimension. */
async function otherSets(sql: SqlClient, setId: number): Promise<OtherSet[]> {
  const r = await sql.query<OtherSet>(
    `SELECT DISTINCT ON (dv."datasetId") es2.id AS "setId", dv.id AS "versionId", d.name AS dataset, dv.number
     FROM "EmbeddingSet" es
     JOIN "DatasetVersion" own ON own.id = es."datasetVersionId"
     JOIN "Dataset" od ON od.id = own."datasetId"
     JOIN "Project" op ON op.id = od."projectId"
     JOIN "EmbeddingSet" es2 ON es2."modelId" = es."modelId" AND es2.dim = es.dim AND es2.status = 'COMPLETE'
     JOIN "DatasetVersion" dv ON dv.id = es2."datasetVersionId"
     JOIN "Dataset" d ON d.id = dv."datasetId"
     JOIN "Project" p ON p.id = d."projectId"
     WHERE es.id = $1 AND p."consortiumId" = op."consortiumId" AND dv."datasetId" <> own."datasetId"
     ORDER BY dv."datasetId", dv.number DESC`,
    [setId],
  );
  return r.rows;
}

async function hashesOf(sql: SqlClient, sampleIds: ArrayLike<number>): Promise<(string | null)[]> {
  const ids = Array.from(sampleIds);
  const r = await sql.query<{ id: number; sha256: string | null }>(`SELECT id, sha256 FROM "Sample" WHERE id = ANY($1::int[])`, [ids]);
  const byId = new Map(r.rows.map((row) => [row.id, row.sha256]));
  return ids.map((id) => byId.get(id) ?? null);
}

const rowOf = (m: EmbeddingMatrix, row: number): Float32Array => m.points.subarray(row * m.dim, (row + 1) * m.dim);

interface StoredSet {
  kind: "EXACT" | "NEAR";
  index: number;
  set: engine.DuplicateSet;
}

export const qualityHandler: JobHandler = {
  kind: "QUALITY",

  async onStart(sql, job) {
    await sql.query(`UPDATE "DataQualityReport" SET status = 'RUNNING', error = NULL WHERE id = $1`, [payloadId(job, "reportId")]);
  },

  async onEnd(sql, job, status, error) {
    await sql.query(`UPDATE "DataQualityReport" SET status = $2::"RunStatus", error = $3, "completedAt" = ${NOW_UTC} WHERE id = $1`, [
      payloadId(job, "reportId"),
      status,
      error,
    ]);
  },

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const reportId = payloadId(ctx.job, "reportId");
    const report = (await sql.query<ReportRow>(`SELECT id, "datasetVersionId", "embeddingSetId", params FROM "DataQualityReport" WHERE id = $1`, [reportId])).rows[0];
    if (!report) throw new JobInputError("NOT_FOUND", "reportId", `data-quality report ${reportId} does not exist`);
    const p = report.params;
    ctx.progress("loading", 0, 0);
    const m = await loadEmbeddingMatrix(sql, report.embeddingSetId, { onRows: (done) => ctx.progress("loading", done, 0) });
    if (m.n < 2) throw new JobInputError("EMPTY_POOL", "embeddingSet", `embedding set ${report.embeddingSetId} has ${m.n} vectors; expected at least 2`);
    const hashes = await hashesOf(sql, m.sampleIds);
    await ctx.step();

    // Other datasets' latest versions, as long as their rows fit.
    const others: { set: OtherSet; m: EmbeddingMatrix; hashes: (string | null)[] }[] = [];
    const skippedVersions: { versionId: number; dataset: string; reason: string }[] = [];
    if (p.crossVersions) {
      let rows = 0;
      for (const set of await otherSets(sql, report.embeddingSetId)) {
        const count = Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "EmbeddingVector" WHERE "setId" = $1`, [set.setId])).rows[0]?.n ?? 0);
        if (rows + count > CROSS_VERSION_MAX_ROWS) {
          skippedVersions.push({ versionId: set.versionId, dataset: set.dataset, reason: `more than ${CROSS_VERSION_MAX_ROWS} rows of other versions` });
          continue;
        }
        ctx.progress("loading other versions", others.length, 0);
        const om = await loadEmbeddingMatrix(sql, set.setId);
        if (om.n === 0) continue;
        rows += om.n;
        others.push({ set, m: om, hashes: await hashesOf(sql, om.sampleIds) });
        await ctx.step();
      }
    }

    const points: engine.Points = { data: m.points, n: m.n, dim: m.dim };
    const sites = m.metadata.site ?? new Array<string | null>(m.n).fill(null);
    const k = Math.min(p.k, m.n - 1);
    ctx.progress("neighbours", 0, m.n);
    const graph = engine.cosineKnn(points, k, { seed: p.seed });
    await ctx.step();
    ctx.progress("near duplicates", 0, 1);
    const near = engine.nearDuplicates(points, { labels: m.labels, sites, k, seed: p.seed, graph, ...(p.threshold !== null ? { threshold: p.threshold } : {}) });
    await ctx.step();

    // Combined rows: 0..n-1 this version, then each other version's rows in order.
    const ownVersion = String(report.datasetVersionId);
    const allSites: (string | null)[] = [...sites];
    const allLabels: (string | null)[] = [...m.labels];
    const allSplits: (string | null)[] = new Array<string | null>(m.n).fill(ownVersion);
    const allHashes: (string | null)[] = [...hashes];
    const allSampleIds: number[] = Array.from(m.sampleIds);
    const allVersionIds: number[] = new Array<number>(m.n).fill(report.datasetVersionId);
    const crossPairs: engine.DuplicatePair[] = [];
    const compared: { versionId: number; dataset: string; number: number; rows: number; pairs: number }[] = [];
    if (others.length > 0) {
      const total = others.reduce((s, o) => s + o.m.n, 0);
      let done = 0;
      // Exact search over the version for small sets; the engine's index above its exact limit.
      const index = m.n > 2000 ? engine.buildSimilarityIndex(points, { seed: p.seed, graph }) : null;
      const kq = Math.min(CROSS_K, m.n);
      for (const o of others) {
        const offset = allSampleIds.length;
        const site = o.m.metadata.site ?? new Array<string | null>(o.m.n).fill(null);
        let pairs = 0;
        for (let j = 0; j < o.m.n; j++) {
          const q = rowOf(o.m, j);
          const hit = index ? engine.similarTo(index, q, kq) : engine.exactSimilar(points, q, kq, { exclude: -1 });
          for (let t = 0; t < hit.rows.length; t++) {
            const distance = Math.max(0, 1 - hit.scores[t]!);
            if (distance > near.threshold) break;
            crossPairs.push({ a: hit.rows[t]!, b: offset + j, distance });
            pairs++;
          }
          allSites.push(site[j] ?? null);
          allLabels.push(o.m.labels[j]!);
          allSplits.push(String(o.set.versionId));
          allHashes.push(o.hashes[j] ?? null);
          allSampleIds.push(o.m.sampleIds[j]!);
          allVersionIds.push(o.set.versionId);
          if (++done % 256 === 0) ctx.progress("other versions", done, total);
        }
        compared.push({ versionId: o.set.versionId, dataset: o.set.dataset, number: o.set.number, rows: o.m.n, pairs });
        await ctx.step();
      }
    }
    const tags = { sites: allSites, labels: allLabels, splits: allSplits };
    const N = allSampleIds.length;
    const touchesOwn = (s: engine.DuplicateSet) => s.rows[0]! < m.n; // rows ascending: own rows come first
    const nearSets = (crossPairs.length > 0 ? engine.duplicateSets(N, [...near.pairs, ...crossPairs], tags) : engine.duplicateSets(N, near.pairs, tags)).filter(touchesOwn);
    const exactSets = engine.exactDuplicates(allHashes, tags).filter(touchesOwn);
    await ctx.step();

    ctx.progress("outliers", 0, 1);
    const outliers = engine.classOutliers(points, m.labels, { k: p.outlierK, metric: p.outlierMetric, seed: p.seed });
    await ctx.step();
    ctx.progress("label errors", 0, 1);
    const errors = engine.labelErrors(points, m.labels, { probabilities: p.labelErrors, k, seed: p.seed, graph });
    await ctx.step();

    // Stored (and listed, by id) flagged first: leakage, then two sites, then two labels; then larger sets.
    const priority = (s: engine.DuplicateSet) => (s.crossSplit ? 4 : 0) + (s.crossSite ? 2 : 0) + (s.conflictingLabels ? 1 : 0);
    const ordered = (sets: engine.DuplicateSet[]) => [...sets].sort((a, b) => priority(b) - priority(a) || b.rows.length - a.rows.length || a.rows[0]! - b.rows[0]!);
    const stored: StoredSet[] = [
      ...ordered(exactSets).map((set, index) => ({ kind: "EXACT" as const, index, set })),
      ...ordered(nearSets).map((set, index) => ({ kind: "NEAR" as const, index, set })),
    ].sort((a, b) => priority(b.set) - priority(a.set) || (a.kind === b.kind ? a.index - b.index : a.kind === "EXACT" ? -1 : 1));
    const count = (kind: string, flag: "crossSite" | "crossSplit" | "conflictingLabels") => stored.filter((s) => s.kind === kind && s.set[flag]).length;
    const results = {
      n: m.n,
      dim: m.dim,
      threshold: near.threshold,
      thresholdRule: near.thresholdRule,
      medianNearest: near.medianNearest,
      graph: graph.method,
      k,
      nearDuplicates: { sets: nearSets.length, pairs: near.pairs.length + crossPairs.length, crossSite: count("NEAR", "crossSite"), crossSplit: count("NEAR", "crossSplit"), conflictingLabels: count("NEAR", "conflictingLabels") },
      exactDuplicates: { sets: exactSets.length, hashed: hashes.filter((h) => h).length, crossSite: count("EXACT", "crossSite"), crossSplit: count("EXACT", "crossSplit"), conflictingLabels: count("EXACT", "conflictingLabels") },
      outliers: { k: outliers.k, metric: outliers.metric, perClass: outliers.perClass.map((c) => ({ ...c, medianScore: Number.isFinite(c.medianScore) ? c.medianScore : null })) },
      labelErrors: { method: errors.method, issueCount: errors.issueCount, classes: errors.classes, thresholds: Array.from(errors.thresholds, (t) => (Number.isFinite(t) ? t : null)) },
      crossVersions: { compared, skipped: skippedVersions },
    };
    const finite = (v: number) => (Number.isFinite(v) ? v : null);

    ctx.progress("writing", 0, m.n);
    await ctx.commit(async (tx) => {
      await tx.query(`DELETE FROM "DataQualityDuplicateSet" WHERE "reportId" = $1`, [reportId]);
      await tx.query(`DELETE FROM "DataQualitySample" WHERE "reportId" = $1`, [reportId]);
      const idOf = new Map<string, number>();
      for (let start = 0; start < stored.length; start += 5000) {
        const chunk = stored.slice(start, start + 5000);
        const r = await tx.query<{ id: number; kind: string; index: number }>(
          `INSERT INTO "DataQualityDuplicateSet" ("reportId", kind, index, size, "maxDistance", "crossSite", "crossSplit", "conflictingLabels", sites, labels, versions)
           SELECT $1, k::"DuplicateKind", i, s, d, cs, cp, cl, si::jsonb, la::jsonb, ve::jsonb
           FROM unnest($2::text[], $3::int[], $4::int[], $5::float8[], $6::bool[], $7::bool[], $8::bool[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY AS t(k, i, s, d, cs, cp, cl, si, la, ve, ord)
           ORDER BY ord
           RETURNING id, kind::text AS kind, index`,
          [
            reportId,
            chunk.map((s) => s.kind),
            chunk.map((s) => s.index),
            chunk.map((s) => s.set.rows.length),
            chunk.map((s) => s.set.maxDistance),
            chunk.map((s) => s.set.crossSite),
            chunk.map((s) => s.set.crossSplit),
            chunk.map((s) => s.set.conflictingLabels),
            chunk.map((s) => JSON.stringify(s.set.sites ?? [])),
            chunk.map((s) => JSON.stringify(s.set.labels ?? [])),
            chunk.map((s) => JSON.stringify(s.set.splits ?? [])),
          ],
        );
        for (const row of r.rows) idOf.set(`${row.kind}:${row.index}`, row.id);
      }
      const memberSet: number[] = [], memberSample: number[] = [], memberVersion: number[] = [];
      for (const s of stored) {
        const setId = idOf.get(`${s.kind}:${s.index}`)!;
        for (const row of s.set.rows) {
          memberSet.push(setId);
          memberSample.push(allSampleIds[row]!);
          memberVersion.push(allVersionIds[row]!);
        }
      }
      await insertColumns(tx, "DataQualityDuplicateMember", [
        { name: "setId", type: "int", values: memberSet },
        { name: "sampleId", type: "int", values: memberSample },
        { name: "versionId", type: "int", values: memberVersion },
      ]);
      await insertColumns(tx, "DataQualitySample", [
        { name: "reportId", type: "int", values: new Array<number>(m.n).fill(reportId) },
        { name: "sampleId", type: "int", values: m.sampleIds },
        { name: "label", type: "text", values: m.labels },
        { name: "outlierScore", type: "float8", values: Array.from(outliers.scores, finite) },
        { name: "outlierRatio", type: "float8", values: Array.from(outliers.ratios, finite) },
        { name: "outlierRank", type: "int", values: outliers.ranks },
        { name: "labelErrorScore", type: "float8", values: errors.scores },
        { name: "suggestedLabel", type: "text", values: errors.suggested },
        { name: "labelIssue", type: "bool", values: Array.from(errors.issues, (v) => v === 1) },
      ]);
      await tx.query(`UPDATE "DataQualityReport" SET status = 'SUCCEEDED', results = $2::jsonb, error = NULL, "completedAt" = ${NOW_UTC} WHERE id = $1`, [
        reportId,
        JSON.stringify(results),
      ]);
      return {
        reportId,
        threshold: near.threshold,
        nearSets: nearSets.length,
        exactSets: exactSets.length,
        labelIssues: errors.issueCount,
        comparedVersions: compared.length,
      };
    });
  },
};
