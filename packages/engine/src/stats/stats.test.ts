import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { loadFixture } from "../__tests__/fixtures.js";
import { bruteForceKnn } from "../neighbors/knn.js";
import { createRng } from "../rng.js";
import { adjustedMutualInformation, mutualInformation } from "./ami.js";
import { chiSquareTest, contingencyTable } from "./contingency.js";
import { cramersV } from "./cramers-v.js";
import { chiSquareSurvival, gammaP, gammaQ, lgamma } from "./gamma.js";
import { knnPredictability, knnPredictabilityFromGraph } from "./predictability.js";

interface StatsFx {
  tables: { a: number[]; b: string[]; chi2: number; pValue: number; df: number; ami: number; mi: number }[];
  chi2Survival: { x: number; df: number; sf: number }[];
  lgamma: { x: number; lgamma: number }[];
}
const fx = loadFixture<StatsFx>("stats.json");

describe("statistics", () => {
  it("lgamma(x) matches scipy's gammaln", () => {
    for (const { x, lgamma: want } of fx.lgamma) expectClose(lgamma(x), want, 1e-10 * Math.max(1, Math.abs(want)));
  });

  it("chiSquareSurvival(x, df) matches scipy's chi2.sf over a grid", () => {
    for (const { x, df, sf } of fx.chi2Survival) {
      const got = chiSquareSurvival(x, df);
      // relative accuracy in the tail, absolute near 1
      expectClose(got, sf, Math.max(1e-12, 1e-9 * sf));
    }
  });

  it("gammaP(a, x) + gammaQ(a, x) = 1", () => {
    for (const [a, x] of [[0.5, 0.2], [3, 2], [10, 14], [50, 40]] as const) expectClose(gammaP(a, x) + gammaQ(a, x), 1, 1e-14);
  });

  it("chiSquareTest(contingencyTable(a, b)) matches scipy's chi2_contingency", () => {
    for (const t of fx.tables) {
      const r = chiSquareTest(contingencyTable(t.a, t.b));
      expectClose(r.statistic, t.chi2, 1e-9 * Math.max(1, t.chi2));
      expect(r.df).toBe(t.df);
      expectClose(r.pValue, t.pValue, Math.max(1e-12, 1e-8 * t.pValue));
    }
  });

  it("adjustedMutualInformation(table) matches scikit-learn", () => {
    for (const t of fx.tables) {
      const table = contingencyTable(t.a, t.b);
      expectClose(mutualInformation(table), t.mi, 1e-10);
      expectClose(adjustedMutualInformation(table), t.ami, 1e-8);
    }
  });

  it("cramersV(table) is 1 for a perfect association and ~0 under independence", () => {
    const a = Array.from({ length: 300 }, (_, i) => i % 3);
    expectClose(cramersV(contingencyTable(a, a.map((g) => `s${g}`))), 1, 1e-12);
    const rng = createRng(1);
    const b = a.map(() => `s${rng.int(3)}`);
    expect(cramersV(contingencyTable(a, b))).toBeLessThan(0.1);
    expect(cramersV(contingencyTable(a, b), false)).toBeGreaterThan(cramersV(contingencyTable(a, b)));
  });

  it("contingencyTable(groups, values) skips noise (-1) and unknown values", () => {
    const t = contingencyTable([0, 0, -1, 1, 1], ["x", null, "x", "", "y"]);
    expect(t.total).toBe(2);
    expect(t.rowKeys).toEqual([0, 1]);
    expect(t.colKeys).toEqual(["x", "y"]);
  });

  it("chiSquareTest(one-column table) has p = 1", () => {
    expect(chiSquareTest(contingencyTable([0, 1, 1], ["x", "x", "x"])).pValue).toBe(1);
  });

  it("knnPredictability(points, values) is high for a column the embedding encodes and near chance otherwise", () => {
    const rng = createRng(2);
    const n = 600;
    const data = new Float64Array(n * 3);
    const site: string[] = [];
    const coin: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = i % 3;
      site.push(`site${s}`);
      coin.push(rng.next() < 0.5 ? "h" : "t");
      for (let t = 0; t < 3; t++) data[i * 3 + t] = rng.normal() + (t === s ? 4 : 0);
    }
    const p = { data, n, dim: 3 };
    const encoded = knnPredictability(p, site, createRng(0))!;
    expect(encoded.accuracy).toBeGreaterThan(0.95);
    expectClose(encoded.chance, 1 / 3, 1e-12);
    const random = knnPredictability(p, coin, createRng(0))!;
    expect(Math.abs(random.accuracy - 0.5)).toBeLessThan(0.1);
  });

  it("knnPredictabilityFromGraph(graph, values) returns null when no value is known", () => {
    const g = bruteForceKnn({ data: Float64Array.from([0, 1, 2, 3]), n: 4, dim: 1 }, 2);
    expect(knnPredictabilityFromGraph(g, [null, "", null, null])).toBeNull();
  });
});
