// Facility location (Mirzasoleiman et al. 2020, "CRAIG"; the classic submodular coverage objective):
// maximise F(S) = Σ_i max_{j∈S} K(i, j) by lazy greedy (Minoux 1978), which gives the same picks as
// plain greedy with far fewer gain evaluations. K is an RBF kernel exp(−‖x−y‖²/h) with h the median
// pairwise squared distance (the median heuristic), or a cosine kernel (1 + cos θ)/2, kept ≥ 0 so
// F is monotone submodular.
//
// The n×n kernel of a class is held in memory, so classes larger than GROUND_SET_MAX are first
// subsampled (seeded) to GROUND_SET_MAX points, which serve both as candidates and as the points to
// cover. The result says so in a warning.
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";
import { deriveSeed, fmt, sampleWithoutReplacement } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { Kernel, StrategyPick } from "./types.js";

/** Largest class handled exactly; 2000² float32 = 16 MB of kernel. */
export const GROUND_SET_MAX = 2000;

/** Squared distances of every pair a < b of the given rows, in row-major upper-triangle order. */
export function pairSqDistances(points: Points, rows: ArrayLike<number>): Float64Array {
  const { data, dim } = points;
  const m = rows.length;
  // The rows gathered into one contiguous float64 block first: the m²/2 inner loops then read
  // sequential memory of one type (same values and summation order, so the same distances).
  const X = new Float64Array(m * dim);
  for (let a = 0; a < m; a++) for (let t = 0, o = rows[a]! * dim; t < dim; t++) X[a * dim + t] = data[o + t]!;
  const d2 = new Float64Array((m * (m - 1)) / 2);
  let p = 0;
  for (let a = 0; a < m; a++) {
    const oa = a * dim;
    for (let b = a + 1; b < m; b++) {
      const ob = b * dim;
      // Four partial sums (independent chains the CPU can overlap), added in a fixed order.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let t = 0;
      for (; t + 3 < dim; t += 4) {
        const d0 = X[oa + t]! - X[ob + t]!;
        const d1 = X[oa + t + 1]! - X[ob + t + 1]!;
        const d2_ = X[oa + t + 2]! - X[ob + t + 2]!;
        const d3 = X[oa + t + 3]! - X[ob + t + 3]!;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2_ * d2_;
        s3 += d3 * d3;
      }
      for (; t < dim; t++) {
        const d = X[oa + t]! - X[ob + t]!;
        s0 += d * d;
      }
      d2[p++] = s0 + s1 + (s2 + s3);
    }
  }
  return d2;
}

/** k-th smallest (0-based) of a, which it reorders: iterative quickselect with a median-of-three pivot. */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Median of the values of all `parts` pooled (the mean of the two middle ones for an even count); 1
 * when there is no value or the median is 0 (all pairs coincide: any bandwidth then gives K = 1).
 */
export function medianOfParts(parts: ReadonlyArray<Float64Array>): number {
  const L = parts.reduce((s, d) => s + d.length, 0);
  if (L === 0) return 1;
  const all = new Float64Array(L);
  let o = 0;
  for (const d of parts) {
    all.set(d, o);
    o += d.length;
  }
  const hiMid = selectKth(all, L >> 1);
  let h = hiMid;
  if (L % 2 === 0) {
    // After selectKth, everything before L/2 is ≤ the L/2-th value: the lower middle is their maximum.
    let loMid = -Infinity;
    for (let i = 0; i < L >> 1; i++) if (all[i]! > loMid) loMid = all[i]!;
    h = (loMid + hiMid) / 2;
  }
  return h > 0 ? h : 1;
}

/** Median pairwise squared distance of the given rows: the RBF median-heuristic bandwidth. */
export function medianPairSqDistance(points: Points, rows: ArrayLike<number>): number {
  return medianOfParts([pairSqDistances(points, rows)]);
}

/**
 * Median squared distance over the pairs of rows that share a set (pairs within each of `sets`,
 * pooled; never across sets). With no such pair, the median over all pairs of the union.
 */
export function medianWithinSqDistance(points: Points, sets: ReadonlyArray<ArrayLike<number>>): number {
  const parts = sets.map((rows) => pairSqDistances(points, rows));
  if (parts.every((d) => d.length === 0)) return medianPairSqDistance(points, sets.flatMap((rows) => Array.from(rows)));
  return medianOfParts(parts);
}

/** RBF similarity matrix exp(−d²/h) (m×m, row-major) from the pair distances of pairSqDistances. */
export function rbfKernelFromSqDistances(d2: Float64Array, m: number, h: number): Float32Array {
  if (!(h > 0 && Number.isFinite(h))) throw new EngineInputError("BAD_PARAM", "bandwidth", `expected a positive finite kernel bandwidth, got ${h}`);
  if (d2.length !== (m * (m - 1)) / 2) throw new EngineInputError("LENGTH_MISMATCH", "d2", `expected ${(m * (m - 1)) / 2} pair distances for ${m} rows, got ${d2.length}`);
  const K = new Float32Array(m * m);
  let p = 0;
  for (let a = 0; a < m; a++) {
    K[a * m + a] = 1;
    for (let b = a + 1; b < m; b++) {
      const v = Math.exp(-d2[p++]! / h);
      K[a * m + b] = v;
      K[b * m + a] = v;
    }
  }
  return K;
}

/**
 * Symmetric similarity matrix (m×m, row-major Float32Array) of the given rows. For rbf, `bandwidth`
 * h (squared-distance units) defaults to the median heuristic over these rows.
 */
