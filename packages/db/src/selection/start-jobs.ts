// The rows a job-backed mutation writes when it starts a job: the QUEUED Job row and the row the job
// fills in (a confounder analysis, a data-quality report, an embedding set), in one Prisma
// interactive transaction with the caller's audit row. As createSelectionRun, each row is written
// once in its final state: the target's id is reserved from its sequence first, so the Job row carries
// its payload from its INSERT. The caller enqueues the job after commit.
import type { JobKind, Prisma } from "../generated/prisma/client.js";
import type { Store } from "../store.js";
import { SelectionWriteError, checkId, checkOptionalId } from "./errors.js";
import { WRITE_TX_OPTIONS, type WriteTx } from "./create-run.js";

type Table = "ConfounderAnalysis" | "DataQualityReport" | "EmbeddingSet";

async function reserveId(tx: WriteTx, table: Table): Promise<number> {
  // A sequence has no Prisma call.
  const reserved = await tx.$queryRawUnsafe<{ id: number }[]>(`SELECT nextval(pg_get_serial_sequence('"${table}"', 'id'))::int AS id`);
  return reserved[0]!.id;
}

async function queuedJob(tx: WriteTx, kind: JobKind, consortiumId: number, createdById: number | null, payload: Prisma.InputJsonValue, total = 0): Promise<number> {
  const job = await tx.job.create({ data: { consortiumId, kind, payload, createdById, total }, select: { id: true } });
  return job.id;
}

function checkParams(params: unknown): void {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new SelectionWriteError("BAD_INPUT", "params", "params: expected a JSON object");
}

export interface CreateAnalysisJobInput {
  consortiumId: number;
  datasetVersionId: number;
  embeddingSetId: number;
  /** The analysis this one re-runs, else null. */
  parentId: number | null;
  /** The engine's resolved analysis parameters, stored as given. */
  params: Record<string, unknown>;
  createdById: number | null;
}

export interface CreatedAnalysisJob {
  analysisId: number;
  jobId: number;
}

/** A ConfounderAnalysis and its ANALYZE job; `inTransaction` (the caller's audit row) runs last. BAD_INPUT naming the field, nothing written. */
export async function createAnalysisJob(
  store: Pick<Store, "prisma">,
  input: CreateAnalysisJobInput,
  inTransaction?: (tx: WriteTx, result: CreatedAnalysisJob) => Promise<void>,
): Promise<CreatedAnalysisJob> {
  checkId(input.consortiumId, "consortiumId");
  checkId(input.datasetVersionId, "datasetVersionId");
  checkId(input.embeddingSetId, "embeddingSetId");
  checkOptionalId(input.parentId, "parentId");
  checkOptionalId(input.createdById, "createdById");
  checkParams(input.params);
  return store.prisma.$transaction(async (tx) => {
    const analysisId = await reserveId(tx, "ConfounderAnalysis");
    const jobId = await queuedJob(tx, "ANALYZE", input.consortiumId, input.createdById, { analysisId });
    await tx.confounderAnalysis.create({
      data: {
        id: analysisId,
        datasetVersionId: input.datasetVersionId,
        embeddingSetId: input.embeddingSetId,
        parentId: input.parentId,
        params: input.params as Prisma.InputJsonValue,
        createdById: input.createdById,
        jobId,
      },
      select: { id: true },
    });
    const result = { analysisId, jobId };
    await inTransaction?.(tx, result);
    return result;
  }, WRITE_TX_OPTIONS);
}

export interface CreateQualityJobInput {
  consortiumId: number;
  datasetVersionId: number;
  embeddingSetId: number;
  /** The resolved data-quality parameters, stored as given. */
  params: Record<string, unknown>;
  createdById: number | null;
}

export interface CreatedQualityJob {
  reportId: number;
  jobId: number;
}

