// The shape shared by every k-nearest-neighbour builder, and its argument check.
import { EngineInputError } from "../types.js";

/** Row i's k neighbours (self excluded) at [i*k, (i+1)*k), nearest first. Distances are Euclidean. */
export interface KnnGraph {
  n: number;
  k: number;
  indices: Int32Array;
  distances: Float64Array;
  /** "exact" for brute force, "nn-descent" for the approximate graph. */
  method: "exact" | "nn-descent";
}

export function checkK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError("BAD_K", "k", `knn: expected k ≥ 1, got ${k}`);
  if (k > n - 1) throw new EngineInputError("TOO_FEW_POINTS", "k", `knn: k = ${k} needs at least ${k + 1} points, got ${n}`);
}
