// IMPORT: a dataset import started with datasetImportStart. The payload is the PreparedImport the
// mutation checked (caller, project, uploads). importDataset writes everything in one transaction and
// is idempotent by content hash, so a worker killed halfway leaves nothing behind and its successor
// simply imports again; one killed after the import committed but before the job did finds the same
// version (created: false) and reports it. A bad file fails the job at once with the file's row and
// column, as the synchronous mutation would answer.
import { ImportError, type ImportPhase } from "@stratum/db";
import { auditSql } from "../../audit/audit.js";
import { toGlobalId } from "../../graphql/ids.js";
import {
  describeImportError,
  importAuditDetails,
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
    const result = await runPreparedImport(
      ctx.store,
      prepared,
      {
        // The audit event of the import itself, attributed to whoever started the job.
        inTransaction: (sql, r) =>
          auditSql(
            sql,
            { viewer: { userId: prepared.authorId } },
            "datasetImport",
            { type: "Dataset", id: r.datasetId, consortiumId: prepared.consortiumId },
            importAuditDetails(prepared, r, { job: toGlobalId("Job", ctx.job.id) }),
          ),
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
    await ctx.commit(async () => ({
      dataset: toGlobalId("Dataset", result.datasetId),
      datasetName: prepared.input.dataset,
      version: toGlobalId("DatasetVersion", result.version.id),
      number: result.version.number,
      sampleCount: result.version.sampleCount,
      created: result.created,
      diff: result.diff,
      summary: result.summary,
    }));
  },
};
