import { createEmbeddingSetJobs, type EmbeddingSet as Row } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { audit } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { byId } from "../../graphql/loaders.js";
import { enqueueJob } from "../../jobs/enqueue.js";
import { jobLoader } from "../job/job.service.js";
import { Job } from "../job/job.type.js";
import { EmbeddingSet } from "./embedding-set.type.js";
import type { EmbeddingSetStartInput } from "./embedding-set.input.js";

export function setLoader(ctx: Context) {
  return ctx.loader("embeddingSetById", () => byId<Row>((ids) => ctx.prisma.embeddingSet.findMany({ where: { id: { in: ids } } })));
}

export async function visibleSet(ctx: Context, id: number): Promise<EmbeddingSet | null> {
  const row = await setLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)))) return null;
  return EmbeddingSet.from(row);
}

export async function startEmbeddingSet(ctx: Context, input: EmbeddingSetStartInput) {
  const versionId = decodeId(input.datasetVersionId, "DatasetVersion", ["datasetVersionId"]);
  const modelId = decodeId(input.modelId, "EmbeddingModel", ["modelId"]);
  const consortiumId = await consortiumOfVersion(ctx, versionId);
  const access = await requireRole(ctx, consortiumId, "CURATOR", ["datasetVersionId"], "dataset version");
  const model = await ctx.prisma.embeddingModel.findUnique({ where: { id: modelId } });
  if (!model || model.consortiumId !== access.consortiumId) throw new AppError("NOT_FOUND", "no embedding model with this ID is visible to you", ["modelId"]);
  if (model.kind !== "ONNX" || !model.filePath) {
    throw new AppError("INVALID_STATE", `model "${model.name}" is ${model.kind}: its vectors are uploaded, not computed here`, ["modelId"]);
  }
  const existing = await ctx.prisma.embeddingSet.findUnique({ where: { modelId_datasetVersionId: { modelId, datasetVersionId: versionId } } });
  if (existing && existing.status !== "FAILED") {
    throw new AppError("CONFLICT", `this version already has a ${existing.status} embedding set for model "${model.name}"`, ["modelId"]);
  }
  const sampleCount = (await ctx.loaders.datasetVersion.load(versionId))?.sampleCount ?? 0;
  // @stratum/db writes (or re-arms) the set and its Job row in one transaction; the audit row joins it.
  const [{ setId, jobId }] = (await createEmbeddingSetJobs(
    ctx.app.store,
    [{ consortiumId: access.consortiumId, modelId, datasetVersionId: versionId, dim: model.dim, total: sampleCount, createdById: ctx.viewer!.userId, restartSetId: existing?.id ?? null }],
    (tx, [queued]) =>
      audit(tx, ctx, "embeddingSetStart", { type: "EmbeddingSet", id: queued!.setId, consortiumId: access.consortiumId }, { modelId, versionId, jobId: queued!.jobId, restart: Boolean(existing) }),
  )) as [{ setId: number; jobId: number }];
  await enqueueJob(ctx.app, jobId);
  const [set, job] = await Promise.all([ctx.prisma.embeddingSet.findUniqueOrThrow({ where: { id: setId } }), ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } })]);
  jobLoader(ctx).prime(job.id, job);
  return { embeddingSet: EmbeddingSet.from(set), job: Job.from(job) };
}

