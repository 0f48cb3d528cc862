// Outliers per class: a row's score is its mean distance to its k nearest rows of the same class (the
// kNN-distance score of Ramaswamy et al. 2000 / Angiulli & Pizzuti 2002, averaged over k for
// stability). Ranked within the class, 0 = most outlying, with the score's ratio to the class median
// in the reason. Euclidean by default: images from another source often differ first in the size of
// their embedding (measured on PneumoniaMNIST with planted phantoms: cosine, which drops the norm,
// ranked them below the X-rays; Euclidean found them all). A group of more than k off-distribution
// rows that sit close to one another scores as ordinary, so k grows with the class: by default
// k = round(√m) clamped to 10..50 for a class of m rows (the classical k ≈ √n of kNN density
// estimation; Loftsgaarden & Quesenberry 1965). A fixed k = 10 found 84 % of 25 clustered phantoms per
// class in the demo encoder's features, √m ≈ 35 all of them (bench/results/data-quality.md).
import { EngineInputError, type Points } from "../types.js";
import { createRng } from "../rng.js";
import { knnGraph } from "../neighbors/knn.js";
import { checkInt, checkLength, checkPoints, checkSeed, median } from "./common.js";
import { cosineKnn, type CosineKnnOptions } from "./knn.js";

export interface OutlierOptions extends CosineKnnOptions {
  /** Same-class neighbours averaged (default round(√m) clamped to 10..50 per class of m rows; always capped at m − 1). */
  k?: number;
  /** "euclidean" (default; exact up to exactBelow rows, NN-descent above) or "cosine" (cosineKnn). */
  metric?: "euclidean" | "cosine";
}

export interface OutlierResult {
  /** The k asked for, or null for the per-class √m rule (perClass[].k has each class's). */
  k: number | null;
  metric: "euclidean" | "cosine";
  /** Per row: mean distance to its k nearest same-class rows (NaN for a class of one). */
  scores: Float64Array;
  /** Per row: score / its class's median score. */
  ratios: Float64Array;
  /** Per row: rank within its class by descending score, 0 = most outlying. */
  ranks: Int32Array;
  /** Per row: rank / (class size − 1), 0 = most outlying, 1 = least (0 for a class of one). */
  rankFractions: Float64Array;
  reasons: string[];
  perClass: { label: string; n: number; medianScore: number; k: number }[];
}

const f3 = (x: number): string => x.toFixed(3);

/** The default neighbours for a class of m rows: round(√m) clamped to 10..50. */
export function defaultOutlierK(m: number): number {
  return Math.max(10, Math.min(50, Math.round(Math.sqrt(m))));
}

export function classOutliers(points: Points, labels: ReadonlyArray<string>, options: OutlierOptions = {}): OutlierResult {
  checkPoints(points);
  const { n, dim, data } = points;
  checkLength("labels", labels, n);
  checkSeed(options.seed ?? 0);
  const kWanted = options.k === undefined ? null : checkInt("k", options.k, 1, 1024);
  const metric = options.metric ?? "euclidean";
  if (metric !== "euclidean" && metric !== "cosine") throw new EngineInputError("BAD_PARAM", "metric", `expected "euclidean" or "cosine", got ${JSON.stringify(metric)}`);
  const seed = options.seed ?? 0;
  const scores = new Float64Array(n).fill(NaN);
  const ratios = new Float64Array(n).fill(NaN);
  const ranks = new Int32Array(n);
  const rankFractions = new Float64Array(n);
  const reasons = new Array<string>(n).fill("");
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if (typeof l !== "string" || l === "") throw new EngineInputError("BAD_LABEL", "labels", `row ${i}: expected a non-empty label, got ${JSON.stringify(l)}`);
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const perClass: OutlierResult["perClass"] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const rows = byLabel.get(label)!;
    const m = rows.length;
    if (m < 2) {
      reasons[rows[0]!] = `only row of class "${label}"`;
      perClass.push({ label, n: m, medianScore: NaN, k: 0 });
      continue;
    }
    const k = Math.min(kWanted ?? defaultOutlierK(m), m - 1);
    // the class's rows as their own matrix (one class at a time)
    const sub = new Float32Array(m * dim);
    rows.forEach((r, a) => sub.set(data.subarray(r * dim, (r + 1) * dim), a * dim));
    const subPoints = { data: sub, n: m, dim };
    const exact = options.method === "exact" || (options.method !== "approximate" && m <= (options.exactBelow ?? 2000));
    const g = metric === "cosine" ? cosineKnn(subPoints, k, options) : knnGraph(subPoints, k, createRng(seed), { exactBelow: exact ? m : 0 });
    const local = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let t = a * k; t < (a + 1) * k; t++) s += g.distances[t]!;
      local[a] = s / k;
    }
    const med = median(local);
    const order = Array.from({ length: m }, (_, a) => a).sort((x, y) => local[y]! - local[x]! || rows[x]! - rows[y]!);
    order.forEach((a, rank) => {
      const r = rows[a]!;
      scores[r] = local[a]!;
      ratios[r] = med > 0 ? local[a]! / med : local[a]! > 0 ? Infinity : 1;
      ranks[r] = rank;
      rankFractions[r] = rank / (m - 1);
      reasons[r] = `mean ${metric} distance to its ${k} nearest "${label}" rows ${f3(local[a]!)}, ${med > 0 ? (local[a]! / med).toFixed(1) : "∞"}× the class median ${f3(med)}; rank ${rank + 1} of ${m} in "${label}"`;
    });
    perClass.push({ label, n: m, medianScore: med, k });
  }
  return { k: kWanted, metric, scores, ratios, ranks, rankFractions, reasons, perClass };
}
