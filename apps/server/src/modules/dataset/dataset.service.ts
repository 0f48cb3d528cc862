import path from "node:path";
import { ImportError, importDataset, type ImportInput, type ImportProgress, type ImportResult, type SqlClient, type Store } from "@stratum/db";
import type { Context } from "../../context.js";
import { AppError, ErrorCode } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit, auditSql } from "../../audit/audit.js";
import { resolveUpload, type StoredUpload } from "../upload/upload.service.js";
import { createJob, enqueueJob } from "../../jobs/enqueue.js";
import { storageOf, uriProblem, type StorageConfig } from "../../storage/resolve-uri.js";
import { Job } from "../job/job.type.js";
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
  NOT_FOUND: ErrorCode.NOT_FOUND,
  BAD_INPUT: ErrorCode.VALIDATION,
  UNKNOWN_SITE: ErrorCode.FORBIDDEN,
  URI_NOT_ALLOWED: ErrorCode.URI_NOT_ALLOWED,
};

/**
 * The import's tenant check of every row's uri (storage/resolve-uri.ts): read at run time from the
 * consortium's row and the process's storage config, never from a job payload.
 */
// Raw: the IMPORT job (jobs/handlers/import.ts) calls this with its raw client.
export async function importUriCheck(sql: SqlClient, storage: StorageConfig, consortiumId: number): Promise<(uri: string) => string | null> {
  const row = (await sql.query<{ slug: string }>(`SELECT slug FROM "Consortium" WHERE id = $1`, [consortiumId])).rows[0];
  if (!row) throw new AppError("NOT_FOUND", `consortium ${consortiumId} does not exist`);
  const consortium = { id: consortiumId, slug: row.slug };
  return (uri) => uriProblem(storage, consortium, uri);
}

/** An uploaded file an import reads: where it lies, what it is (name, hash, size) and its input field. */
export interface ImportUpload extends Pick<StoredUpload, "path" | "filename" | "sha256" | "size"> {
  field: "manifestUploadId" | "embeddingsUploadId";
}

/** ImportError → code, message and field naming the upload, without server paths in the message. */
export function describeImportError(error: ImportError, uploads: ImportUpload[]): { code: ErrorCode; message: string; field: string[] | null } {
  let message = error.message;
  let field: string[] | null = null;
  for (const upload of uploads) {
    if (message.includes(upload.path)) message = message.split(upload.path).join(upload.filename);
    if (error.file === upload.path || error.file === upload.filename) field = [upload.field];
  }
  message = message.split(path.dirname(uploads[0]!.path)).join("…");
  return { code: IMPORT_CODES[error.code] ?? ErrorCode.BAD_FILE, message: `${message} [${error.code}]`, field };
}

/** What an import needs once the caller, the project and the uploads are checked (JSON: it is a job's payload). */
export interface PreparedImport {
  consortiumId: number;
  projectSlug: string;
  authorId: number;
  uploads: ImportUpload[];
  input: Omit<ImportInput, "inTransaction" | "consortium" | "project" | "authorId" | "createMissing">;
}

/** Checks the caller (CURATOR on the project), the uploads (theirs) and the input; writes nothing. */
async function prepareImport(ctx: Context, input: DatasetImportInput): Promise<PreparedImport> {
  const projectId = decodeId(input.projectId, "Project", ["projectId"]);
  const project = await ctx.loaders.project.load(projectId);
  const access = await requireRole(ctx, project?.consortiumId, "CURATOR", ["projectId"], "project");
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
  const file = (u: StoredUpload, field: ImportUpload["field"]): ImportUpload => ({ path: u.path, filename: u.filename, sha256: u.sha256, size: u.size, field });
  const uploads = [file(manifest, "manifestUploadId"), ...(embeddings ? [file(embeddings, "embeddingsUploadId")] : [])];
  return {
    consortiumId: project!.consortiumId,
    projectSlug: project!.slug,
    authorId: ctx.viewer!.userId,
    uploads,
    input: {
      dataset: input.datasetName,
      manifestPath: manifest.path,
      ...(embeddings ? { embeddingsPath: embeddings.path, model: input.modelName! } : {}),
      message: input.message ?? `import ${manifest.filename}`,
      ...(input.idColumn ? { idColumn: input.idColumn } : {}),
      ...(input.labelColumn ? { labelColumn: input.labelColumn } : {}),
      ...(input.uriColumn ? { uriColumn: input.uriColumn } : {}),
      ...(input.siteColumn ? { siteColumn: input.siteColumn } : {}),
      // Sites are the OWNER's (siteCreate): a CURATOR's import may use existing sites only.
      newSites: access.role === "OWNER" ? "create" : "refuse",
    },
  };
}

