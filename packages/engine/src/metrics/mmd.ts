// Maximum mean discrepancy with an RBF kernel k(x, y) = exp(−‖x − y‖² / h) (Gretton et al. 2012),
// the biased (V-statistic) estimate MMD² = mean k(X,X) + mean k(Y,Y) − 2 mean k(X,Y). h defaults
// to the median pairwise squared distance of X ∪ Y (the median heuristic). 0 means the two samples
// look identical to the kernel; larger means more different (at most √2).
import type { Points } from "../types.js";
import { EngineInputError } from "../types.js";

export interface MmdResult {
  /** √max(0, MMD²). */
  mmd: number;
  mmd2: number;
  /** Bandwidth h used (squared-distance units). */
  bandwidth: number;
}

function sqDist(A: Points, i: number, B: Points, j: number): number {
  const d = A.dim;
  const a = i * d;
  const b = j * d;
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = A.data[a + t]! - B.data[b + t]!;
    s += x * x;
  }
  return s;
}

/** Median pairwise squared distance within X ∪ Y (all pairs). */
export function medianSqDistance(X: Points, Y: Points): number {
  const all: number[] = [];
  const sets: [Points, number][] = [];
  for (let i = 0; i < X.n; i++) sets.push([X, i]);
  for (let j = 0; j < Y.n; j++) sets.push([Y, j]);
  for (let p = 0; p < sets.length; p++) {
    for (let q = p + 1; q < sets.length; q++) all.push(sqDist(sets[p]![0], sets[p]![1], sets[q]![0], sets[q]![1]));
  }
  if (all.length === 0) return 1;
  const s = Float64Array.from(all).sort();
  const L = s.length;
  const med = L % 2 ? s[(L - 1) / 2]! : (s[L / 2 - 1]! + s[L / 2]!) / 2;
  return med > 0 ? med : 1;
}

function meanKernel(A: Points, B: Points, h: number): number {
  let s = 0;
  for (let i = 0; i < A.n; i++) for (let j = 0; j < B.n; j++) s += Math.exp(-sqDist(A, i, B, j) / h);
  return s / (A.n * B.n);
}

/** mmdRbf(X, Y, {bandwidth?}) → biased MMD between two samples of the same dimension. */
export function mmdRbf(X: Points, Y: Points, options: { bandwidth?: number } = {}): MmdResult {
  if (X.dim !== Y.dim) throw new EngineInputError("DIM_MISMATCH", "Y", `expected dim ${X.dim} (as X), got ${Y.dim}`);
  if (X.n === 0 || Y.n === 0) throw new EngineInputError("EMPTY_INPUT", X.n === 0 ? "X" : "Y", "expected at least one point in each sample, got none");
  const h = options.bandwidth ?? medianSqDistance(X, Y);
  if (!(h > 0)) throw new EngineInputError("BAD_PARAM", "bandwidth", `expected a bandwidth > 0, got ${h}`);
  const mmd2 = meanKernel(X, X, h) + meanKernel(Y, Y, h) - 2 * meanKernel(X, Y, h);
  return { mmd: Math.sqrt(Math.max(0, mmd2)), mmd2, bandwidth: h };
}
