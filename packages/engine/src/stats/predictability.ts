// How predictable a metadata column is from the embedding: leave-one-out k-NN accuracy (each row's
// value predicted by a majority vote of its k nearest other rows, i.e. n-fold cross-validation
// with the row held out), against chance = the majority-value rate. A column the embedding encodes
// (a site, a scanner) scores well above chance even when no cluster lines up with it.
import { knnGraph, type KnnGraph } from "../neighbors/knn.js";
import { EngineInputError, type Points, type Rng } from "../types.js";

export interface Predictability {
  accuracy: number;
  chance: number;
  k: number;
  /** Rows with a known value that were scored. */
  n: number;
}

/** Uses a precomputed kNN graph (its first k neighbours). Unknown values (null, "") are skipped. */
export function knnPredictabilityFromGraph(graph: KnnGraph, values: ArrayLike<string | null>, k = 10): Predictability | null {
  if (values.length !== graph.n) {
    throw new EngineInputError("BAD_LENGTH", "values", `knnPredictability: expected ${graph.n} values, got ${values.length}`);
  }
  const kk = Math.min(k, graph.k);
  if (kk < 1) throw new EngineInputError("BAD_K", "k", `knnPredictability: expected k ≥ 1, got ${k}`);
  const codes = new Int32Array(graph.n).fill(-1);
  const dict = new Map<string, number>();
  for (let i = 0; i < graph.n; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === "") continue;
    let c = dict.get(v);
    if (c === undefined) dict.set(v, (c = dict.size));
    codes[i] = c;
  }
  if (dict.size === 0) return null;
  const freq = new Float64Array(dict.size);
  let known = 0;
  for (let i = 0; i < graph.n; i++) {
    if (codes[i]! >= 0) {
      freq[codes[i]!] = freq[codes[i]!]! + 1;
      known++;
    }
  }
  let chance = 0;
  for (const f of freq) chance = Math.max(chance, f / known);
  const votes = new Float64Array(dict.size);
  let correct = 0;
  let scored = 0;
  for (let i = 0; i < graph.n; i++) {
    const ci = codes[i]!;
    if (ci < 0) continue;
    votes.fill(0);
    let best = -1;
    let cast = 0;
    // nearest first: on a tie in votes the value seen first (the nearer one) keeps the lead
    for (let t = 0; t < kk; t++) {
      const j = graph.indices[i * graph.k + t]!;
      if (j < 0) continue;
      const cj = codes[j]!;
      if (cj < 0) continue;
      votes[cj] = votes[cj]! + 1;
      cast++;
      if (best < 0 || votes[cj]! > votes[best]!) best = cj;
    }
    if (cast === 0) continue;
    scored++;
    if (best === ci) correct++;
  }
  return { accuracy: scored > 0 ? correct / scored : 0, chance, k: kk, n: scored };
}

/** Builds the kNN graph (exact below 4096 rows, NN-descent above), then scores. */
export function knnPredictability(points: Points, values: ArrayLike<string | null>, rng: Rng, k = 10): Predictability | null {
  if (points.n < 2) return null;
  return knnPredictabilityFromGraph(knnGraph(points, Math.min(k, points.n - 1), rng), values, k);
}