/**
 * Runs a prepared import: one transaction, the same content again creates no version (so running it
 * twice — a retried job — gives the same version). `inTransaction` commits or rolls back with it.
 */
export function runPreparedImport(
  store: Store,
  prepared: PreparedImport,
  extra: Pick<ImportInput, "inTransaction" | "checkUri"> = {},
  onProgress?: ImportProgress,
): Promise<ImportResult> {
  return importDataset(
    store,
    {
      ...prepared.input,
      ...extra,
      // Sites an (OWNER's) import creates get their own audit rows, in the import's transaction.
      inTransaction: async (sql, r) => {
        for (const site of r.createdSites) {
          await auditSql(sql, { viewer: { userId: prepared.authorId } }, "siteCreate", { type: "Site", id: site.id, consortiumId: prepared.consortiumId }, {
            code: site.code,
            via: "datasetImport",
            dataset: prepared.input.dataset,
          });
        }
        await extra.inTransaction?.(sql, r);
      },
      consortium: prepared.consortiumId,
      project: prepared.projectSlug,
      authorId: prepared.authorId,
      createMissing: false,
    },
    onProgress,
  );
}

/** The files of an import as the audit log records them (never their server paths). */
const auditFiles = (prepared: PreparedImport) => prepared.uploads.map(({ field, filename, sha256, size }) => ({ field, filename, sha256, size }));

/** The audit details of an import (the same for the synchronous mutation and the job). */
export function importAuditDetails(prepared: PreparedImport, r: ImportResult, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    version: toGlobalId("DatasetVersion", r.version.id),
    number: r.version.number,
    created: r.created,
    files: auditFiles(prepared),
    ...(prepared.input.model ? { model: prepared.input.model } : {}),
    diff: r.diff,
  };
}

export async function importIntoDataset(ctx: Context, input: DatasetImportInput) {
  const prepared = await prepareImport(ctx, input);
  const { consortiumId } = prepared;
  let result: ImportResult;
  try {
    result = await runPreparedImport(ctx.app.store, prepared, {
      checkUri: await importUriCheck(ctx.app.store.sql, storageOf(ctx.app.config), consortiumId),
      // The audit event commits or rolls back with the import.
      inTransaction: (sql, r) =>
        auditSql(sql, ctx, "datasetImport", { type: "Dataset", id: r.datasetId, consortiumId }, importAuditDetails(prepared, r)),
    });
  } catch (error) {
    if (error instanceof ImportError) {
      const e = describeImportError(error, prepared.uploads);
      throw new AppError(e.code, e.message, e.field);
    }
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

/**
 * datasetImportStart: the same checks as datasetImport, then an IMPORT job (jobs/handlers/import.ts)
 * does the work with live progress, so a large import neither holds an HTTP request open nor dies
 * with it. The upload files must be readable where the job runs (a shared STRATUM_UPLOAD_DIR when
 * workers run on other machines, as for every API replica).
 */
export async function startImport(ctx: Context, input: DatasetImportInput) {
  const prepared = await prepareImport(ctx, input);
  const jobId = await ctx.app.store.transaction(async (sql) => {
    const jobId = await createJob(sql, { consortiumId: prepared.consortiumId, kind: "IMPORT", payload: { ...prepared }, createdById: prepared.authorId });
    await auditSql(sql, ctx, "datasetImportStart", { type: "Job", id: jobId, consortiumId: prepared.consortiumId }, {
      dataset: prepared.input.dataset,
      files: auditFiles(prepared),
    });
    return jobId;
  });
  await enqueueJob(ctx.app, jobId);
  return Job.from(await ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }));
}