export function kernelMatrix(points: Points, rows: ArrayLike<number>, kernel: Kernel, bandwidth?: number): { K: Float32Array; bandwidth: number | null } {
  const { data, dim } = points;
  const m = rows.length;
  if (kernel === "cosine") {
    const K = new Float32Array(m * m);
    const norm = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      const o = rows[a]! * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) s += data[o + t]! * data[o + t]!;
      norm[a] = Math.sqrt(s);
    }
    for (let a = 0; a < m; a++) {
      const oa = rows[a]! * dim;
      K[a * m + a] = 1;
      for (let b = a + 1; b < m; b++) {
        const ob = rows[b]! * dim;
        let s = 0;
        for (let t = 0; t < dim; t++) s += data[oa + t]! * data[ob + t]!;
        const den = norm[a]! * norm[b]!;
        const v = den > 0 ? (1 + s / den) / 2 : 0.5;
        K[a * m + b] = v;
        K[b * m + a] = v;
      }
    }
    return { K, bandwidth: null };
  }
  if (bandwidth !== undefined && !(bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw new EngineInputError("BAD_PARAM", "bandwidth", `expected a positive finite kernel bandwidth, got ${bandwidth}`);
  }
  const d2 = pairSqDistances(points, rows);
  const h = bandwidth ?? medianOfParts([d2]);
  return { K: rbfKernelFromSqDistances(d2, m, h), bandwidth: h };
}

/** Max-heap of (bound, index): larger bound first, then lower index. */
class GainHeap {
  private readonly bound: Float64Array;
  private readonly idx: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.bound = new Float64Array(capacity);
    this.idx = new Int32Array(capacity);
  }
  private before(a: number, b: number): boolean {
    return this.bound[a]! > this.bound[b]! || (this.bound[a] === this.bound[b] && this.idx[a]! < this.idx[b]!);
  }
  private swap(a: number, b: number): void {
    const tb = this.bound[a]!;
    this.bound[a] = this.bound[b]!;
    this.bound[b] = tb;
    const ti = this.idx[a]!;
    this.idx[a] = this.idx[b]!;
    this.idx[b] = ti;
  }
  push(bound: number, index: number): void {
    let i = this.size++;
    this.bound[i] = bound;
    this.idx[i] = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  peek(): { bound: number; index: number } | null {
    return this.size ? { bound: this.bound[0]!, index: this.idx[0]! } : null;
  }
  pop(): { bound: number; index: number } {
    const top = { bound: this.bound[0]!, index: this.idx[0]! };
    this.size--;
    if (this.size > 0) {
      this.bound[0] = this.bound[this.size]!;
      this.idx[0] = this.idx[this.size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.size && this.before(l, best)) best = l;
        if (r < this.size && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/**
 * facilityLocationGreedy(K, m, k) returns k positions maximising Σ_i max_{j∈S} K[i, j] greedily
 * (lazy evaluation), and the marginal gain of each pick.
 */
export function facilityLocationGreedy(K: Float32Array, m: number, k: number): { order: Int32Array; gains: Float64Array } {
  const kk = Math.min(k, m);
  const order = new Int32Array(kk);
  const gains = new Float64Array(kk);
  const cur = new Float64Array(m); // max similarity of each point to the chosen set
  const heap = new GainHeap(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += K[j * m + i]!; // K symmetric: column j = row j
    heap.push(s, j);
  }
  const gainOf = (j: number): number => {
    let s = 0;
    const o = j * m;
    for (let i = 0; i < m; i++) {
      const d = K[o + i]! - cur[i]!;
      if (d > 0) s += d;
    }
    return s;
  };
  for (let step = 0; step < kk; step++) {
    for (;;) {
      const top = heap.pop();
      const g = gainOf(top.index);
      const next = heap.peek();
      // Stale bounds only shrink (submodularity): if the fresh gain still beats the next bound, take it.
      if (!next || g > next.bound || (g === next.bound && top.index < next.index)) {
        order[step] = top.index;
        gains[step] = g;
        const o = top.index * m;
        for (let i = 0; i < m; i++) if (K[o + i]! > cur[i]!) cur[i] = K[o + i]!;
        break;
      }
      heap.push(g, top.index);
    }
  }
  return { order, gains };
}

export function selectFacilityLocation(ctx: StrategyContext): { picks: StrategyPick[]; warnings: string[] } {
  const kernel = ctx.params.kernel ?? "rbf";
  const warnings: string[] = [];
  let ground: ArrayLike<number> = ctx.rows;
  if (ctx.rows.length > GROUND_SET_MAX) {
    const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x666c));
    ground = Int32Array.from(sampleWithoutReplacement(ctx.rows, GROUND_SET_MAX, rng.next)).sort();
    warnings.push(
      `facility-location: class "${ctx.label}" has ${ctx.rows.length} samples; optimised over a seeded sample of ${GROUND_SET_MAX}`,
    );
  }
  const m = ground.length;
  const { K, bandwidth } = kernelMatrix(ctx.points, ground, kernel);
  const { order, gains } = facilityLocationGreedy(K, m, ctx.budget);
  const kdesc = kernel === "rbf" ? `RBF kernel, h = ${fmt(bandwidth!, 3)}` : "cosine kernel";
  const picks = Array.from(order, (pos, step) => ({
    row: ground[pos]!,
    group: null,
    groupKey: null,
    reason: `facility location step ${step + 1} of ${order.length} in ${ctx.label}: coverage gain ${fmt(gains[step]!, 3)} of ${m} (${kdesc})`,
  }));
  return { picks, warnings };
}
