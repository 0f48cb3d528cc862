import { GraphQLError } from "graphql";
import { createQualityJob, type DataQualityReport as Row } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfSample, consortiumOfVersion } from "../../auth/scope.js";
import { audit } from "../../audit/audit.js";
import { AppError, AppErrors } from "../../graphql/errors.js";
import { decodeId, decodeIdOrNull } from "../../graphql/ids.js";
import { byId } from "../../graphql/loaders.js";
import { samplesWithSites } from "../sample/sample.service.js";
import { enqueueJob } from "../../jobs/enqueue.js";
import type { QualityParams } from "../../jobs/handlers/quality.js";
import { Job } from "../job/job.type.js";
import { Sample } from "../sample/sample.type.js";
import { DataQualityReport, SimilarSample, SimilarSamplesResult } from "./data-quality.type.js";
import { QUALITY_BOUNDS, type DataQualityParamsInput, type DataQualityStartInput } from "./data-quality.input.js";
import { search, searchEntry } from "./similarity.js";

export function reportLoader(ctx: Context) {
  return ctx.loader("dataQualityReportById", () => byId<Row>((ids) => ctx.prisma.dataQualityReport.findMany({ where: { id: { in: ids } } })));
}

export async function visibleReport(ctx: Context, id: number): Promise<DataQualityReport | null> {
  const row = await reportLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)))) return null;
  return DataQualityReport.from(row);
}

/**
 * The stored parameters, defaults filled in, every range checked: a VALIDATION error on
 * input.params.<field> naming the range and the value, for each bad field (nothing is written).
 */
export function qualityParams(input: DataQualityParamsInput | null | undefined, set: { count: number }): QualityParams {
  const errors: AppError[] = [];
  const bad = (field: string, message: string) => errors.push(new AppError("VALIDATION", `${field}: ${message}`, ["params", field]));
  const t = input?.threshold ?? null;
  if (t !== null && !(Number.isFinite(t) && t > QUALITY_BOUNDS.threshold.min && t <= QUALITY_BOUNDS.threshold.max)) {
    bad("threshold", `expected a cosine distance in (${QUALITY_BOUNDS.threshold.min}, ${QUALITY_BOUNDS.threshold.max}], got ${t}`);
  }
  const int = (field: "k" | "outlierK", fallback: number): number => {
    const v = input?.[field] ?? fallback;
    const { min, max } = QUALITY_BOUNDS[field];
    if (!Number.isInteger(v) || v < min || v > max) bad(field, `expected an integer in ${min}..${max}, got ${v}`);
    else if (v >= set.count && set.count > 1 && input?.[field] != null) bad(field, `expected fewer than the ${set.count} samples of this embedding set, got ${v}`);
    return v;
  };
  const k = int("k", 10);
  const outlierK = int("outlierK", 10);
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new AppErrors(errors);
  return {
    threshold: t,
    k,
    outlierK,
    outlierMetric: input?.outlierMetric ?? "euclidean",
    labelErrors: input?.labelErrors ?? "knn",
    seed: input?.seed ?? 0,
    crossVersions: input?.crossVersions ?? true,
  };
}

export async function startDataQuality(ctx: Context, input: DataQualityStartInput) {
  const versionId = decodeId(input.datasetVersionId, "DatasetVersion", ["datasetVersionId"]);
  const setId = decodeId(input.embeddingSetId, "EmbeddingSet", ["embeddingSetId"]);
  const access = await requireRole(ctx, await consortiumOfVersion(ctx, versionId), "CURATOR", ["datasetVersionId"], "dataset version");
  const set = await ctx.prisma.embeddingSet.findUnique({ where: { id: setId } });
  if (!set || set.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no embedding set of this version has this ID", ["embeddingSetId"]);
  if (set.status !== "COMPLETE") throw new AppError("INVALID_STATE", `the embedding set is ${set.status}; expected COMPLETE`, ["embeddingSetId"]);
  if (set.count < 2) throw new AppError("INVALID_STATE", `the embedding set has ${set.count} vectors; expected at least 2`, ["embeddingSetId"]);
  const params = qualityParams(input.params, set);
  // @stratum/db writes the report and its Job row (with its final payload) in one transaction; the audit row joins it.
  const { reportId, jobId } = await createQualityJob(
    ctx.app.store,
    { consortiumId: access.consortiumId, datasetVersionId: versionId, embeddingSetId: setId, params: { ...params }, createdById: ctx.viewer!.userId },
    (tx, created) => audit(tx, ctx, "dataQualityStart", { type: "DataQualityReport", id: created.reportId, consortiumId: access.consortiumId }, { params, jobId: created.jobId }),
  );
  await enqueueJob(ctx.app, jobId);
  const [report, job] = await Promise.all([
    ctx.prisma.dataQualityReport.findUniqueOrThrow({ where: { id: reportId } }),
    ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }),
  ]);
  return { report: DataQualityReport.from(report), job: Job.from(job) };
}

