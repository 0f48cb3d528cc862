import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";
import {
  buildSimilarityIndex,
  classOutliers,
  cosineKnn,
  defaultDuplicateThreshold,
  exactCosineKnn,
  exactDuplicates,
  exactNearDuplicatePairs,
  exactSimilar,
  labelErrors,
  nearDuplicates,
  similarTo,
} from "./index.js";

/** Clustered data (clusters in a low-dim latent space, mapped up, plus noise), as encoders give. */
function clustered(n: number, dim: number, seed: number, clusters = 8, latent = 8) {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters * latent }, () => rng.normal() * 2);
  const A = Array.from({ length: dim * latent }, () => rng.normal() / Math.sqrt(latent));
  const data = new Float32Array(n * dim);
  const cluster = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    cluster[i] = c;
    const z = Array.from({ length: latent }, (_, l) => centres[c * latent + l]! + rng.normal() * 0.5);
    for (let t = 0; t < dim; t++) {
      let s = 0;
      for (let l = 0; l < latent; l++) s += A[t * latent + l]! * z[l]!;
      data[i * dim + t] = s + 0.15 * rng.normal();
    }
  }
  return { points: { data, n, dim } as Points, cluster, rng };
}

/** Overwrites `pairs` target rows with a noisy copy of a source row; returns the planted pairs (a < b). */
function plant(points: Points, pairs: number, rng: ReturnType<typeof createRng>, eps = 0.01): { a: number; b: number }[] {
  const { n, dim, data } = points;
  const used = new Set<number>();
  const pick = () => {
    let r: number;
    do r = rng.int(n);
    while (used.has(r));
    used.add(r);
    return r;
  };
  const out: { a: number; b: number }[] = [];
  for (let p = 0; p < pairs; p++) {
    const s = pick(), t = pick();
    for (let d = 0; d < dim; d++) data[t * dim + d] = data[s * dim + d]! + eps * rng.normal();
    out.push({ a: Math.min(s, t), b: Math.max(s, t) });
  }
  return out.sort((x, y) => x.a - y.a || x.b - y.b);
}

function expectInputError(fn: () => unknown, code: string, field: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineInputError);
    expect((error as EngineInputError).code).toBe(code);
    expect((error as EngineInputError).field).toBe(field);
    return;
  }
  throw new Error(`expected ${code} on ${field}, nothing was thrown`);
}

function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0, pos = 0;
  for (let t = 0; t < idx.length; ) {
    let u = t;
    while (u + 1 < idx.length && scores[idx[u + 1]!] === scores[idx[t]!]) u++;
    const mid = (t + u) / 2 + 1;
    for (let v = t; v <= u; v++) {
      if (positive[idx[v]!]) {
        rankSum += mid;
        pos++;
      }
    }
    t = u + 1;
  }
  const neg = idx.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

describe("exactDuplicates", () => {
  it("groups equal hashes, ignores missing ones and flags site, split and label conflicts", () => {
    const sets = exactDuplicates(["h1", "h2", "h1", null, "", "h2", "h3", "h1"], {
      sites: ["A", "A", "B", "A", "A", "A", "A", "A"],
      splits: ["pool", "pool", "pool", "pool", "pool", "test", "pool", "pool"],
      labels: ["x", "y", "x", "x", "x", "z", "x", "x"],
    });
    expect(sets.map((s) => s.rows)).toEqual([[0, 2, 7], [1, 5]]);
    expect(sets[0]).toMatchObject({ crossSite: true, crossSplit: false, conflictingLabels: false, sites: ["A", "B"], maxDistance: 0 });
    expect(sets[1]).toMatchObject({ crossSite: false, crossSplit: true, conflictingLabels: true, labels: ["y", "z"] });
  });
  it("refuses tags of the wrong length, naming the field", () => {
    expectInputError(() => exactDuplicates(["a", "b"], { sites: ["A"] }), "LENGTH_MISMATCH", "sites");
  });
});

