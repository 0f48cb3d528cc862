import type { Context } from "../../context.js";
import { audit, auditSql } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { createJob, enqueueJob } from "../../jobs/enqueue.js";
import type { Prisma } from "@stratum/db";
import { runForChange } from "../run/run.service.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { Job } from "../job/job.type.js";
import { Evaluation } from "./evaluation.type.js";
import type { EvaluationProbeRunInput, EvaluationReportInput } from "./evaluation.input.js";

const MAX_DETAILS_BYTES = 64 * 1024; // 64 KiB

export async function reportEvaluation(ctx: Context, input: EvaluationReportInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; evaluations are for SUCCEEDED runs`, ["runId"]);
  const details = JSON.stringify(input.details ?? {});
  if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) {
    throw new AppError("LIMIT_EXCEEDED", `details: expected at most ${MAX_DETAILS_BYTES} bytes of JSON, got ${Buffer.byteLength(details)}`, ["details"]);
  }
  const id = await ctx.prisma.$transaction(async (tx) => {
    const { id } = await tx.evaluation.create({
      data: { runId: run.id, metric: input.metric, value: input.value, split: input.split ?? "test", source: "REPORTED", details: JSON.parse(details) as Prisma.InputJsonValue, reportedById: ctx.viewer!.userId },
      select: { id: true },
    });
    await audit(tx, ctx, "evaluationReport", { type: "Evaluation", id, consortiumId: access.consortiumId }, { runId: run.id, metric: input.metric, value: input.value, split: input.split ?? "test" });
    return id;
  });
  return Evaluation.from(await ctx.prisma.evaluation.findUniqueOrThrow({ where: { id } }));
}

/**
 * The test data of a probe on another version: the version must be visible, of the run's consortium and
 * not the run's own version, and have a COMPLETE embedding set of the run's embedding model (vectors of
 * another model live in another space; a probe trained on one cannot be tested on the other).
 */
async function probeTestSet(ctx: Context, run: { datasetVersionId: number; embeddingSetId: number | null }, consortiumId: number, testVersionGlobal: string) {
  const field = ["testVersionId"];
  const versionId = decodeId(testVersionGlobal, "DatasetVersion", field);
  const versionConsortium = await consortiumOfVersion(ctx, versionId);
  if (!(await canRead(ctx, versionConsortium))) throw new AppError("NOT_FOUND", "no dataset version with this ID is visible to you", field);
  if (versionConsortium !== consortiumId) throw new AppError("VALIDATION", "the test version belongs to another consortium; expected a version of the run's consortium", field);
  if (versionId === run.datasetVersionId) throw new AppError("VALIDATION", "the test version is the run's own version; leave testVersionId out to test on the rest of the pool", field);
  if (run.embeddingSetId === null) throw new AppError("INVALID_STATE", "the run has no embedding set (it was deleted), so no model to test with", ["runId"]);
  const runSet = await ctx.prisma.embeddingSet.findUniqueOrThrow({ where: { id: run.embeddingSetId }, include: { model: true } });
  const testSet = await ctx.prisma.embeddingSet.findUnique({ where: { modelId_datasetVersionId: { modelId: runSet.modelId, datasetVersionId: versionId } } });
  const model = `${runSet.model.name} v${runSet.model.version}`;
  if (!testSet) throw new AppError("INVALID_STATE", `the test version has no embeddings of the run's model ${model}; embed or import them first`, field);
  if (testSet.status !== "COMPLETE") throw new AppError("INVALID_STATE", `the test version's embedding set of ${model} is ${testSet.status}; expected COMPLETE`, field);
  if (testSet.dim !== runSet.dim) throw new AppError("INVALID_STATE", `the test version's vectors have ${testSet.dim} dimensions; the run's have ${runSet.dim}`, field);
  return { versionId, setId: testSet.id };
}

export async function startProbe(ctx: Context, input: EvaluationProbeRunInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; the probe needs a SUCCEEDED run`, ["runId"]);
  const test = input.testVersionId ? await probeTestSet(ctx, run, access.consortiumId, input.testVersionId) : null;
  const payload = test ? { runId: run.id, testVersionId: test.versionId, testSetId: test.setId } : { runId: run.id };
  const jobId = await ctx.app.store.transaction(async (sql) => {
    const jobId = await createJob(sql, { consortiumId: access.consortiumId, kind: "PROBE", payload, createdById: ctx.viewer!.userId });
    await auditSql(sql, ctx, "evaluationProbeRun", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
      jobId,
      ...(test ? { testVersionId: toGlobalId("DatasetVersion", test.versionId) } : {}),
    });
    return jobId;
  });
  await enqueueJob(ctx.app, jobId);
  return Job.from(await ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }));
}
