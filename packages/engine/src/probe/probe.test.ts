import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectAllClose, expectClose } from "../__tests__/close.js";
import { createRng } from "../rng.js";
import type { Points } from "../types.js";
import { minimizeLbfgs } from "./lbfgs.js";
import { linearProbe } from "./linear-probe.js";
import { fitLogistic, predict, predictProba } from "./logistic.js";

const fixture = JSON.parse(readFileSync(new URL("./__fixtures__/logistic-sklearn.json", import.meta.url), "utf8")) as {
  C: number;
  X: number[][];
  y: number[];
  coef: number[][];
  intercept: number[];
  proba: number[][];
};
const pts = (rows: number[][]): Points => ({ data: Float64Array.from(rows.flat()), n: rows.length, dim: rows[0]!.length });

describe("minimizeLbfgs", () => {
  it("minimizeLbfgs(rosenbrock, [-1.2, 1]) reaches the minimum at (1, 1)", () => {
    const res = minimizeLbfgs(
      (x, g) => {
        const [a, b] = [x[0]!, x[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { gradTol: 1e-9, maxIter: 2000 },
    );
    expect(res.converged).toBe(true);
    expectAllClose(res.x, [1, 1], 1e-5);
  });
});

describe("fitLogistic", () => {
  it("fitLogistic(X, y, 3, {l2: 1/C, standardize: false}) matches scikit-learn's multinomial solution", () => {
    const model = fitLogistic(pts(fixture.X), Int32Array.from(fixture.y), 3, { l2: 1 / fixture.C, standardize: false, gradTol: 1e-10 });
    expect(model.converged).toBe(true);
    expectAllClose(model.weights, fixture.coef.flat(), 1e-5);
    expectAllClose(model.intercepts, fixture.intercept, 1e-5);
    expectAllClose(predictProba(model, pts(fixture.X)), fixture.proba.flat(), 1e-6);
  });

  it("fitLogistic(separable data, 2, {l2: 1e-3}) classifies every training point", () => {
    const rng = createRng(5);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 80; i++) {
      const c = i % 2;
      rows.push([c * 4 - 2 + rng.normal() * 0.5, rng.normal()]);
      y.push(c);
    }
    const model = fitLogistic(pts(rows), Int32Array.from(y), 2, { l2: 1e-3 });
    expect(Array.from(predict(model, pts(rows)))).toEqual(y);
    expect(Array.from(predict(model, pts([[-5, 0], [5, 0]])))).toEqual([0, 1]);
  });

  it("fitLogistic(X, y) is deterministic", () => {
    const a = fitLogistic(pts(fixture.X), Int32Array.from(fixture.y), 3);
    const b = fitLogistic(pts(fixture.X), Int32Array.from(fixture.y), 3);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });

  it("fitLogistic(X, y with a class ≥ classes) throws BAD_LABEL", () => {
    expect(() => fitLogistic(pts([[0], [1]]), Int32Array.from([0, 2]), 2)).toThrow(/0\.\.1, got 2 at row 1/);
  });
});

describe("linearProbe", () => {
  // A shortcut: in training, class "p" always comes from site B (feature 1 = +3), class "n" from site A.
  // Feature 0 carries the true (weaker) signal. In test, sites are crossed with labels.
  const rng = createRng(11);
  const make = (label: string, site: "A" | "B") => [(label === "p" ? 1 : -1) * 1 + rng.normal() * 0.6, (site === "B" ? 3 : -3) + rng.normal() * 0.3];
  const train: number[][] = [];
  const trainLabels: string[] = [];
  for (let i = 0; i < 100; i++) {
    const label = i % 2 ? "p" : "n";
    train.push(make(label, label === "p" ? "B" : "A"));
    trainLabels.push(label);
  }
  const test: number[][] = [];
  const testLabels: string[] = [];
  const testSites: string[] = [];
  for (let i = 0; i < 200; i++) {
    const label = i % 2 ? "p" : "n";
    const site = (i >> 1) % 2 ? "B" : "A";
    test.push(make(label, site));
    testLabels.push(label);
    testSites.push(site);
  }
  const res = linearProbe({ trainPoints: pts(train), trainLabels, testPoints: pts(test), testLabels, testGroups: testSites });

  it("linearProbe(shortcut data) reports per-group accuracy for label × site", () => {
    expect(res.perGroup.map((g) => [g.label, g.group, g.n])).toEqual([
      ["n", "A", 50],
      ["n", "B", 50],
      ["p", "A", 50],
      ["p", "B", 50],
    ]);
    // The shortcut fails on the crossed groups (n at site B, p at site A).
    expect(res.worstGroupAccuracy).toBeLessThan(0.5);
    expect(res.worstGroupAccuracy).toBe(Math.min(...res.perGroup.map((g) => g.accuracy)));
  });

  it("linearProbe(...) computes accuracy and balanced accuracy from the per-class recalls", () => {
    const recallN = res.perClass[0]!.recall;
    const recallP = res.perClass[1]!.recall;
    expectClose(res.balancedAccuracy, (recallN + recallP) / 2);
    expectClose(res.accuracy, (recallN * 100 + recallP * 100) / 200);
  });

  it("linearProbe(testGroupings) reports each grouping from the same model", () => {
    // "parity" is unrelated to the shortcut: its worst group is far better than site's.
    const parity = testLabels.map((_, i) => ((i >> 2) % 2 ? "odd" : "even"));
    const r = linearProbe({ trainPoints: pts(train), trainLabels, testPoints: pts(test), testLabels, testGroups: testSites, testGroupings: { site: testSites, parity } });
    expect(r.groupings.site!.perGroup).toEqual(res.perGroup);
    expect(r.groupings.site!.worstGroupAccuracy).toBe(res.worstGroupAccuracy);
    expect(r.groupings.parity!.perGroup.map((g) => g.group)).toEqual(["even", "odd", "even", "odd"]);
    expect(r.groupings.parity!.worstGroupAccuracy).toBe(Math.min(...r.groupings.parity!.perGroup.map((g) => g.accuracy)));
    expect(r.groupings.parity!.worstGroupAccuracy).toBeGreaterThan(r.worstGroupAccuracy);
    expect(() => linearProbe({ trainPoints: pts(train), trainLabels, testPoints: pts(test), testLabels, testGroupings: { x: ["a"] } })).toThrow(expect.objectContaining({ field: "testGroupings.x" }));
  });

  it("linearProbe(...) without testGroups uses classes as groups", () => {
    const r = linearProbe({ trainPoints: pts(train), trainLabels, testPoints: pts(test), testLabels });
    expect(r.perGroup.map((g) => g.group)).toEqual([null, null]);
    expectClose(r.worstGroupAccuracy, Math.min(r.perClass[0]!.recall, r.perClass[1]!.recall));
  });
});
