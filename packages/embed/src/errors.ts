// Two kinds of failure, kept apart on purpose:
//  - EmbedError: the job cannot run (bad config, a model that doesn't match its config, cancelled).
//    Thrown before any work, or when the whole run stops.
//  - SampleFailure: one input could not be embedded (corrupt file, unsupported transfer syntax, …).
//    Recorded with a reason; the run goes on.

export type EmbedErrorCode =
  | "CONFIG_INVALID"
  | "MODEL_NOT_FOUND"
  | "MODEL_LOAD_FAILED"
  | "MODEL_INPUT_MISMATCH"
  | "MODEL_OUTPUT_MISMATCH"
  | "DIM_MISMATCH"
  | "INFERENCE_FAILED"
  | "INPUT_INVALID"
  | "ABORTED"
  | "WORKER_FAILED";

export class EmbedError extends Error {
  override readonly name = "EmbedError";
  readonly code: EmbedErrorCode;
  constructor(code: EmbedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export type SampleFailureCode =
  | "READ_FAILED"
  | "UNSUPPORTED_FORMAT"
  | "DECODE_FAILED"
  | "UNSUPPORTED_TRANSFER_SYNTAX"
  | "UNSUPPORTED_PHOTOMETRIC"
  | "BAD_BIT_DEPTH"
  | "EMPTY_IMAGE"
  | "NO_PIXEL_DATA"
  | "CHANNELS_MISMATCH"
  | "NON_FINITE"
  | "INFERENCE_FAILED";

/** Thrown by decoders for one sample; the pipeline turns it into a failure record. */
export class SampleError extends Error {
  override readonly name = "SampleError";
  readonly code: SampleFailureCode;
  constructor(code: SampleFailureCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof EmbedError && error.code === "ABORTED";
}