describe("nearDuplicates", () => {
  const { points, rng } = clustered(1500, 48, 3);
  const planted = plant(points, 15, rng);
  const key = (p: { a: number; b: number }) => `${p.a}-${p.b}`;

  it("finds every planted pair and nothing else with the default threshold (exact graph)", () => {
    const r = nearDuplicates(points, { method: "exact" });
    expect(r.method).toBe("exact");
    expect(r.thresholdRule).toBe("default");
    expect(r.threshold).toBeGreaterThan(0);
    expect(r.threshold).toBeLessThanOrEqual(0.25 * r.medianNearest);
    expect(r.pairs.map(key)).toEqual(planted.map(key));
    expect(r.sets).toHaveLength(15);
  });

  it("finds the same pairs through the approximate graph and agrees with brute force at that threshold", () => {
    const r = nearDuplicates(points, { method: "approximate", seed: 5, projectDim: 16 });
    expect(r.method).toBe("approximate");
    expect(r.pairs.map(key)).toEqual(planted.map(key));
    const exact = exactNearDuplicatePairs(points, r.threshold);
    expect(exact.map(key)).toEqual(planted.map(key));
    // sampled rows only: the pairs that touch them
    const rows = [planted[0]!.a, planted[3]!.b, 7];
    const some = exactNearDuplicatePairs(points, r.threshold, { rows });
    expect(some.map(key)).toEqual([planted[0]!, planted[3]!].map(key));
  });

  it("is deterministic for a seed", () => {
    const a = nearDuplicates(points, { method: "approximate", seed: 9, projectDim: 16 });
    const b = nearDuplicates(points, { method: "approximate", seed: 9, projectDim: 16 });
    expect(a).toEqual(b);
  });

  it("flags a set across sites, across pool and test, and with two labels", () => {
    const sites = Array.from({ length: points.n }, () => "A");
    const splits = Array.from({ length: points.n }, () => "pool");
    const labels = Array.from({ length: points.n }, () => "x");
    const [p0, p1, p2] = planted;
    sites[p0!.b] = "B";
    splits[p1!.a] = "test";
    labels[p2!.a] = "y";
    sites[points.n - 1] = null as unknown as string; // unknown site never makes a set cross-site
    const r = nearDuplicates(points, { method: "exact", sites, splits, labels });
    const setOf = (row: number) => r.sets.find((s) => s.rows.includes(row))!;
    expect(setOf(p0!.a)).toMatchObject({ crossSite: true, crossSplit: false, conflictingLabels: false });
    expect(setOf(p1!.a)).toMatchObject({ crossSite: false, crossSplit: true, splits: ["pool", "test"] });
    expect(setOf(p2!.a)).toMatchObject({ conflictingLabels: true, labels: ["x", "y"] });
    expect(r.sets.filter((s) => s.crossSite || s.crossSplit || s.conflictingLabels)).toHaveLength(3);
  });

  it("chains three copies into one set", () => {
    const { points: p, rng: r2 } = clustered(300, 16, 4);
    for (const t of [10, 20]) for (let d = 0; d < 16; d++) p.data[t * 16 + d] = p.data[d]! + 0.005 * r2.normal();
    const r = nearDuplicates(p, { method: "exact" });
    expect(r.sets.find((s) => s.rows.includes(0))?.rows).toEqual([0, 10, 20]);
  });

  it("a given threshold is used as is", () => {
    const r = nearDuplicates(points, { method: "exact", threshold: 1e-9 });
    expect(r.thresholdRule).toBe("given");
    expect(r.pairs).toEqual([]);
  });

  it("refuses thresholds out of (0, 2] and bad k, naming the field", () => {
    for (const threshold of [0, -0.1, 2.5, Number.NaN, Infinity]) expectInputError(() => nearDuplicates(points, { threshold }), "BAD_THRESHOLD", "threshold");
    expectInputError(() => exactNearDuplicatePairs(points, 3), "BAD_THRESHOLD", "threshold");
    expectInputError(() => nearDuplicates(points, { k: 0 }), "BAD_PARAM", "k");
    expectInputError(() => nearDuplicates(points, { seed: -1 }), "BAD_SEED", "seed");
    expectInputError(() => nearDuplicates(points, { labels: ["x"] }), "LENGTH_MISMATCH", "labels");
    const bad = { data: Float32Array.from([0, 1, Number.NaN, 1]), n: 2, dim: 2 };
    expectInputError(() => nearDuplicates(bad), "NON_FINITE", "points.data");
  });

  it("default threshold: a quarter of the median nearest distance, lowered by the log fence when spread is wide", () => {
    const tight = Array.from({ length: 101 }, (_, i) => 0.1 + i * 1e-4);
    expect(defaultDuplicateThreshold(tight).threshold).toBeCloseTo(0.25 * 0.105, 6);
    const wide = Array.from({ length: 101 }, (_, i) => Math.exp(-6 + (6 * i) / 100));
    const w = defaultDuplicateThreshold(wide);
    expect(w.threshold).toBeLessThan(0.25 * w.medianNearest);
    expect(defaultDuplicateThreshold([0, 0, 0.2, 0.2, 0.2]).medianNearest).toBeCloseTo(0.2);
  });
});

