// A reviewer's decision on, or label correction of, one item of a run: the item's current state
// (SelectionItem) and an append-only log row (ReviewDecision / ReviewRelabel), in one Prisma
// interactive transaction, under optimistic concurrency (the caller's expectedVersion).
//
// Locks: the run row FOR SHARE first — finalizeReview holds it FOR UPDATE, so a decision either
// commits before the finalisation reads the items or sees reviewFinalizedAt set and writes nothing —
// then the item row FOR UPDATE. Prisma has no row-lock call: the two locks are the only raw statements.
//
// A stale expectedVersion is no error here: the losing write is still logged (applied = false) and
// committed; the result says `conflict` and the caller reports it.
import type { ReviewDecision, ReviewDecisionKind, ReviewRelabel, SelectionItem } from "../generated/prisma/client.js";
import type { Store } from "../store.js";
import { SelectionWriteError, checkId } from "./errors.js";
import { WRITE_TX_OPTIONS, type WriteTx } from "./create-run.js";

interface ReviewItemRef {
  runId: number;
  sampleId: number;
  reviewerId: number;
  /** The item version the reviewer saw (SelectionItem.reviewVersion). */
  expectedVersion: number;
  comment: string | null;
}

export interface DecideReviewItemInput extends ReviewItemRef {
  decision: ReviewDecisionKind;
}

export interface RelabelReviewItemInput extends ReviewItemRef {
  /** The corrected label, or null to withdraw the correction (the caller trims and checks it). */
  label: string | null;
  /** The label is not one of the version's (the caller checked allowNewLabel). */
  newLabel: boolean;
  /** The label is the data-quality report's suggestion for the sample. */
  suggested: boolean;
}

export interface ReviewItemWrite<Logged> {
  /** expectedVersion was stale: the item is unchanged and the log row has applied = false. */
  conflict: boolean;
  /** The item after the write (unchanged on a conflict). */
  item: SelectionItem;
  /** The item as it was, under the lock, before the write. */
  previous: SelectionItem;
  logged: Logged;
}

const DECISIONS = new Set<string>(["ACCEPT", "REJECT", "FLAG"]);

function checkRef(input: ReviewItemRef): void {
  checkId(input.runId, "runId");
  checkId(input.sampleId, "sampleId");
  checkId(input.reviewerId, "reviewerId");
  if (!Number.isInteger(input.expectedVersion)) throw new SelectionWriteError("BAD_INPUT", "expectedVersion", `expectedVersion: expected an integer, got ${JSON.stringify(input.expectedVersion)}`);
  if (input.comment !== null && typeof input.comment !== "string") throw new SelectionWriteError("BAD_INPUT", "comment", "comment: expected a string or null");
}

/** The run's share lock and the item's row lock; the item as it is under them. */
async function lockItem(tx: WriteTx, runId: number, sampleId: number): Promise<SelectionItem> {
  const run = await tx.$queryRaw<{ reviewFinalizedAt: Date | null }[]>`SELECT "reviewFinalizedAt" FROM "SelectionRun" WHERE id = ${runId} FOR SHARE`;
  if (run[0]?.reviewFinalizedAt) throw new SelectionWriteError("ALREADY_FINALIZED", "runId", "the review of this run was finalised; it is read-only now");
  const locked = await tx.$queryRaw<{ locked: number }[]>`SELECT 1 AS locked FROM "SelectionItem" WHERE "runId" = ${runId} AND "sampleId" = ${sampleId} FOR UPDATE`;
  if (!locked.length) throw new SelectionWriteError("NOT_FOUND", "sampleId", "this sample is not an item of the run");
  return tx.selectionItem.findUniqueOrThrow({ where: { runId_sampleId: { runId, sampleId } } });
}

/**
 * Records a decision; `inTransaction` (the caller's audit row) runs last in the same transaction.
 * Typed errors, nothing written: ALREADY_FINALIZED, NOT_FOUND (no such item), BAD_INPUT naming the field.
 */
export async function decideReviewItem(
  store: Pick<Store, "prisma">,
  input: DecideReviewItemInput,
  inTransaction?: (tx: WriteTx, result: ReviewItemWrite<ReviewDecision>) => Promise<void>,
): Promise<ReviewItemWrite<ReviewDecision>> {
  checkRef(input);
  if (!DECISIONS.has(input.decision)) throw new SelectionWriteError("BAD_INPUT", "decision", `decision: expected ACCEPT, REJECT or FLAG, got ${input.decision}`);
  const { runId, sampleId } = input;
  return store.prisma.$transaction(async (tx) => {
    const previous = await lockItem(tx, runId, sampleId);
    const conflict = previous.reviewVersion !== input.expectedVersion;
    const item = conflict
      ? previous
      : await tx.selectionItem.update({
          where: { runId_sampleId: { runId, sampleId } },
          data: { reviewDecision: input.decision, reviewComment: input.comment, reviewVersion: { increment: 1 } },
        });
    // Every decision is kept, the one that lost a conflict too (applied = false).
    const logged = await tx.reviewDecision.create({
      data: { runId, sampleId, reviewerId: input.reviewerId, decision: input.decision, comment: input.comment, version: item.reviewVersion, applied: !conflict },
    });
    const result = { conflict, item, previous, logged };
    await inTransaction?.(tx, result);
    return result;
  }, WRITE_TX_OPTIONS);
}

/**
 * Records a label correction (SelectionItem.reviewLabel under the same version counter as decisions);
 * `inTransaction` runs last in the same transaction. Typed errors, nothing written: as decideReviewItem.
 */
export async function relabelReviewItem(
  store: Pick<Store, "prisma">,
  input: RelabelReviewItemInput,
  inTransaction?: (tx: WriteTx, result: ReviewItemWrite<ReviewRelabel>) => Promise<void>,
): Promise<ReviewItemWrite<ReviewRelabel>> {
  checkRef(input);
  if (input.label !== null && (typeof input.label !== "string" || input.label === "")) throw new SelectionWriteError("BAD_INPUT", "label", "label: expected a non-empty string or null");
  const { runId, sampleId } = input;
  return store.prisma.$transaction(async (tx) => {
    const previous = await lockItem(tx, runId, sampleId);
    const conflict = previous.reviewVersion !== input.expectedVersion;
    const item = conflict
      ? previous
      : await tx.selectionItem.update({ where: { runId_sampleId: { runId, sampleId } }, data: { reviewLabel: input.label, reviewVersion: { increment: 1 } } });
    // Every correction is kept, the one that lost a conflict too (applied = false).
    const logged = await tx.reviewRelabel.create({
      data: {
        runId,
        sampleId,
        reviewerId: input.reviewerId,
        label: input.label,
        previous: previous.reviewLabel,
        newLabel: input.newLabel,
        suggested: input.suggested,
        comment: input.comment,
        version: item.reviewVersion,
        applied: !conflict,
      },
    });
    const result = { conflict, item, previous, logged };
    await inTransaction?.(tx, result);
    return result;
  }, WRITE_TX_OPTIONS);
}
