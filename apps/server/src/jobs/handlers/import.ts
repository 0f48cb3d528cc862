// IMPORT: a dataset import started with datasetImportStart. The payload is the PreparedImport the
// mutation checked (caller, project, uploads). importDataset writes everything in one transaction and
// is idempotent by content hash, so a worker killed halfway leaves nothing behind and its successor
// simply imports again. The job is marked SUCCEEDED inside that same transaction, so a cancel either
// rolls the import back (seen between COPY batches, or by the mark itself) or arrives after both. A bad
// file fails the job at once with the file's row and column, as the synchronous mutation would answer.
import { ImportError, type ImportPhase } from "@stratum/db";
import { auditSql } from "../../audit/audit.js";
import { toGlobalId } from "../../graphql/ids.js";
import {
  describeImportError,
  importAuditDetails,
  importUriCheck,
  runPreparedImport,
  type PreparedImport,
} from "../../modules/dataset/dataset.service.js";
import type { JobContext, JobHandler } from "../types.js";
import { JobCancelledError, JobInputError } from "../types.js";

const PHASES: Record<ImportPhase, string> = {
  manifest: "reading manifest",
  samples: "writing samples",
  embeddings: "writing embeddings",
};

function preparedImport(payload: Record<string, unknown>): PreparedImport {
  const p = payload as Partial<PreparedImport>;
  if (
    typeof p.consortiumId !== "number" ||
    typeof p.projectSlug !== "string" ||
    typeof p.authorId !== "number" ||
    !Array.isArray(p.uploads) ||
    !p.uploads.length ||
    !p.input
  ) {
    throw new JobInputError(
      "BAD_PAYLOAD",
      null,
      `expected a prepared import (consortiumId, projectSlug, authorId, uploads, input), got keys ${Object.keys(payload).join(", ")}`,
    );
  }
  return p as PreparedImport;
}

export const importHandler: JobHandler = {
  kind: "IMPORT",

  async run(ctx: JobContext) {
    const prepared = preparedImport(ctx.job.payload);
    // Every row's uri must be readable by the consortium (checked here, where the job runs).
    const checkUri = await importUriCheck(ctx.store.sql, ctx.storage, prepared.consortiumId).catch((error: Error) => {
      throw new JobInputError("NOT_FOUND", null, error.message);
    });
    await runPreparedImport(
      ctx.store,
      prepared,
      {
        checkUri,
        // In the import's own transaction: its audit event, attributed to whoever started the job, and
        // the job's SUCCEEDED mark, so a cancel either rolls the import back or comes too late.
        inTransaction: async (sql, r) => {
          await auditSql(
            sql,
            { viewer: { userId: prepared.authorId } },
            "datasetImport",
            { type: "Dataset", id: r.datasetId, consortiumId: prepared.consortiumId },
            importAuditDetails(prepared, r, { job: toGlobalId("Job", ctx.job.id) }),
          );
          await ctx.commit(
            async () => ({
              dataset: toGlobalId("Dataset", r.datasetId),
              datasetName: prepared.input.dataset,
              version: toGlobalId("DatasetVersion", r.version.id),
              number: r.version.number,
              sampleCount: r.version.sampleCount,
              created: r.created,
              diff: r.diff,
              summary: r.summary,
            }),
            sql,
          );
        },
      },
      (phase, done, total) => {
        // Called between COPY batches: throwing here rolls the whole import back.
        if (ctx.signal.aborted) throw new JobCancelledError("cancelled during import");
        ctx.progress(PHASES[phase], done, total);
      },
    ).catch((error: unknown) => {
      if (!(error instanceof ImportError)) throw error;
      const e = describeImportError(error, prepared.uploads);
      throw new JobInputError(e.code, e.field?.join(".") ?? null, e.message);
    });
  },
};
