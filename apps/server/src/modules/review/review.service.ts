import { decideReviewItem, finalizeReview, SelectionWriteError, type ReviewDecision as DecisionRow, type ReviewDecisionKind, type ReviewRelabel as RelabelRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { audit } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeCompositeId, decodeId, decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { topics } from "../../events/index.js";
import { runtimeOf } from "../../jobs/runtime.js";
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

/** A review write's typed errors from @stratum/db as the API's (the same codes, fields and messages as before). */
export function reviewWriteError(error: unknown, itemField: string[]): never {
  if (error instanceof SelectionWriteError) {
    if (error.code === "ALREADY_FINALIZED") throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
    if (error.code === "NOT_FOUND") throw new AppError("NOT_FOUND", "this sample is not an item of the run", itemField);
  }
  throw error;
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
  // @stratum/db re-reads "finalised?" under a share lock of the run row (finalize() holds it FOR UPDATE, so
  // the check above alone let a decision land after the new version was cut), locks the item, applies or
  // only logs the decision; the audit row joins its transaction.
  const outcome = await decideReviewItem(
    ctx.app.store,
    { runId: run.id, sampleId, reviewerId: viewer.userId, decision: input.decision as ReviewDecisionKind, comment, expectedVersion: input.expectedVersion },
    (tx, { conflict, previous }) =>
      audit(tx, ctx, "reviewDecide", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
        sampleId: toGlobalId("Sample", sampleId),
        decision: input.decision,
        expectedVersion: input.expectedVersion,
        applied: !conflict,
        ...(conflict ? { currentVersion: previous.reviewVersion } : {}),
      }),
  ).catch((error: unknown) => reviewWriteError(error, [input.itemId != null ? "itemId" : "sampleId"]));
  const decisionRow = outcome.logged;
  await publish(ctx, {
    kind: "DECISION",
    runId: run.id,
    consortiumId: access.consortiumId,
    decision: { ...decisionRow, createdAt: decisionRow.createdAt.toISOString() },
    reviewerName: viewer.name,
  });
  const item = SelectionItem.from(outcome.item);
  const decision = ReviewDecision.from(decisionRow);
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
