import { finalizeReview, SelectionWriteError, type ReviewDecision as DecisionRow, type ReviewRelabel as RelabelRow, type SelectionItem as ItemRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { audit, auditSql } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeCompositeId, decodeId, decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { topics } from "../../events/index.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { NOW_UTC } from "@stratum/db";
import { runForChange } from "../run/run.service.js";
import { SelectionItem, SelectionRun } from "../run/run.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { ReviewDecision } from "./review.type.js";
import type { ReviewDecideInput, ReviewFinalizeInput } from "./review.input.js";

/** Payload of a stored event on topic run:<id>:review. */
export interface ReviewEvent {
  kind: "DECISION" | "FINALIZED" | "RELABEL";
  runId: number;
  consortiumId: number;
  decision?: Omit<DecisionRow, "createdAt"> & { createdAt: string };
  relabel?: Omit<RelabelRow, "createdAt"> & { createdAt: string };
  reviewerName?: string;
  datasetVersionId?: number;
}

export class ReviewConflict extends AppError {
  constructor(
    message: string,
    readonly item: SelectionItem,
    readonly decision: ReviewDecision,
  ) {
    super("CONFLICT", message, ["expectedVersion"]);
  }
}

function decisionRow(r: Record<string, unknown>): DecisionRow {
  return { ...(r as unknown as DecisionRow), createdAt: new Date(r.createdAt as string) };
}

export async function publish(ctx: Context, event: ReviewEvent): Promise<void> {
  try {
    await runtimeOf(ctx.app).bus.publish(topics.review(event.runId), event);
  } catch (error) {
    console.error(`review: could not publish ${event.kind} for run ${event.runId}: ${(error as Error).message}`);
  }
}

/** The run and sample an input names: runId + sampleId, or itemId (exactly one of sampleId and itemId). */
export function itemOf(input: Pick<ReviewDecideInput, "runId" | "sampleId" | "itemId">): { runId: string; runField: string[]; sampleId: number } {
  const hasSample = input.sampleId != null;
  const hasItem = input.itemId != null;
  if (hasSample === hasItem) {
    throw new AppError("VALIDATION", "name the item by exactly one of sampleId (with runId) and itemId", [hasItem ? "itemId" : "sampleId"]);
  }
  if (hasSample) {
    if (input.runId == null) throw new AppError("VALIDATION", "runId: required with sampleId", ["runId"]);
    return { runId: input.runId, runField: ["runId"], sampleId: decodeId(input.sampleId!, "Sample", ["sampleId"]) };
  }
  const [runId, sampleId] = decodeCompositeId(input.itemId!, "SelectionItem", 2, ["itemId"]) as [number, number];
  if (input.runId != null && decodeIdOrNull(input.runId, "SelectionRun") !== runId) {
    throw new AppError("VALIDATION", "runId: not the run of itemId (leave runId out, or name the item's own run)", ["runId"]);
  }
  return { runId: toGlobalId("SelectionRun", runId), runField: ["itemId"], sampleId };
}

export async function decide(ctx: Context, input: ReviewDecideInput) {
  const named = itemOf(input);
  const { run, access } = await runForChange(ctx, named.runId, "REVIEWER", named.runField);
  const sampleId = named.sampleId;
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run is reviewed`, ["runId"]);
  if (run.reviewFinalizedAt) throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
  if (!["ACCEPT", "REJECT", "FLAG"].includes(input.decision)) {
    throw new AppError("VALIDATION", `decision: expected ACCEPT, REJECT or FLAG, got ${input.decision}`, ["decision"]);
  }
  const viewer = ctx.viewer!;
  const comment = input.comment ?? null;
  const outcome = await ctx.app.store.transaction(async (sql) => {
    // "Finalised?" is read again under a share lock of the run row: finalize() holds it FOR UPDATE, so a
    // decision either commits before the finalisation reads the items or sees reviewFinalizedAt set and
    // writes nothing (the check above alone let a decision land after the new version was cut).
    const locked = await sql.query<{ reviewFinalizedAt: Date | null }>(`SELECT "reviewFinalizedAt" FROM "SelectionRun" WHERE id = $1 FOR SHARE`, [run.id]);
    if (locked.rows[0]?.reviewFinalizedAt) return "FINALIZED" as const;
    const r = await sql.query<ItemRow>(`SELECT * FROM "SelectionItem" WHERE "runId" = $1 AND "sampleId" = $2 FOR UPDATE`, [run.id, sampleId]);
    const item = r.rows[0];
    if (!item) return null;
    const conflict = item.reviewVersion !== input.expectedVersion;
    let current = item;
    if (!conflict) {
      const u = await sql.query<ItemRow>(
        `UPDATE "SelectionItem" SET "reviewDecision" = $3::"ReviewDecisionKind", "reviewComment" = $4, "reviewVersion" = "reviewVersion" + 1
         WHERE "runId" = $1 AND "sampleId" = $2 RETURNING *`,
        [run.id, sampleId, input.decision, comment],
      );
      current = u.rows[0]!;
    }
    // Every decision is kept, the one that lost a conflict too (applied = false).
    const d = await sql.query(
      `INSERT INTO "ReviewDecision" ("runId", "sampleId", "reviewerId", decision, comment, version, applied, "createdAt")
       VALUES ($1, $2, $3, $4::"ReviewDecisionKind", $5, $6, $7, ${NOW_UTC}) RETURNING *`,
      [run.id, sampleId, viewer.userId, input.decision, comment, current.reviewVersion, !conflict],
    );
    const decision = decisionRow(d.rows[0] as Record<string, unknown>);
    await auditSql(sql, ctx, "reviewDecide", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
      sampleId: toGlobalId("Sample", sampleId),
      decision: input.decision,
      expectedVersion: input.expectedVersion,
      applied: !conflict,
      ...(conflict ? { currentVersion: item.reviewVersion } : {}),
    });
    return { conflict, item: current, decision, previous: item };
  });
  if (outcome === "FINALIZED") throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
  if (!outcome) {
    throw new AppError("NOT_FOUND", "this sample is not an item of the run", [input.itemId != null ? "itemId" : "sampleId"]);
  }
  await publish(ctx, {
    kind: "DECISION",
    runId: run.id,
    consortiumId: access.consortiumId,
    decision: { ...outcome.decision, createdAt: outcome.decision.createdAt.toISOString() },
    reviewerName: viewer.name,
  });
  const item = SelectionItem.from(outcome.item);
  const decision = ReviewDecision.from(outcome.decision);
  if (outcome.conflict) {
    const now = outcome.item;
    throw new ReviewConflict(
      `expectedVersion: the item moved on to version ${now.reviewVersion} (${now.reviewDecision ?? "undecided"}) since version ${input.expectedVersion}; your decision was logged but not applied — decide again on version ${now.reviewVersion}`,
      item,
      decision,
    );
  }
  return { item, decision };
}

export async function finalize(ctx: Context, input: ReviewFinalizeInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run can be finalised`, ["runId"]);
  // @stratum/db cuts the version in one transaction under the run's and the dataset's row locks; the
  // audit row joins that transaction.
  const result = await finalizeReview(
    ctx.app.store,
    { runId: run.id, authorId: ctx.viewer!.userId, message: input.message ?? null, runRef: toGlobalId("SelectionRun", run.id) },
    (tx, done) =>
      audit(tx, ctx, "reviewFinalize", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
        datasetVersionId: toGlobalId("DatasetVersion", done.datasetVersionId),
        accepted: done.accepted,
        relabelled: done.relabelled,
        summary: done.summary,
      }),
  ).then(
    (done) => done.datasetVersionId,
    (error: unknown) => {
      if (!(error instanceof SelectionWriteError)) throw error;
      if (error.code === "ALREADY_FINALIZED") throw new AppError("CONFLICT", "the review of this run was already finalised", ["runId"]);
      if (error.code === "NONE_ACCEPTED") throw new AppError("INVALID_STATE", "no item of this run is accepted; accept at least one before finalising", ["runId"]);
      if (error.code === "INVALID_STATE") throw new AppError("INVALID_STATE", error.message, ["runId"]);
      throw error;
    },
  );
  await publish(ctx, { kind: "FINALIZED", runId: run.id, consortiumId: access.consortiumId, datasetVersionId: result });
  const [created, updated] = await Promise.all([
    ctx.prisma.datasetVersion.findUniqueOrThrow({ where: { id: result } }),
    ctx.prisma.selectionRun.findUniqueOrThrow({ where: { id: run.id } }),
  ]);
  return { datasetVersion: DatasetVersion.from(created), run: SelectionRun.from(updated) };
}
