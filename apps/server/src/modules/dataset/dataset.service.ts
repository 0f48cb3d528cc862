import path from "node:path";
import { ImportError, importDataset, type ImportResult } from "@stratum/db";
import type { Context } from "../../context.js";
import { AppError, type ErrorCode } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit, auditSql } from "../../audit/audit.js";
import { resolveUpload, type StoredUpload } from "../upload/upload.service.js";
import { Dataset } from "./dataset.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import type { DatasetCreateInput, DatasetImportInput, DatasetUpdateInput } from "./dataset.input.js";

export async function visibleDataset(ctx: Context, id: number): Promise<Dataset | null> {
  const row = await ctx.loaders.dataset.load(id);
  if (!row) return null;
  const project = await ctx.loaders.project.load(row.projectId);
  if (!project || !(await canRead(ctx, project.consortiumId))) return null;
  return Dataset.from(row);
}

export async function createDataset(ctx: Context, input: DatasetCreateInput): Promise<Dataset> {
  const projectId = decodeId(input.projectId, "Project", ["projectId"]);
  const project = await ctx.loaders.project.load(projectId);
  await requireRole(ctx, project?.consortiumId, "CURATOR", ["projectId"], "project");
  const existing = await ctx.prisma.dataset.findUnique({ where: { projectId_name: { projectId, name: input.name } } });
  if (existing) throw new AppError("CONFLICT", `a dataset named "${input.name}" already exists in this project`, ["name"]);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.dataset.create({ data: { projectId, name: input.name, description: input.description ?? "" } });
    await audit(tx, ctx, "datasetCreate", { type: "Dataset", id: row.id, consortiumId: project!.consortiumId }, {
      name: input.name,
    });
    return Dataset.from(row);
  });
}

export async function updateDataset(ctx: Context, input: DatasetUpdateInput): Promise<Dataset> {
  const id = decodeId(input.datasetId, "Dataset", ["datasetId"]);
  const row = await ctx.loaders.dataset.load(id);
  const project = row && (await ctx.loaders.project.load(row.projectId));
  await requireRole(ctx, project?.consortiumId, "CURATOR", ["datasetId"], "dataset");
  return ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.dataset.update({
      where: { id },
      data: { ...(input.description != null ? { description: input.description } : {}) },
    });
    await audit(tx, ctx, "datasetUpdate", { type: "Dataset", id, consortiumId: project!.consortiumId }, {
      description: input.description,
    });
    return Dataset.from(updated);
  });
}

const IMPORT_CODES: Partial<Record<string, ErrorCode>> = {
  NOT_FOUND: "NOT_FOUND" as ErrorCode,
  BAD_INPUT: "VALIDATION" as ErrorCode,
};

/** ImportError → AppError naming the upload field, without server paths in the message. */
function importFailure(error: ImportError, uploads: Array<[StoredUpload, string]>): AppError {
  let message = error.message;
  let field: string[] | null = null;
  for (const [upload, name] of uploads) {
    if (message.includes(upload.path)) message = message.split(upload.path).join(upload.filename);
    if (error.file === upload.path || error.file === upload.filename) field = [name];
  }
  message = message.split(path.dirname(uploads[0]![0].path)).join("…");
  return new AppError(IMPORT_CODES[error.code] ?? "BAD_FILE", `${message} [${error.code}]`, field);
}

export async function importIntoDataset(ctx: Context, input: DatasetImportInput) {
  const projectId = decodeId(input.projectId, "Project", ["projectId"]);
  const project = await ctx.loaders.project.load(projectId);
  await requireRole(ctx, project?.consortiumId, "CURATOR", ["projectId"], "project");
  const manifest = await resolveUpload(ctx, input.manifestUploadId, ["manifestUploadId"]);
  const embeddings = input.embeddingsUploadId
    ? await resolveUpload(ctx, input.embeddingsUploadId, ["embeddingsUploadId"])
    : undefined;
  if (embeddings && !input.modelName) {
    throw new AppError("VALIDATION", "expected the name of the model the embeddings came from", ["modelName"]);
  }
  if (!embeddings && input.modelName) {
    throw new AppError("VALIDATION", "modelName given without embeddingsUploadId; expected both or neither", [
      "embeddingsUploadId",
    ]);
  }
  const uploads: Array<[StoredUpload, string]> = [[manifest, "manifestUploadId"]];
  if (embeddings) uploads.push([embeddings, "embeddingsUploadId"]);
  const consortiumId = project!.consortiumId;
  let result: ImportResult;
  try {
    result = await importDataset(ctx.app.store, {
      consortium: consortiumId,
      project: project!.slug,
      dataset: input.datasetName,
      manifestPath: manifest.path,
      ...(embeddings ? { embeddingsPath: embeddings.path, model: input.modelName! } : {}),
      message: input.message ?? `import ${manifest.filename}`,
      authorId: ctx.viewer!.userId,
      createMissing: false,
      ...(input.idColumn ? { idColumn: input.idColumn } : {}),
      ...(input.labelColumn ? { labelColumn: input.labelColumn } : {}),
      ...(input.uriColumn ? { uriColumn: input.uriColumn } : {}),
      ...(input.siteColumn ? { siteColumn: input.siteColumn } : {}),
      // The audit event commits or rolls back with the import.
      inTransaction: (sql, r) =>
        auditSql(sql, ctx, "datasetImport", { type: "Dataset", id: r.datasetId, consortiumId }, {
          version: toGlobalId("DatasetVersion", r.version.id),
          number: r.version.number,
          created: r.created,
          manifest: { filename: manifest.filename, sha256: manifest.sha256, size: manifest.size },
          ...(embeddings
            ? { embeddings: { filename: embeddings.filename, sha256: embeddings.sha256 }, model: input.modelName }
            : {}),
          diff: r.diff,
        }),
    });
  } catch (error) {
    if (error instanceof ImportError) throw importFailure(error, uploads);
    throw error;
  }
  const [dataset, version] = await Promise.all([
    ctx.prisma.dataset.findUniqueOrThrow({ where: { id: result.datasetId } }),
    ctx.prisma.datasetVersion.findUniqueOrThrow({ where: { id: result.version.id } }),
  ]);
  return {
    dataset: Dataset.from(dataset),
    version: DatasetVersion.from(version),
    created: result.created,
    diff: result.diff,
    summary: result.summary,
  };
}