describe("cosineKnn", () => {
  it("approximate graph: most of the exact neighbours, every distance exact", () => {
    const { points } = clustered(2500, 64, 6);
    const exact = exactCosineKnn(points, 10);
    const approx = cosineKnn(points, 10, { method: "approximate", seed: 1, projectDim: 24 });
    let hit = 0;
    for (let i = 0; i < points.n; i++) {
      const e = new Set(exact.indices.subarray(i * 10, i * 10 + 10));
      for (let s = i * 10; s < i * 10 + 10; s++) if (e.has(approx.indices[s]!)) hit++;
    }
    expect(hit / (points.n * 10)).toBeGreaterThan(0.9);
    // a distance in the approximate graph is the true cosine distance of that pair
    const i = 17, j = approx.indices[17 * 10 + 3]!;
    const d = exactSimilar(points, i, points.n - 1);
    const pos = Array.from(d.rows).indexOf(j);
    expect(approx.distances[17 * 10 + 3]).toBeCloseTo(1 - d.scores[pos]!, 10);
  });
});

describe("classOutliers", () => {
  it("ranks planted far rows first in their class, with a reason", () => {
    const { points, cluster, rng } = clustered(800, 32, 7, 2);
    const labels = Array.from(cluster, (c) => (c === 0 ? "a" : "b"));
    const far = [5, 101, 333, 600, 778].filter((r) => labels[r] === "a");
    for (const r of far) for (let d = 0; d < 32; d++) points.data[r * 32 + d] = rng.normal() * 3;
    const out = classOutliers(points, labels, { k: 5 });
    expect(far.map((r) => out.ranks[r]).sort()).toEqual(far.map((_, i) => i));
    expect(out.reasons[far[0]!]).toMatch(/nearest "a" rows .*rank \d of 400 in "a"/);
    expect(out.ratios[far[0]!]).toBeGreaterThan(2);
    expect(out.perClass.map((c) => c.label)).toEqual(["a", "b"]);
    expect(out.k).toBe(5);
    // default k: round(√m) in 10..50 per class
    const auto = classOutliers(points, labels);
    expect(auto.k).toBeNull();
    expect(auto.perClass.map((c) => c.k)).toEqual([20, 20]);
    expect(far.map((r) => auto.ranks[r]).sort()).toEqual(far.map((_, i) => i));
    expectInputError(() => classOutliers(points, labels, { k: 0 }), "BAD_PARAM", "k");
    expectInputError(() => classOutliers(points, labels.slice(1)), "LENGTH_MISMATCH", "labels");
  });
  it("Euclidean (default) sees a row scaled up; cosine, which drops the norm, does not", () => {
    const { points, cluster } = clustered(400, 16, 11, 2);
    const labels = Array.from(cluster, (c) => (c === 0 ? "a" : "b"));
    for (let d = 0; d < 16; d++) points.data[10 * 16 + d]! *= 6;
    const eu = classOutliers(points, labels);
    const co = classOutliers(points, labels, { metric: "cosine" });
    expect(eu.metric).toBe("euclidean");
    expect(eu.ranks[10]).toBe(0);
    expect(co.ranks[10]).toBeGreaterThan(20);
    expect(eu.reasons[10]).toMatch(/^mean euclidean distance/);
    expectInputError(() => classOutliers(points, labels, { metric: "l1" as "cosine" }), "BAD_PARAM", "metric");
  });
  it("a class of one row gets a reason and no score", () => {
    const { points } = clustered(10, 4, 8);
    const out = classOutliers(points, ["a", "a", "a", "a", "a", "a", "a", "a", "a", "b"]);
    expect(Number.isNaN(out.scores[9])).toBe(true);
    expect(out.reasons[9]).toBe('only row of class "b"');
  });
});

