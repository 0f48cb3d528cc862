// Likely label errors: out-of-sample class probabilities, then confident learning (Northcutt, Jiang &
// Chuang, JAIR 2021). Probabilities come from the k nearest other rows (cosine kNN, each row's own
// label never counts: leave-one-out) or from the engine's logistic regression with stratified k-fold
// cross-validation (each row predicted by a model that never saw it).
// Confident learning: per class j, the threshold t_j is the mean of p̂(j | x) over rows labelled j
// (the class's mean self-confidence). A row's confident class is the argmax of p̂(j | x) over the
// classes with p̂(j | x) ≥ t_j; the row is an issue when that class exists and differs from its label.
// Every row gets a score 1 − p̂(given label | x) (higher = more likely wrong) and a suggested label.
import { createRng } from "../rng.js";
import { fitLogistic, predictProba } from "../probe/logistic.js";
import { EngineInputError, type Points } from "../types.js";
import { checkInt, checkLength, checkPoints, checkSeed } from "./common.js";
import { cosineKnn, type CosineKnn, type CosineKnnOptions } from "./knn.js";

export interface LabelErrorOptions extends CosineKnnOptions {
  /** "knn" (default) or "probe" (k-fold cross-validated multinomial logistic regression). */
  probabilities?: "knn" | "probe";
  /** kNN: neighbours voting (default 10). */
  k?: number;
  /** kNN: a cosine kNN graph of these points built already. */
  graph?: CosineKnn;
  /** probe: folds (default 5). */
  folds?: number;
  /** probe: L2 strength (default 1) and L-BFGS iterations (default 200). */
  l2?: number;
  maxIter?: number;
}

export interface LabelErrorResult {
  /** Classes in byte-wise sorted order; probabilities' columns follow it. */
  classes: string[];
  /** n × classes out-of-sample probabilities, row-major. */
  probabilities: Float64Array;
  /** Per class: mean self-confidence (the confident-learning threshold). */
  thresholds: Float64Array;
  /** Per row: 1 − p̂(given label). */
  scores: Float64Array;
  /** Per row: the confident class if any, else the argmax class. */
  suggested: string[];
  /** Per row: 1 when confident learning flags the row. */
  issues: Uint8Array;
  issueCount: number;
  method: "knn" | "probe";
}

export function labelErrors(points: Points, labels: ReadonlyArray<string>, options: LabelErrorOptions = {}): LabelErrorResult {
  checkPoints(points);
  const { n, dim, data } = points;
  checkLength("labels", labels, n);
  const seed = checkSeed(options.seed ?? 0);
  const method = options.probabilities ?? "knn";
  if (method !== "knn" && method !== "probe") throw new EngineInputError("BAD_PARAM", "probabilities", `expected "knn" or "probe", got ${JSON.stringify(method)}`);
  labels.forEach((l, i) => {
    if (typeof l !== "string" || l === "") throw new EngineInputError("BAD_LABEL", "labels", `row ${i}: expected a non-empty label, got ${JSON.stringify(l)}`);
  });
  const classes = [...new Set(labels)].sort();
  const C = classes.length;
  const classOf = new Map(classes.map((c, j) => [c, j]));
  const y = Int32Array.from(labels, (l) => classOf.get(l)!);
  if (n < 2) throw new EngineInputError("EMPTY_INPUT", "points", `expected at least 2 rows, got ${n}`);
  const P = new Float64Array(n * C);
  if (method === "knn") {
    const k = Math.min(n - 1, checkInt("k", options.k ?? 10, 1, 1024));
    const g = options.graph ?? cosineKnn(points, k, options);
    if (g.n !== n) throw new EngineInputError("LENGTH_MISMATCH", "graph", `expected a graph of ${n} rows, got ${g.n}`);
    const kk = Math.min(k, g.k);
    // Laplace-smoothed vote shares: (count + 1/C) / (k + 1), so no class has probability 0
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) P[i * C + c] = 1 / C / (kk + 1);
      for (let s = i * g.k; s < i * g.k + kk; s++) {
        const j = g.indices[s]!;
        if (j >= 0) P[i * C + y[j]!]! += 1 / (kk + 1);
      }
    }
  } else {
    const folds = checkInt("folds", options.folds ?? 5, 2, n);
    // stratified folds: each class's rows shuffled (seeded) and dealt round-robin
    const fold = new Int32Array(n);
    const rng = createRng(seed);
    for (let c = 0; c < C; c++) {
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if (y[i] === c) rows.push(i);
      for (let a = rows.length - 1; a > 0; a--) {
        const b = rng.int(a + 1);
        [rows[a], rows[b]] = [rows[b]!, rows[a]!];
      }
      rows.forEach((r, t) => (fold[r] = t % folds));
    }
    for (let f = 0; f < folds; f++) {
      const train: number[] = [], test: number[] = [];
      for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
      if (test.length === 0) continue;
      const take = (rows: number[]) => {
        const out = new Float64Array(rows.length * dim);
        rows.forEach((r, a) => {
          for (let t = 0; t < dim; t++) out[a * dim + t] = data[r * dim + t]!;
        });
        return { data: out, n: rows.length, dim };
      };
      const model = fitLogistic(take(train), Int32Array.from(train, (r) => y[r]!), C, { l2: options.l2 ?? 1, maxIter: options.maxIter ?? 200 });
      const p = predictProba(model, take(test));
      test.forEach((r, a) => P.set(p.subarray(a * C, (a + 1) * C), r * C));
    }
  }
  return confidentLearning(P, y, classes, method);
}

/** The confident-learning rule on given out-of-sample probabilities (n × C) and labels (class indices). */
export function confidentLearning(P: Float64Array, y: Int32Array, classes: string[], method: "knn" | "probe" = "knn"): LabelErrorResult {
  const n = y.length, C = classes.length;
  if (P.length !== n * C) throw new EngineInputError("LENGTH_MISMATCH", "probabilities", `expected ${n}×${C} values, got ${P.length}`);
  const thresholds = new Float64Array(C);
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    thresholds[y[i]!]! += P[i * C + y[i]!]!;
    counts[y[i]!]!++;
  }
  for (let c = 0; c < C; c++) thresholds[c] = counts[c]! > 0 ? thresholds[c]! / counts[c]! : Infinity;
  const scores = new Float64Array(n);
  const suggested = new Array<string>(n);
  const issues = new Uint8Array(n);
  let issueCount = 0;
  for (let i = 0; i < n; i++) {
    scores[i] = 1 - P[i * C + y[i]!]!;
    let conf = -1, arg = 0;
    for (let c = 0; c < C; c++) {
      const p = P[i * C + c]!;
      if (p > P[i * C + arg]!) arg = c;
      if (p >= thresholds[c]! && (conf < 0 || p > P[i * C + conf]!)) conf = c;
    }
    suggested[i] = classes[conf >= 0 ? conf : arg]!;
    if (conf >= 0 && conf !== y[i]) {
      issues[i] = 1;
      issueCount++;
    }
  }
  return { classes, probabilities: P, thresholds, scores, suggested, issues, issueCount, method };
}