/** A DataQualityReport and its QUALITY job; `inTransaction` (the caller's audit row) runs last. BAD_INPUT naming the field, nothing written. */
export async function createQualityJob(
  store: Pick<Store, "prisma">,
  input: CreateQualityJobInput,
  inTransaction?: (tx: WriteTx, result: CreatedQualityJob) => Promise<void>,
): Promise<CreatedQualityJob> {
  checkId(input.consortiumId, "consortiumId");
  checkId(input.datasetVersionId, "datasetVersionId");
  checkId(input.embeddingSetId, "embeddingSetId");
  checkOptionalId(input.createdById, "createdById");
  checkParams(input.params);
  return store.prisma.$transaction(async (tx) => {
    const reportId = await reserveId(tx, "DataQualityReport");
    const jobId = await queuedJob(tx, "QUALITY", input.consortiumId, input.createdById, { reportId });
    await tx.dataQualityReport.create({
      data: {
        id: reportId,
        datasetVersionId: input.datasetVersionId,
        embeddingSetId: input.embeddingSetId,
        params: input.params as Prisma.InputJsonValue,
        createdById: input.createdById,
        jobId,
      },
      select: { id: true },
    });
    const result = { reportId, jobId };
    await inTransaction?.(tx, result);
    return result;
  }, WRITE_TX_OPTIONS);
}

export interface CreateEmbeddingSetJobInput {
  consortiumId: number;
  modelId: number;
  datasetVersionId: number;
  dim: number;
  /** The job's total (the version's sample count). */
  total: number;
  createdById: number | null;
  /** A FAILED set of the same model and version to re-arm (PENDING, the new job) instead of a new one. */
  restartSetId?: number | null;
}

export interface CreatedEmbeddingSetJob {
  setId: number;
  jobId: number;
}

/**
 * Embedding sets (new, or FAILED ones re-armed) and their EMBED jobs, all in one transaction;
 * `inTransaction` (the caller's audit row) runs last. BAD_INPUT naming the field, nothing written.
 */
export async function createEmbeddingSetJobs(
  store: Pick<Store, "prisma">,
  inputs: readonly CreateEmbeddingSetJobInput[],
  inTransaction?: (tx: WriteTx, result: CreatedEmbeddingSetJob[]) => Promise<void>,
): Promise<CreatedEmbeddingSetJob[]> {
  inputs.forEach((input, i) => {
    checkId(input.consortiumId, `${i}.consortiumId`);
    checkId(input.modelId, `${i}.modelId`);
    checkId(input.datasetVersionId, `${i}.datasetVersionId`);
    checkOptionalId(input.createdById, `${i}.createdById`);
    checkOptionalId(input.restartSetId, `${i}.restartSetId`);
    if (!Number.isInteger(input.dim) || input.dim < 1) throw new SelectionWriteError("BAD_INPUT", `${i}.dim`, `${i}.dim: expected a positive integer, got ${JSON.stringify(input.dim)}`);
    if (!Number.isInteger(input.total) || input.total < 0) throw new SelectionWriteError("BAD_INPUT", `${i}.total`, `${i}.total: expected a non-negative integer, got ${JSON.stringify(input.total)}`);
  });
  return store.prisma.$transaction(async (tx) => {
    const result: CreatedEmbeddingSetJob[] = [];
    for (const input of inputs) {
      const setId = input.restartSetId ?? (await reserveId(tx, "EmbeddingSet"));
      const jobId = await queuedJob(tx, "EMBED", input.consortiumId, input.createdById, { setId }, input.total);
      if (input.restartSetId) {
        await tx.embeddingSet.update({ where: { id: setId }, data: { status: "PENDING", jobId }, select: { id: true } });
      } else {
        await tx.embeddingSet.create({ data: { id: setId, modelId: input.modelId, datasetVersionId: input.datasetVersionId, dim: input.dim, jobId }, select: { id: true } });
      }
      result.push({ setId, jobId });
    }
    await inTransaction?.(tx, result);
    return result;
  }, WRITE_TX_OPTIONS);
}
