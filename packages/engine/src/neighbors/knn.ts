// k-nearest-neighbour graphs: the shared shape, an exact brute-force builder for small inputs, and
// `knnGraph`, which picks brute force or NN-descent by size.
import type { Points, Rng } from "../types.js";
import { checkK, type KnnGraph } from "./graph.js";
import { heapPush, heapSortRows } from "./heap.js";
import { nnDescent, type NnDescentOptions } from "./nndescent.js";

export type { KnnGraph } from "./graph.js";

/** Coordinates summed for four pairs together before a pair may stop early (PCA puts most variance first). */
const PREFIX = 16;
/** Coordinates after which a group of four pairs all already past both heaps' k-th distance is dropped. */
const EARLY = 8;
/** Points per leaf of the locality order, and how many rank neighbours each point meets first. */
const LOCAL = 256;

/**
 * Exact kNN by comparing every pair: O(n² · dim). Ties go to the lower index. Points are first put
 * in a kd-tree leaf order and each meets its LOCAL successors in that order, so every heap starts
 * with near neighbours and a tight k-th distance. Then the remaining pairs, four (i, j..j+3) at a
 * time sharing the loads of row i over the first PREFIX coordinates (the four are dropped together
 * if all are out after EARLY); a pair whose partial sum already exceeds both heaps' current k-th
 * distance is dropped (the rest only adds: partial sums of squares never decrease), the others
 * finish alone. Each pair's sum runs over t in order and the heaps break ties on the original index,
 * so the output does not depend on the order pairs are met in: it is what one pair at a time gives.
 */
export function bruteForceKnn(points: Points, k: number): KnnGraph {
  const { n, dim } = points;
  checkK(n, k);
  // rows in locality order (a copy: the float32 → float64 widening is exact)
  const order = localityOrder(points, LOCAL);
  const data = new Float64Array(n * dim);
  for (let a = 0; a < n; a++) {
    const o = order[a]! * dim;
    for (let t = 0; t < dim; t++) data[a * dim + t] = points.data[o + t]!;
  }
  // heaps by rank, holding original indices
  const dist = new Float64Array(n * k).fill(Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  const push = (a: number, b: number, s: number): void => {
    heapPush(dist, idx, a, k, s, order[b]!);
    heapPush(dist, idx, b, k, s, order[a]!);
  };
  for (let a = 0; a < n; a++) {
    const oa = a * dim;
    for (let b = a + 1, end = Math.min(n - 1, a + LOCAL); b <= end; b++) {
      const ob = b * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const v = data[oa + t]! - data[ob + t]!;
        s += v * v;
      }
      push(a, b, s);
    }
  }
  const cut = Math.min(dim, PREFIX);
  const early = Math.min(dim, EARLY);
  const sums = new Float64Array(4);
  const finish = (i: number, j: number, s: number): void => {
    if (s > dist[i * k]! && s > dist[j * k]!) return;
    const oi = i * dim, oj = j * dim;
    for (let t = cut; t < dim; t++) {
      const v = data[oi + t]! - data[oj + t]!;
      s += v * v;
    }
    push(i, j, s);
  };
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    let j = i + LOCAL + 1;
    for (; j + 3 < n; j += 4) {
      const ti = dist[i * k]!; // row i's k-th distance; only the finish() calls below can lower it
      const o0 = j * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < early; t++) {
        const x = data[oi + t]!;
        const v0 = x - data[o0 + t]!, v1 = x - data[o1 + t]!, v2 = x - data[o2 + t]!, v3 = x - data[o3 + t]!;
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
      if (s0 > ti && s1 > ti && s2 > ti && s3 > ti && s0 > dist[j * k]! && s1 > dist[(j + 1) * k]! && s2 > dist[(j + 2) * k]! && s3 > dist[(j + 3) * k]!) continue;
      for (let t = early; t < cut; t++) {
        const x = data[oi + t]!;
        const v0 = x - data[o0 + t]!, v1 = x - data[o1 + t]!, v2 = x - data[o2 + t]!, v3 = x - data[o3 + t]!;
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
      if (s0 > ti && s1 > ti && s2 > ti && s3 > ti && s0 > dist[j * k]! && s1 > dist[(j + 1) * k]! && s2 > dist[(j + 2) * k]! && s3 > dist[(j + 3) * k]!) continue;
      sums[0] = s0;
      sums[1] = s1;
      sums[2] = s2;
      sums[3] = s3;
      for (let q = 0; q < 4; q++) finish(i, j + q, sums[q]!);
    }
    for (; j < n; j++) {
      let s = 0;
      const oj = j * dim;
      for (let t = 0; t < cut; t++) {
        const v = data[oi + t]! - data[oj + t]!;
        s += v * v;
      }
      finish(i, j, s);
    }
  }
  // back to row order
  const outDist = new Float64Array(n * k);
  const outIdx = new Int32Array(n * k);
  for (let a = 0; a < n; a++) {
    outDist.set(dist.subarray(a * k, a * k + k), order[a]! * k);
    outIdx.set(idx.subarray(a * k, a * k + k), order[a]! * k);
  }
  heapSortRows(outDist, outIdx, n, k);
  for (let i = 0; i < outDist.length; i++) outDist[i] = Math.sqrt(outDist[i]!);
  return { n, k, indices: outIdx, distances: outDist, method: "exact" };
}

/**
 * The rows in kd-tree leaf order: halve at the median of the coordinate with the largest variance
 * until at most `leaf` rows remain, so rows close in the order are mostly close in space.
 */
function localityOrder(points: Points, leaf: number): Int32Array {
  const { n, dim, data } = points;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const split = (lo: number, hi: number): void => {
    if (hi - lo <= leaf) return;
    let best = 0, bestVar = -1;
    for (let t = 0; t < dim; t++) {
      let sum = 0, sq = 0;
      for (let a = lo; a < hi; a++) {
        const x = data[order[a]! * dim + t]!;
        sum += x;
        sq += x * x;
      }
      const variance = sq / (hi - lo) - (sum / (hi - lo)) ** 2;
      if (variance > bestVar) {
        bestVar = variance;
        best = t;
      }
    }
    order.subarray(lo, hi).sort((a, b) => data[a * dim + best]! - data[b * dim + best]! || a - b);
    const mid = (lo + hi) >> 1;
    split(lo, mid);
    split(mid, hi);
  };
  split(0, n);
  return order;
}

/** Brute force up to `exactBelow` points (default 4096), NN-descent above. */
export function knnGraph(points: Points, k: number, rng: Rng, options: { exactBelow?: number } & NnDescentOptions = {}): KnnGraph {
  checkK(points.n, k);
  if (points.n <= (options.exactBelow ?? 4096)) return bruteForceKnn(points, k);
  return nnDescent(points, k, rng, options);
}
