// NN-descent (Dong, Moses & Li, WWW 2011), in the form used by PyNNDescent: start from random
// neighbours, then repeatedly compare each point's neighbours with one another ("local join"),
// sampling at most `maxCandidates` new and old candidates per point, both forward and reverse,
// until fewer than delta·n·k heap updates happen in a round. Squared Euclidean distance inside,
// Euclidean outside. All randomness comes from the rng passed in.
import type { Points, Rng } from "../types.js";
import { heapPushUnique, heapSortRows } from "./heap.js";
import { checkK, type KnnGraph } from "./graph.js";

export interface NnDescentOptions {
  /** Rounds of local joins at most (default 12). */
  maxIterations?: number;
  /** Stop when a round changes fewer than delta·n·k entries (default 0.001). */
  delta?: number;
  /** Candidates sampled per point and round (default min(k, 32)). */
  maxCandidates?: number;
}

export function nnDescent(points: Points, k: number, rng: Rng, options: NnDescentOptions = {}): KnnGraph {
  const { n, dim, data } = points;
  checkK(n, k);
  const maxIterations = options.maxIterations ?? 12;
  const delta = options.delta ?? 0.001;
  const mc = Math.max(1, options.maxCandidates ?? Math.min(k, 32));

  const dist = new Float64Array(n * k).fill(Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  const isNew = new Uint8Array(n * k);
  const sqdist = (a: number, b: number): number => {
    const oa = a * dim;
    const ob = b * dim;
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[oa + t]! - data[ob + t]!;
      s += v * v;
    }
    return s;
  };
  /**
   * sqdist(a, b), or Infinity as soon as a partial sum exceeds `bound` (the larger of the two heaps'
   * current k-th distances: such a pair enters neither heap, whatever the remaining coordinates add, so
   * the graph is the same as with full sums). Checked every 8 coordinates; in a PCA space the leading
   * coordinates carry most of the variance and far pairs are dropped after the first few.
   */
  const sqdistBelow = (a: number, b: number, bound: number): number => {
    const oa = a * dim;
    const ob = b * dim;
    let s = 0;
    let t = 0;
    for (let stop = 8; stop < dim; stop += 8) {
      for (; t < stop; t++) {
        const v = data[oa + t]! - data[ob + t]!;
        s += v * v;
      }
      if (s > bound) return Infinity;
    }
    for (; t < dim; t++) {
      const v = data[oa + t]! - data[ob + t]!;
      s += v * v;
    }
    return s;
  };
  // Random initial neighbours.
  for (let i = 0; i < n; i++) {
    let filled = 0;
    let tries = 0;
    while (filled < k && tries < 4 * k + 16) {
      tries++;
      const j = rng.int(n);
      if (j === i) continue;
      filled += heapPushUnique(dist, idx, isNew, i, k, sqdist(i, j), j, 1);
    }
    for (let j = 0; filled < k && j < n; j++) {
      if (j !== i) filled += heapPushUnique(dist, idx, isNew, i, k, sqdist(i, j), j, 1);
    }
  }

  const newIdx = new Int32Array(n * mc);
  const newPri = new Float64Array(n * mc);
  const oldIdx = new Int32Array(n * mc);
  const oldPri = new Float64Array(n * mc);
  let seed = (rng.int(0x7fffffff) | 1) >>> 0;
  for (let iter = 0; iter < maxIterations; iter++) {
    newIdx.fill(-1);
    newPri.fill(Infinity);
    oldIdx.fill(-1);
    oldPri.fill(Infinity);
    for (let i = 0; i < n; i++) {
      for (let s = i * k, e = s + k; s < e; s++) {
        const j = idx[s]!;
        if (j < 0) continue;
        // xorshift32: a cheap priority, so sampling costs no call per candidate
        seed ^= seed << 13;
        seed >>>= 0;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        seed >>>= 0;
        const pr = seed / 4294967296;
        if (isNew[s]) {
          heapPushUnique(newPri, newIdx, null, i, mc, pr, j, 0);
          heapPushUnique(newPri, newIdx, null, j, mc, pr, i, 0);
        } else {
          heapPushUnique(oldPri, oldIdx, null, i, mc, pr, j, 0);
          heapPushUnique(oldPri, oldIdx, null, j, mc, pr, i, 0);
        }
      }
    }
    // Entries sampled as new become old.
    for (let i = 0; i < n; i++) {
      for (let s = i * k, e = s + k; s < e; s++) {
        if (!isNew[s]) continue;
        const j = idx[s]!;
        for (let t = i * mc, te = t + mc; t < te; t++) {
          if (newIdx[t] === j) {
            isNew[s] = 0;
            break;
          }
        }
      }
    }
    let updates = 0;
    for (let i = 0; i < n; i++) {
      const base = i * mc;
      for (let a = 0; a < mc; a++) {
        const p = newIdx[base + a]!;
        if (p < 0) continue;
        for (let b = a + 1; b < mc; b++) {
          const q = newIdx[base + b]!;
          if (q < 0) continue;
          const d = sqdistBelow(p, q, Math.max(dist[p * k]!, dist[q * k]!));
          if (d === Infinity) continue;
          updates += heapPushUnique(dist, idx, isNew, p, k, d, q, 1);
          updates += heapPushUnique(dist, idx, isNew, q, k, d, p, 1);
        }
        for (let b = 0; b < mc; b++) {
          const q = oldIdx[base + b]!;
          if (q < 0 || q === p) continue;
          const d = sqdistBelow(p, q, Math.max(dist[p * k]!, dist[q * k]!));
          if (d === Infinity) continue;
          updates += heapPushUnique(dist, idx, isNew, p, k, d, q, 1);
          updates += heapPushUnique(dist, idx, isNew, q, k, d, p, 1);
        }
      }
    }
    if (updates <= delta * n * k) break;
  }
  heapSortRows(dist, idx, n, k);
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]!);
  return { n, k, indices: idx, distances: dist, method: "nn-descent" };
}