/** Words for an outlier rank, from the stored score and the class summary (not stored per sample). */
export function outlierReason(
  row: { label: string; outlierScore: number | null; outlierRatio: number | null; outlierRank: number },
  cls: { size: number; medianScore: number | null; k: number } | undefined,
  metric: string,
): string {
  if (row.outlierScore === null || !cls) return `only sample of class "${row.label}"`;
  const ratio = row.outlierRatio === null ? "∞" : row.outlierRatio.toFixed(1);
  return `mean ${metric} distance to its ${cls.k} nearest "${row.label}" samples ${row.outlierScore.toFixed(3)}, ${ratio}× the class median ${(cls.medianScore ?? 0).toFixed(3)}; rank ${row.outlierRank + 1} of ${cls.size} in "${row.label}"`;
}

function queryError(code: string, argumentName: string, message: string): GraphQLError {
  return new GraphQLError(`${argumentName}: ${message}`, { extensions: { code, argumentName } });
}

export const SIMILAR_MAX = 100;

/**
 * similarSamples: the `first` samples of the set's version most like the sample, by cosine similarity.
 * Null when the caller cannot see the sample or the set, or they belong to different consortia. The
 * query sample may be of another version: its vector of the same model is used.
 *
 * Queries per warm request: the set row, then the result samples with their sites in one statement
 * (priming the sample and site loaders, so the items' `site`, `uri` and `imageUrl` read no more). Who
 * may ask: a reader of the set's consortium (canRead on the version's owner). When the query sample is
 * a row of the set's own search structure it is a sample of the set's version (loadEmbeddingMatrix
 * reads only the version's samples), so it belongs to that consortium and the separate
 * sample → dataset → project check is skipped; any other sample still goes through it. Site scoping is
 * unchanged: a site-scoped member gets other sites' samples without their URI or image (seesSite).
 */
export async function similarSamples(ctx: Context, sampleGlobalId: string, setGlobalId: string, first: number): Promise<SimilarSamplesResult | null> {
  if (!Number.isInteger(first) || first < 1 || first > SIMILAR_MAX) throw queryError("BAD_USER_INPUT", "first", `expected an integer in 1..${SIMILAR_MAX}, got ${first}`);
  const sampleId = decodeIdOrNull(sampleGlobalId, "Sample");
  const setId = decodeIdOrNull(setGlobalId, "EmbeddingSet");
  if (sampleId === null || setId === null) return null;
  const set = await ctx.prisma.embeddingSet.findUnique({
    where: { id: setId },
    select: { id: true, datasetVersionId: true, modelId: true, dim: true, status: true, count: true, completedAt: true },
  });
  if (!set) return null;
  const consortiumId = await consortiumOfVersion(ctx, set.datasetVersionId);
  if (consortiumId === null || !(await canRead(ctx, consortiumId))) return null;
  if (set.status !== "COMPLETE") {
    // another consortium's sample is as unknown as a missing one, even for a member of both
    if ((await consortiumOfSample(ctx, sampleId)) !== consortiumId) return null;
    throw queryError("INVALID_STATE", "embeddingSetId", `the embedding set is ${set.status}; expected COMPLETE`);
  }
  const { warm, entry: pending } = searchEntry(ctx.app.store, set);
  const entry = await pending;
  let query: number | Float32Array | undefined = entry.rowOfSample.get(sampleId);
  if (query === undefined) {
    // Not a sample of this set's version: it must be of the same consortium (else unknown, even to a
    // member of both), and its vector comes from a set of the same model, if any.
    if ((await consortiumOfSample(ctx, sampleId)) !== consortiumId) return null;
    const r = await ctx.prisma.embeddingVector.findFirst({ where: { sampleId, set: { modelId: set.modelId, dim: set.dim } }, select: { vector: true } });
    const bytes = r?.vector;
    if (!bytes || bytes.length !== set.dim * 4) throw queryError("NOT_FOUND", "sampleId", "the sample has no vector of this embedding set's model");
    query = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  const hit = search(entry, query, first);
  const ids = Array.from(hit.rows, (row) => entry.sampleIds[row]!);
  const rows = await samplesWithSites(ctx, ids);
  const items: SimilarSample[] = [];
  ids.forEach((id, i) => {
    const row = rows.get(id);
    if (row) items.push(Object.assign(new SimilarSample(), { sample: Sample.from(row, consortiumId), score: hit.scores[i]! }));
  });
  return Object.assign(new SimilarSamplesResult(), { items, method: hit.method, evaluated: hit.evaluated, warm });
}
