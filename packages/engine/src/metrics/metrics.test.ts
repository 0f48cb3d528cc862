import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { EngineInputError, type Points } from "../types.js";
import { adjustedRandIndex } from "./ari.js";
import { jaccard } from "./jaccard.js";
import { mmdRbf } from "./mmd.js";
import { selectionMetrics } from "./selection-metrics.js";

const pts = (rows: number[][]): Points => ({ data: Float64Array.from(rows.flat()), n: rows.length, dim: rows[0]?.length ?? 1 });

describe("jaccard", () => {
  it("jaccard([1,2,3], [2,3,4]) = 2/4", () => expectClose(jaccard([1, 2, 3], [2, 3, 4]), 0.5));
  it("jaccard(['a'], ['b']) = 0", () => expect(jaccard(["a"], ["b"])).toBe(0));
  it("jaccard([], []) = 1", () => expect(jaccard([], [])).toBe(1));
});

describe("adjustedRandIndex", () => {
  // Reference values from scikit-learn 1.2.1 adjusted_rand_score.
  it("adjustedRandIndex([0,0,1,1], [0,0,1,2]) = 0.5714… (sklearn)", () => expectClose(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 0.5714285714285714, 1e-12));
  it("adjustedRandIndex(8 items with noise −1) = 0.1578… (sklearn)", () =>
    expectClose(adjustedRandIndex([0, 0, 0, 1, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2, 2, -1]), 0.15789473684210525, 1e-12));
  it("adjustedRandIndex([0,1,2,3], [0,0,1,1]) = 0 (sklearn)", () => expectClose(adjustedRandIndex([0, 1, 2, 3], [0, 0, 1, 1]), 0, 1e-12));
  it("adjustedRandIndex(a, renumbered a) = 1", () => expect(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBe(1));
  it("adjustedRandIndex(a, b) with different lengths throws LENGTH_MISMATCH", () => expect(() => adjustedRandIndex([0], [0, 1])).toThrow(EngineInputError));
});

describe("mmdRbf", () => {
  it("mmdRbf({0}, {1}, {bandwidth: 1}) = √(2 − 2/e)", () => {
    const r = mmdRbf(pts([[0]]), pts([[1]]), { bandwidth: 1 });
    expectClose(r.mmd2, 2 - 2 * Math.exp(-1), 1e-12);
    expectClose(r.mmd, Math.sqrt(2 - 2 * Math.exp(-1)), 1e-12);
  });
  it("mmdRbf(X, X) = 0", () => {
    const X = pts([[0, 1], [2, 3], [5, 5]]);
    expectClose(mmdRbf(X, X).mmd, 0, 1e-7);
  });
  it("mmdRbf(X, Y) uses the median pairwise squared distance of X ∪ Y as bandwidth", () => {
    // X ∪ Y = {0, 1, 3} in 1-D: squared distances 1, 9, 4 → median 4.
    expect(mmdRbf(pts([[0], [1]]), pts([[3]])).bandwidth).toBe(4);
  });
});

describe("selectionMetrics", () => {
  // Class a: rows 0..3 at x = 0, 1, 10, 11 with groups 0, 0, 1, 1. Class b: rows 4, 5 at x = 100, 104, group 0.
  const input = {
    points: pts([[0], [1], [10], [11], [100], [104]]),
    labels: ["a", "a", "a", "a", "b", "b"],
    groups: Int32Array.from([0, 0, 1, 1, 0, 0]),
  };
  const m = selectionMetrics(input, [0, 1, 4]);

  it("selectionMetrics(input, rows) counts class balance and its TV distance from uniform", () => {
    expect(m.classBalance).toEqual([
      { label: "a", selected: 2, share: 2 / 3 },
      { label: "b", selected: 1, share: 1 / 3 },
    ]);
    expectClose(m.classBalanceTv, (2 / 3 - 1 / 2 + (1 / 2 - 1 / 3)) / 2);
  });

  it("selectionMetrics(input, rows) reports group allocation vs pool with TV distance", () => {
    const a = m.perClass[0]!;
    expect(a.groups).toEqual([
      { group: 0, pool: 2, poolShare: 0.5, selected: 2, selectedShare: 1 },
      { group: 1, pool: 2, poolShare: 0.5, selected: 0, selectedShare: 0 },
    ]);
    expectClose(a.allocationTv!, 0.5);
    expectClose(m.perClass[1]!.allocationTv!, 0);
    expectClose(m.allocationTv!, 0.25);
  });

  it("selectionMetrics(input, rows) measures coverage to the nearest selected point of the same class", () => {
    // class a: distances 0, 0, 9, 10 → mean 4.75, max 10; class b: 0, 4 → mean 2, max 4
    expectClose(m.perClass[0]!.coverageMean!, 4.75);
    expectClose(m.perClass[0]!.coverageMax!, 10);
    expectClose(m.perClass[1]!.coverageMean!, 2);
    expectClose(m.coverageMean!, (19 + 4) / 6);
    expect(m.coverageMax).toBe(10);
  });

  it("selectionMetrics(input, rows) gives MMD 0 when the selection is the whole pool", () => {
    const all = selectionMetrics(input, [0, 1, 2, 3, 4, 5]);
    expectClose(all.mmd!, 0, 1e-7);
    expect(m.perClass[0]!.mmd!).toBeGreaterThan(0.1);
  });

  it("selectionMetrics(input, [7]) throws BAD_ROW", () => {
    expect(() => selectionMetrics(input, [7])).toThrow(/0\.\.5, got 7/);
  });
});
