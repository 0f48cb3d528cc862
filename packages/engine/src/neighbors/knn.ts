// k-nearest-neighbour graphs: the shared shape, an exact brute-force builder for small inputs, and
// `knnGraph`, which picks brute force or NN-descent by size.
import type { Points, Rng } from "../types.js";
import { checkK, type KnnGraph } from "./graph.js";
import { heapPush, heapSortRows } from "./heap.js";
import { nnDescent, type NnDescentOptions } from "./nndescent.js";

export type { KnnGraph } from "./graph.js";

/** Exact kNN by comparing every pair: O(n² · dim). Ties go to the lower index. */
export function bruteForceKnn(points: Points, k: number): KnnGraph {
  const { n, dim, data } = points;
  checkK(n, k);
  const dist = new Float64Array(n * k).fill(Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const v = data[oi + t]! - data[oj + t]!;
        s += v * v;
      }
      heapPush(dist, idx, i, k, s, j);
      heapPush(dist, idx, j, k, s, i);
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
