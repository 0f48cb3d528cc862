import * as engine from "@stratum/engine";
import { createAnalysisJob, type ConfounderAnalysis as Row, type ConfounderGroup as GroupRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { audit } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { byId } from "../../graphql/loaders.js";
import { enqueueJob } from "../../jobs/enqueue.js";
import { Job } from "../job/job.type.js";
import { ConfounderAnalysis, ConfounderGroup } from "./analysis.type.js";
import type { AnalysisStartInput, ConfounderGroupRenameInput, ConfounderGroupSetVerdictInput } from "./analysis.input.js";

export function analysisLoader(ctx: Context) {
  return ctx.loader("analysisById", () => byId<Row>((ids) => ctx.prisma.confounderAnalysis.findMany({ where: { id: { in: ids } } })));
}

export function groupLoader(ctx: Context) {
  return ctx.loader("groupById", () => byId<GroupRow>((ids) => ctx.prisma.confounderGroup.findMany({ where: { id: { in: ids } } })));
}

export async function visibleAnalysis(ctx: Context, id: number): Promise<ConfounderAnalysis | null> {
  const row = await analysisLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)))) return null;
  return ConfounderAnalysis.from(row);
}

async function consortiumOfGroup(ctx: Context, group: GroupRow | null): Promise<number | null> {
  if (!group) return null;
  const analysis = await analysisLoader(ctx).load(group.analysisId);
  return analysis ? consortiumOfVersion(ctx, analysis.datasetVersionId) : null;
}

export async function visibleGroup(ctx: Context, id: number): Promise<ConfounderGroup | null> {
  const row = await groupLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfGroup(ctx, row)))) return null;
  return ConfounderGroup.from(row);
}

/** engine params from the GraphQL input, checked by the engine's own resolver (typed errors). */
export function analysisParams(input: AnalysisStartInput["params"]): engine.AnalyzeParams {
  const p: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input ?? {})) if (v !== null && v !== undefined) p[k] = v;
  try {
    engine.resolveAnalyzeParams(p as engine.AnalyzeParams);
  } catch (error) {
    if (error instanceof engine.EngineInputError) throw new AppError("VALIDATION", error.message, ["params", error.field]);
    throw error;
  }
  return p as engine.AnalyzeParams;
}

/**
 * Bounds that depend on the embedding set: n vectors of `dim` numbers. The engine would clamp some of
 * these per class, but a request for a graph as wide as the data is refused up front with a typed error
 * (VALIDATION on input.params.<name>), before any row is written.
 */
export function checkRelativeBounds(params: engine.AnalyzeParams, set: { count: number; dim: number }): void {
  const n = set.count;
  const fail = (field: string, message: string) => {
    throw new AppError("VALIDATION", `${field}: ${message}`, ["params", field]);
  };
  if (params.perplexity !== undefined && 3 * params.perplexity >= n) {
    fail("perplexity", `expected less than n/3 = ${(n / 3).toFixed(1)} for this embedding set of ${n} samples, got ${params.perplexity}`);
  }
  if (params.nNeighbors !== undefined && params.nNeighbors >= n) {
    fail("nNeighbors", `expected fewer than the ${n} samples of this embedding set, got ${params.nNeighbors}`);
  }
  if (params.minPts !== undefined && params.minPts > n) {
    fail("minPts", `expected at most the ${n} samples of this embedding set, got ${params.minPts}`);
  }
  if (params.pcaComponents !== undefined && params.pcaComponents > set.dim) {
    fail("pcaComponents", `expected at most the embedding dimension ${set.dim}, got ${params.pcaComponents}`);
  }
}

export async function startAnalysis(ctx: Context, input: AnalysisStartInput) {
  const versionId = decodeId(input.datasetVersionId, "DatasetVersion", ["datasetVersionId"]);
  const setId = decodeId(input.embeddingSetId, "EmbeddingSet", ["embeddingSetId"]);
  const access = await requireRole(ctx, await consortiumOfVersion(ctx, versionId), "CURATOR", ["datasetVersionId"], "dataset version");
  const set = await ctx.prisma.embeddingSet.findUnique({ where: { id: setId } });
  if (!set || set.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no embedding set of this version has this ID", ["embeddingSetId"]);
  if (set.status !== "COMPLETE") throw new AppError("INVALID_STATE", `the embedding set is ${set.status}; expected COMPLETE`, ["embeddingSetId"]);
  let parentId: number | null = null;
  if (input.parentId != null) {
    parentId = decodeId(input.parentId, "ConfounderAnalysis", ["parentId"]);
    const parent = await analysisLoader(ctx).load(parentId);
    if (!parent || parent.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no analysis of this version has this ID", ["parentId"]);
  }
  const params = analysisParams(input.params);
  checkRelativeBounds(params, set);
  // @stratum/db writes the analysis and its Job row (with its final payload) in one transaction; the audit row joins it.
  const { analysisId, jobId } = await createAnalysisJob(
    ctx.app.store,
    { consortiumId: access.consortiumId, datasetVersionId: versionId, embeddingSetId: setId, parentId, params: params as Record<string, unknown>, createdById: ctx.viewer!.userId },
    (tx, created) => audit(tx, ctx, "analysisStart", { type: "ConfounderAnalysis", id: created.analysisId, consortiumId: access.consortiumId }, { params, parentId, jobId: created.jobId }),
  );
  await enqueueJob(ctx.app, jobId);
  const [analysis, job] = await Promise.all([
    ctx.prisma.confounderAnalysis.findUniqueOrThrow({ where: { id: analysisId } }),
    ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }),
  ]);
  return { analysis: ConfounderAnalysis.from(analysis), job: Job.from(job) };
}

export async function setGroupVerdict(ctx: Context, input: ConfounderGroupSetVerdictInput, action = "confounderGroupSetVerdict") {
  const id = decodeId(input.groupId, "ConfounderGroup", ["groupId"]);
  const group = await groupLoader(ctx).load(id);
  const access = await requireRole(ctx, await consortiumOfGroup(ctx, group), "CURATOR", ["groupId"], "group");
  // A verdict given on one analysis' page must not land on a group of another (a stale or forged ID):
  // the same answer as for a group the caller cannot see.
  if (input.analysisId != null && input.analysisId !== "" && decodeId(input.analysisId, "ConfounderAnalysis", ["analysisId"]) !== group!.analysisId) {
    throw new AppError("NOT_FOUND", "no group of this analysis has this ID", ["groupId"]);
  }
  if (!["CONFIRMED", "REJECTED", "RENAMED"].includes(input.verdict)) {
    throw new AppError("VALIDATION", `verdict: expected CONFIRMED, REJECTED or RENAMED, got ${input.verdict}`, ["verdict"]);
  }
  if (input.verdict === "RENAMED" && !input.name) throw new AppError("VALIDATION", "name: expected a new name for a RENAMED verdict", ["name"]);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.confounderGroup.update({
      where: { id },
      data: {
        verdict: input.verdict,
        verdictById: ctx.viewer!.userId,
        verdictAt: new Date(),
        ...(input.name ? { name: input.name } : {}),
      },
    });
    await audit(tx, ctx, action, { type: "ConfounderGroup", id, consortiumId: access.consortiumId }, {
      verdict: input.verdict,
      name: input.name ?? null,
      previous: { verdict: group!.verdict, name: group!.name },
    });
    return ConfounderGroup.from(row);
  });
}

export function renameGroup(ctx: Context, input: ConfounderGroupRenameInput) {
  return setGroupVerdict(ctx, { groupId: input.groupId, analysisId: input.analysisId ?? null, verdict: "RENAMED", name: input.name }, "confounderGroupRename");
}
