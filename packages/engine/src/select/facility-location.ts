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
import type { Points } from "../types.js";
import { deriveSeed, fmt, sampleWithoutReplacement } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { Kernel, StrategyPick } from "./types.js";

/** Largest class handled exactly; 2000² float32 = 16 MB of kernel. */
export const GROUND_SET_MAX = 2000;

/** Symmetric similarity matrix (m×m, row-major Float32Array) of the given rows. */
export function kernelMatrix(points: Points, rows: ArrayLike<number>, kernel: Kernel): { K: Float32Array; bandwidth: number | null } {
  const { data, dim } = points;
  const m = rows.length;
  const K = new Float32Array(m * m);
  if (kernel === "cosine") {
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
  const d2 = new Float64Array((m * (m - 1)) / 2);
  let p = 0;
  for (let a = 0; a < m; a++) {
    const oa = rows[a]! * dim;
    for (let b = a + 1; b < m; b++) {
      const ob = rows[b]! * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const d = data[oa + t]! - data[ob + t]!;
        s += d * d;
      }
      d2[p++] = s;
    }
  }
  const sorted = Float64Array.from(d2).sort();
  const L = sorted.length;
  let h = L === 0 ? 1 : L % 2 ? sorted[(L - 1) / 2]! : (sorted[L / 2 - 1]! + sorted[L / 2]!) / 2;
  if (!(h > 0)) h = 1; // all points identical (or one point): any bandwidth gives K = 1
  p = 0;
  for (let a = 0; a < m; a++) {
    K[a * m + a] = 1;
    for (let b = a + 1; b < m; b++) {
      const v = Math.exp(-d2[p++]! / h);
      K[a * m + b] = v;
      K[b * m + a] = v;
    }
  }
  return { K, bandwidth: h };
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
