// k-center greedy (Gonzalez 1985; the "core-set" of Sener & Savarese 2018): start from one point,
// then repeatedly add the point farthest from everything chosen so far. A 2-approximation of the
// minimax cover radius; every prefix of the order is itself a greedy cover.
import type { Points, ProgressFn } from "../types.js";
import { deriveSeed, fmt } from "./common.js";
import { createRng } from "../rng.js";
import type { StrategyPick } from "./types.js";
import type { StrategyContext } from "./context.js";

export interface KCenterOptions {
  /** Position (in `rows`) of the first centre; default 0. */
  first?: number;
  onProgress?: ProgressFn;
}

export interface KCenterResult {
  /** Positions in `rows` (or row indices when rows is omitted), in pick order. */
  order: Int32Array;
  /** Squared distance of each pick to the previously chosen set at the time it was chosen (first: Infinity). */
  radius: Float64Array;
}

/**
 * kCenterGreedy(points, k, rows?, options) returns k positions in greedy farthest-first order.
 * `rows` restricts the search to a subset (positions refer to it); without it, all n rows.
 * Ties in distance go to the lower position. O(k · |rows| · dim) time, O(|rows|) extra memory.
 */
export function kCenterGreedy(points: Points, k: number, rows?: ArrayLike<number>, options: KCenterOptions = {}): KCenterResult {
  const { data, dim } = points;
  const m = rows ? rows.length : points.n;
  const kk = Math.min(k, m);
  const order = new Int32Array(kk);
  const radius = new Float64Array(kk);
  if (kk === 0) return { order, radius };
  // Work on a contiguous copy when rows is a subset, so the hot loop streams memory.
  let X: Float32Array | Float64Array = data;
  if (rows) {
    X = data instanceof Float32Array ? new Float32Array(m * dim) : new Float64Array(m * dim);
    for (let r = 0; r < m; r++) X.set(data.subarray(rows[r]! * dim, rows[r]! * dim + dim), r * dim);
  }
  const minD = new Float64Array(m).fill(Infinity);
  // Chosen points get minD = −1, so they never win the argmax, even when every distance is 0.
  const c = new Float64Array(dim);
  let next = options.first ?? 0;
  const dim4 = dim - (dim % 4);
  for (let step = 0; step < kk; step++) {
    order[step] = next;
    radius[step] = step === 0 ? Infinity : minD[next]!;
    if (step === kk - 1) break;
    minD[next] = -1;
    const co = next * dim;
    for (let t = 0; t < dim; t++) c[t] = X[co + t]!;
    let best = -1;
    let bestD = -1;
    for (let i = 0; i < m; i++) {
      const o = i * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < dim4; t += 4) {
        const d0 = X[o + t]! - c[t]!;
        const d1 = X[o + t + 1]! - c[t + 1]!;
        const d2 = X[o + t + 2]! - c[t + 2]!;
        const d3 = X[o + t + 3]! - c[t + 3]!;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      for (; t < dim; t++) {
        const d = X[o + t]! - c[t]!;
        s0 += d * d;
      }
      const s = s0 + s1 + s2 + s3;
      let md = minD[i]!;
      if (s < md) {
        md = s;
        minD[i] = s;
      }
      if (md > bestD) {
        bestD = md;
        best = i;
      }
    }
    next = best;
    if (options.onProgress && (step & 63) === 0) options.onProgress("kcenter", step + 1, kk);
  }
  options.onProgress?.("kcenter", kk, kk);
  return { order, radius };
}

/** k-center strategy for one class: first centre drawn with the seed, then farthest-first. */
export function selectKCenter(ctx: StrategyContext): StrategyPick[] {
  const { rows, budget, label } = ctx;
  const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x6b63));
  const first = rng.int(rows.length);
  const { order, radius } = kCenterGreedy(ctx.points, budget, rows, { first, onProgress: ctx.onProgress });
  return Array.from(order, (pos, step) => ({
    row: rows[pos]!,
    group: null,
    groupKey: null,
    reason:
      step === 0
        ? `k-center step 1 of ${order.length} in ${label}: random start`
        : `k-center step ${step + 1} of ${order.length} in ${label}: farthest from those chosen (distance ${fmt(Math.sqrt(radius[step]!), 3)})`,
  }));
}
