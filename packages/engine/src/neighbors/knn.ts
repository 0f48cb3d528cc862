// k-nearest-neighbour graphs: the shared shape, an exact brute-force builder for small inputs, and
// `knnGraph`, which picks brute force or NN-descent by size.
import type { Points, Rng } from "../types.js";
import { checkK, type KnnGraph } from "./graph.js";
import { heapPush, heapSortRows } from "./heap.js";
import { nnDescent, type NnDescentOptions } from "./nndescent.js";

export type { KnnGraph } from "./graph.js";

/** Coordinates summed for four pairs together before a pair may stop early (PCA puts most variance first). */
const PREFIX = 16;

/**
 * Exact kNN by comparing every pair: O(n² · dim). Ties go to the lower index. Four pairs (i, j..j+3)
 * at a time share the loads of row i over the first PREFIX coordinates; a pair whose partial sum
 * already exceeds both heaps' current k-th distance is dropped (the rest only adds), the others
 * finish alone. Each pair's sum runs over t in order, so the output is as one pair at a time gives.
 */
export function bruteForceKnn(points: Points, k: number): KnnGraph {
  const { n, dim, data } = points;
  checkK(n, k);
  const dist = new Float64Array(n * k).fill(Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  const cut = Math.min(dim, PREFIX);
  const sums = new Float64Array(4);
  const finish = (i: number, j: number, s: number): void => {
    if (s > dist[i * k]! && s > dist[j * k]!) return;
    const oi = i * dim, oj = j * dim;
    for (let t = cut; t < dim; t++) {
      const v = data[oi + t]! - data[oj + t]!;
      s += v * v;
    }
    heapPush(dist, idx, i, k, s, j);
    heapPush(dist, idx, j, k, s, i);
  };
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    let j = i + 1;
    for (; j + 3 < n; j += 4) {
      const o0 = j * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < cut; t++) {
        const x = data[oi + t]!;
        const v0 = x - data[o0 + t]!, v1 = x - data[o1 + t]!, v2 = x - data[o2 + t]!, v3 = x - data[o3 + t]!;
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
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
  heapSortRows(dist, idx, n, k);
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]!);
  return { n, k, indices: idx, distances: dist, method: "exact" };
}

/** Brute force up to `exactBelow` points (default 4096), NN-descent above. */
export function knnGraph(points: Points, k: number, rng: Rng, options: { exactBelow?: number } & NnDescentOptions = {}): KnnGraph {
  checkK(points.n, k);
  if (points.n <= (options.exactBelow ?? 4096)) return bruteForceKnn(points, k);
  return nnDescent(points, k, rng, options);
}
