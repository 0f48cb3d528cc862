// Shared shapes of the engine. Points are flat typed arrays plus a dimension (d3 style):
// row i occupies data[i * dim .. (i + 1) * dim). Labels and groups are Int32Array with -1 for noise.

/** Row-major points. */
export interface Points {
  readonly data: Float32Array | Float64Array;
  readonly n: number;
  readonly dim: number;
}

/** A source of uniform numbers in [0, 1). Always passed in, never global, so runs are reproducible. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

/** Metadata columns by name; value i belongs to row i. null or "" means unknown. */
export type MetadataColumns = Readonly<Record<string, ReadonlyArray<string | null>>>;

/** Reports progress of long steps; the engine calls it at most every few hundred ms of work. */
export type ProgressFn = (phase: string, done: number, total: number) => void;

/** An error in the caller's parameters (not a bug): the CLI and API turn it into a typed error. */
export class EngineInputError extends RangeError {
  /** Machine-readable code, e.g. "BUDGET_TOO_SMALL", and the parameter it concerns. */
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "EngineInputError";
  }
}