describe("labelErrors", () => {
  const { points, cluster, rng } = clustered(1200, 32, 9, 2);
  const truth = Array.from(cluster, (c) => (c === 0 ? "normal" : "pneumonia"));
  const flipped = new Array<boolean>(points.n).fill(false);
  const labels = truth.slice();
  for (let i = 0; i < points.n; i++) {
    if (rng.next() < 0.08) {
      flipped[i] = true;
      labels[i] = labels[i] === "normal" ? "pneumonia" : "normal";
    }
  }
  for (const probabilities of ["knn", "probe"] as const) {
    it(`${probabilities}: flipped labels score high and are suggested back`, () => {
      const r = labelErrors(points, labels, { probabilities, seed: 2 });
      expect(r.classes).toEqual(["normal", "pneumonia"]);
      expect(auroc(r.scores, flipped)).toBeGreaterThan(0.95);
      let caught = 0, wrong = 0;
      for (let i = 0; i < points.n; i++) {
        if (r.issues[i] && flipped[i]) caught++;
        if (r.issues[i] && !flipped[i]) wrong++;
        if (r.issues[i]) expect(r.suggested[i]).not.toBe(labels[i]);
      }
      const nFlipped = flipped.filter(Boolean).length;
      expect(caught / nFlipped).toBeGreaterThan(0.8);
      expect(wrong).toBeLessThan(nFlipped);
      expect(r.issueCount).toBe(caught + wrong);
      // thresholds are the per-class mean self-confidence
      let s = 0, c = 0;
      for (let i = 0; i < points.n; i++) {
        if (labels[i] === "normal") {
          s += r.probabilities[i * 2]!;
          c++;
        }
      }
      expect(r.thresholds[0]).toBeCloseTo(s / c, 12);
    });
  }
  it("refuses a bad method, folds or label, naming the field", () => {
    expectInputError(() => labelErrors(points, labels, { probabilities: "x" as "knn" }), "BAD_PARAM", "probabilities");
    expectInputError(() => labelErrors(points, labels, { probabilities: "probe", folds: 1 }), "BAD_PARAM", "folds");
    const bad: string[] = labels.slice();
    bad[3] = "";
    expectInputError(() => labelErrors(points, bad), "BAD_LABEL", "labels");
  });
});

describe("similarity search", () => {
  const { points } = clustered(4000, 64, 10, 12);
  const index = buildSimilarityIndex(points, { method: "approximate", seed: 3, projectDim: 24, pivots: 128 });
  it("recall@10 against exact search is ≥ 0.95", () => {
    let hit = 0;
    const Q = 100;
    for (let q = 0; q < Q; q++) {
      const row = (q * 389) % points.n;
      const a = similarTo(index, row, 10);
      const e = exactSimilar(points, row, 10);
      expect(a.rows).not.toContain(row);
      const es = new Set(e.rows);
      hit += [...a.rows].filter((r) => es.has(r)).length;
      expect(a.evaluated).toBeLessThan(points.n);
    }
    expect(hit / (Q * 10)).toBeGreaterThanOrEqual(0.95);
  });
  it("a query vector finds its own row first with score 1; scores descend", () => {
    const v = Array.from(points.data.subarray(42 * 64, 43 * 64));
    const a = similarTo(index, v, 5);
    expect(a.rows[0]).toBe(42);
    expect(a.scores[0]).toBeCloseTo(1, 6);
    for (let t = 1; t < 5; t++) expect(a.scores[t]!).toBeLessThanOrEqual(a.scores[t - 1]!);
    const e = exactSimilar(points, v, 5);
    expect(e.rows[0]).toBe(42);
  });
  it("refuses a query of the wrong dimension or row, and bad k", () => {
    expectInputError(() => similarTo(index, [1, 2, 3], 5), "DIM_MISMATCH", "query");
    expectInputError(() => similarTo(index, points.n, 5), "BAD_PARAM", "query");
    expectInputError(() => similarTo(index, 0, 0), "BAD_PARAM", "k");
    expectInputError(() => buildSimilarityIndex(points, { k: 0 }), "BAD_PARAM", "k");
  });
});
