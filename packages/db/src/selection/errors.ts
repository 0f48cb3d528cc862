// Typed errors of the selection and review write paths. `code` is stable (callers map it to their own
// error codes); `field` names the input that caused it, or null when the stored state did.

export type SelectionWriteErrorCode =
  /** An input is malformed; `field` names it. Nothing was written. */
  | "BAD_INPUT"
  /** The row the input names does not exist (or not in the expected place). */
  | "NOT_FOUND"
  /** The run's review was finalised already (finalizeReview under the run's row lock). */
  | "ALREADY_FINALIZED"
  /** No item of the run is accepted: there is nothing to cut a version from. */
  | "NONE_ACCEPTED"
  /** The stored row is in a state the write does not apply to (e.g. a run that is not SUCCEEDED). */
  | "INVALID_STATE"
  /** A unique key is taken (e.g. a subset name in its project); `field` names the input. Nothing was written. */
  | "CONFLICT";

export class SelectionWriteError extends Error {
  override name = "SelectionWriteError";
  constructor(
    readonly code: SelectionWriteErrorCode,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

export function checkId(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new SelectionWriteError("BAD_INPUT", field, `${field}: expected a positive integer id, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkOptionalId(value: unknown, field: string): number | null {
  return value === null || value === undefined ? null : checkId(value, field);
}
