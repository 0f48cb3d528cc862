// Sparse input similarities for t-SNE: per-row Gaussian kernels calibrated by binary search to a
// target perplexity over the k nearest neighbours (van der Maaten 2014, §4.1), then symmetrised
// P = (P_cond + P_condᵀ) / (2n). Returned in CSR form.
import type { KnnGraph } from "../neighbors/graph.js";

export interface SparseMatrix {
  n: number;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/** Conditional p_{j|i} over each row's k neighbours, squared distances, natural-log entropy. */
export function perplexityRows(graph: KnnGraph, perplexity: number): Float64Array {
  const { n, k, distances } = graph;
  const p = new Float64Array(n * k);
  const target = Math.log(perplexity);
  const d2 = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    let dmin = Infinity;
    for (let t = 0; t < k; t++) {
      d2[t] = distances[off + t]! ** 2;
      if (d2[t]! < dmin) dmin = d2[t]!;
    }
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < 200; step++) {
      let sum = 0;
      let dot = 0;
      for (let t = 0; t < k; t++) {
        // shifted by the smallest distance for stability; cancels in the normalisation
        const w = Math.exp(-(d2[t]! - dmin) * beta);
        p[off + t] = w;
        sum += w;
        dot += d2[t]! * w;
      }
      if (sum === 0) sum = 1e-300;
      const h = Math.log(sum) + beta * (dot / sum - dmin);
      const diff = h - target;
      for (let t = 0; t < k; t++) p[off + t] = p[off + t]! / sum;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  return p;
}

/** P = (C + Cᵀ) / sum, where C holds row-conditional weights on the kNN pattern. */
export function symmetrize(graph: KnnGraph, cond: Float64Array): SparseMatrix {
  const { n, k, indices } = graph;
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!;
      if (j < 0) continue;
      count[i + 1]!++;
      count[j + 1]!++;
    }
  }
  for (let i = 0; i < n; i++) count[i + 1] = count[i + 1]! + count[i]!;
  const rawCols = new Int32Array(count[n]!);
  const rawVals = new Float64Array(count[n]!);
  const fill = count.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!;
      if (j < 0) continue;
      const v = cond[i * k + t]!;
      rawCols[fill[i]!] = j;
      rawVals[fill[i]!++] = v;
      rawCols[fill[j]!] = i;
      rawVals[fill[j]!++] = v;
    }
  }
  // merge duplicate (i, j) entries row by row
  const slot = new Int32Array(n).fill(-1);
  const rowPtr = new Int32Array(n + 1);
  const cols = new Int32Array(rawCols.length);
  const vals = new Float64Array(rawCols.length);
  let nnz = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = nnz;
    for (let s = count[i]!, e = count[i + 1]!; s < e; s++) {
      const j = rawCols[s]!;
      const at = slot[j]!;
      if (at >= 0) vals[at] = vals[at]! + rawVals[s]!;
      else {
        slot[j] = nnz;
        cols[nnz] = j;
        vals[nnz++] = rawVals[s]!;
      }
      total += rawVals[s]!;
    }
    for (let s = rowPtr[i]!; s < nnz; s++) slot[cols[s]!] = -1;
  }
  rowPtr[n] = nnz;
  const norm = total > 0 ? 1 / total : 0;
  for (let s = 0; s < nnz; s++) vals[s] = vals[s]! * norm;
  return { n, rowPtr, cols: cols.slice(0, nnz), vals: vals.slice(0, nnz) };
}
