import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";
import { manifestHash } from "./manifest.js";
import { quantilePositions, shareBudget } from "./confounder-aware.js";
import { GROUND_SET_MAX, kernelMatrix, medianOfParts, medianPairSqDistance, medianWithinSqDistance } from "./facility-location.js";
import { allocateSharedMatrix } from "./dot-kernel.js";
import { requireForStrategy, select } from "./select.js";
import { SELECT_PARAMS, type ParamSpec } from "../params.js";
import { STRATEGIES, type SelectInput, type SelectParams } from "./types.js";

/**
 * Two classes in 2-D. Class "a": group 0 (240 pts around (0,0)), group 1 (60 around (10,0)),
 * 5 noise points far away. Class "b": group 0 (100 around (0,10)), group 1 (100 around (10,10)).
 */
function fixture(): SelectInput {
  const rng = createRng(42);
  const rows: { x: number; y: number; label: string; group: number; site: string }[] = [];
  const blob = (cx: number, cy: number, m: number, label: string, group: number, site: string) => {
    for (let i = 0; i < m; i++) rows.push({ x: cx + rng.normal(), y: cy + rng.normal(), label, group, site });
  };
  blob(0, 0, 240, "a", 0, "S1");
  blob(10, 0, 60, "a", 1, "S2");
  blob(-30, -30, 5, "a", -1, "");
  blob(0, 10, 100, "b", 0, "S1");
  blob(10, 10, 100, "b", 1, "S2");
  // Interleave so class rows are not contiguous.
  const order = rows.map((_, i) => i).sort((i, j) => ((i * 7919) % rows.length) - ((j * 7919) % rows.length));
  const r = order.map((i) => rows[i]!);
  const data = new Float64Array(r.length * 2);
  r.forEach((p, i) => {
    data[2 * i] = p.x;
    data[2 * i + 1] = p.y;
  });
  return {
    points: { data, n: r.length, dim: 2 },
    labels: r.map((p) => p.label),
    ids: r.map((_, i) => `img-${String(i).padStart(4, "0")}`),
    groups: Int32Array.from(r.map((p) => p.group)),
    metadata: { site: r.map((p) => p.site || null) },
  };
}

const input = fixture();
const params = (strategy: SelectParams["strategy"], extra: Partial<SelectParams> = {}): SelectParams => ({
  strategy,
  perClass: 20,
  seed: 3,
  ...(strategy === "stratified" ? { stratifyColumn: "site" } : {}),
  ...extra,
});

function codeOf(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineInputError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error("expected an EngineInputError");
}

describe("select(input, params) — every strategy", () => {
  for (const strategy of STRATEGIES) {
    it(`select(input, {strategy: "${strategy}", perClass: 20}) picks 20 distinct rows per class with ranks 0..39`, () => {
      const res = select(input, params(strategy));
      expect(res.selected).toHaveLength(40);
      expect(new Set(res.selected.map((s) => s.row)).size).toBe(40);
      res.selected.forEach((s, i) => {
        expect(s.rank).toBe(i);
        expect(s.label).toBe(input.labels[s.row]);
        expect(s.id).toBe(input.ids[s.row]);
        expect(s.reason.length).toBeGreaterThan(5);
      });
      // Classes in sorted label order.
      expect(res.selected.slice(0, 20).every((s) => s.label === "a")).toBe(true);
      expect(res.perClass.map((c) => [c.label, c.pool, c.selected])).toEqual([
        ["a", 305, 20],
        ["b", 200, 20],
      ]);
      expect(res.manifestHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(res.manifestHash).toBe(manifestHash(res.selected));
    });

    it(`select(input, {strategy: "${strategy}"}) is byte-identical on a second run with the same seed`, () => {
      const a = select(input, params(strategy));
      const b = select(input, params(strategy));
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    });

    it(`select(input, {strategy: "${strategy}", perClass: 1000}) takes every sample and warns`, () => {
      const res = select(input, params(strategy, { perClass: 1000 }));
      expect(res.selected).toHaveLength(505);
      expect(res.warnings).toContain('class "a" has 305 samples < N = 1000; all taken');
      expect(res.warnings).toContain('class "b" has 200 samples < N = 1000; all taken');
    });
  }

  it("select(input, {strategy: 'random'}) changes with the seed", () => {
    const a = select(input, params("random", { seed: 1 }));
    const b = select(input, params("random", { seed: 2 }));
    expect(a.manifestHash).not.toBe(b.manifestHash);
  });

  it("select(single point, {perClass: 1}) works for every strategy", () => {
    const one: SelectInput = { points: { data: new Float32Array([1, 2]), n: 1, dim: 2 }, labels: ["x"], ids: ["p"], groups: new Int32Array([0]), metadata: { site: ["A"] } };
    for (const s of STRATEGIES) {
      const res = select(one, params(s, { perClass: 1 }));
      expect(res.selected.map((x) => x.id)).toEqual(["p"]);
    }
  });

  it("select(duplicate points, ...) still returns distinct rows for every strategy", () => {
    const n = 30;
    const dup: SelectInput = {
      points: { data: new Float64Array(n * 3).fill(0.5), n, dim: 3 },
      labels: Array.from({ length: n }, () => "x"),
      ids: Array.from({ length: n }, (_, i) => `d${i}`),
      groups: new Int32Array(n),
      metadata: { site: Array.from({ length: n }, () => "A") },
    };
    for (const s of STRATEGIES) {
      const res = select(dup, params(s, { perClass: 10 }));
      expect(new Set(res.selected.map((x) => x.row)).size, s).toBe(10);
    }
  });
});

describe("select(input, {strategy: 'confounder-aware'})", () => {
  const groupCounts = (res: ReturnType<typeof select>, label: string) => {
    const c = new Map<number | null, number>();
    for (const s of res.selected) if (s.label === label) c.set(s.group, (c.get(s.group) ?? 0) + 1);
    return Object.fromEntries([...c.entries()].sort((x, y) => Number(x[0]) - Number(y[0])));
  };

  it("select(input, {allocation: 'proportional'}) keeps the pool mix (240/60/5 → 16/4/0 of 20)", () => {
    const res = select(input, params("confounder-aware"));
    // quotas 15.7, 3.9, 0.33 → floors 15, 3, 0; spares to .74 and .93
    expect(groupCounts(res, "a")).toEqual({ 0: 16, 1: 4 });
    expect(res.perClass[0]!.allocation).toEqual([
      { group: 0, pool: 240, share: 16 },
      { group: 1, pool: 60, share: 4 },
      { group: -1, pool: 5, share: 0 },
    ]);
  });

  it("select(input, {allocation: 'balanced'}) gives equal shares to groups and noise its proportional share", () => {
    const res = select(input, params("confounder-aware", { allocation: "balanced", perClass: 30 }));
    // noise: proportional of 30 over [300, 5] → 29.5/0.49 → 0; groups 15/15
    expect(groupCounts(res, "a")).toEqual({ 0: 15, 1: 15 });
    expect(groupCounts(res, "b")).toEqual({ 0: 15, 1: 15 });
  });

  it("select(input, {allocation: 'balanced', perClass: 200}) caps the small group and gives its excess to the other", () => {
    const res = select(input, params("confounder-aware", { allocation: "balanced", perClass: 200 }));
    // noise: 200·5/305 = 3.28 → 3; groups share 197 → 98.5 each, group 1 capped at 60 → 137 / 60
    expect(groupCounts(res, "a")).toEqual({ "-1": 3, 0: 137, 1: 60 });
  });

  it("select(input, {noise: 'exclude'}) never picks noise and counts only non-noise samples", () => {
    const res = select(input, params("confounder-aware", { allocation: "balanced", noise: "exclude", perClass: 400 }));
    expect(res.selected.some((s) => s.group === -1)).toBe(false);
    expect(res.warnings).toContain('class "a" has 300 non-noise samples < N = 400; all taken');
  });

  it("select(input, {withinGroup: 'quantile'}) spans the group's distance range; 'nearest' stays at the core", () => {
    const spread = (withinGroup: "quantile" | "nearest") => {
      const res = select(input, params("confounder-aware", { withinGroup, allocation: "balanced" }));
      const d = res.selected.filter((s) => s.label === "b" && s.group === 0).map((s) => Math.hypot(input.points.data[2 * s.row]!, input.points.data[2 * s.row + 1]! - 10));
      return Math.max(...d);
    };
    expect(spread("quantile")).toBeGreaterThan(spread("nearest") * 2);
  });

  it("select(input, {withinGroup: 'kcenter'}) picks within the allocated groups", () => {
    const res = select(input, params("confounder-aware", { withinGroup: "kcenter", allocation: "balanced" }));
    expect(groupCounts(res, "b")).toEqual({ 0: 10, 1: 10 });
    expect(res.params).toEqual({ strategy: "confounder-aware", perClass: 20, seed: 3, allocation: "balanced", withinGroup: "kcenter", noise: "own-group" });
    expect(Object.keys(res.params)).toEqual(["strategy", "perClass", "seed", "allocation", "withinGroup", "noise"]);
  });

  it("select(input, confounder-aware) interleaves groups so every prefix keeps the mix", () => {
    const res = select(input, params("confounder-aware", { allocation: "balanced" }));
    const firstB = res.selected.filter((s) => s.label === "b").slice(0, 4).map((s) => s.group);
    expect(firstB).toEqual([0, 1, 0, 1]);
  });

  it("select(input, {withinGroup: 'quantile'}) writes a reason naming group, sizes and quantile", () => {
    const res = select(input, params("confounder-aware", { withinGroup: "quantile" }));
    expect(res.selected[0]!.reason).toMatch(/^group 0 of a \(240 of 305\), proportional share 16, distance quantile [01]\.\d\d \(band 1 of 16\)$/);
    expect(res.selected[0]!.groupKey).toBe("a/g0");
  });
});

describe("select(input, {strategy: 'confounder-aware', withinGroup: 'facility-location'})", () => {
  /**
   * One class "c" in 2-D. Group 0: two equal sub-clusters of 40 around (0, 0) and (6, 0) and 3 far
   * outliers around (3, 30). Group 1: 60 points around (20, 20), sd 0.3 (a tight group).
   */
  function twoModes(): SelectInput {
    const rng = createRng(9);
    const pts: [number, number, number][] = [];
    for (let i = 0; i < 40; i++) pts.push([rng.normal() * 0.5, rng.normal() * 0.5, 0]);
    for (let i = 0; i < 40; i++) pts.push([6 + rng.normal() * 0.5, rng.normal() * 0.5, 0]);
    for (let i = 0; i < 3; i++) pts.push([3 + rng.normal(), 30 + rng.normal(), 0]);
    for (let i = 0; i < 60; i++) pts.push([20 + rng.normal() * 0.3, 20 + rng.normal() * 0.3, 1]);
    return {
      points: { data: Float64Array.from(pts.flatMap(([x, y]) => [x, y])), n: pts.length, dim: 2 },
      labels: pts.map(() => "c"),
      ids: pts.map((_, i) => `p${i}`),
      groups: Int32Array.from(pts.map((p) => p[2])),
    };
  }
  const modes = twoModes();
  const sel = (extra: Partial<SelectParams>) => select(modes, { strategy: "confounder-aware", perClass: 4, allocation: "balanced", seed: 1, ...extra });

  it("is the default within-group rule", () => {
    const res = select(input, params("confounder-aware"));
    expect(res.params).toEqual({ strategy: "confounder-aware", perClass: 20, seed: 3, allocation: "proportional", withinGroup: "facility-location", noise: "own-group" });
    expect(res.selected[0]!.reason).toMatch(/^group 0 of a \(240 of 305\), proportional share 16, facility location step 1 of 16 \(coverage gain 0\.\d{3}, class RBF h = \d+\.\d{3}\)$/);
  });

  it("puts one pick in each sub-cluster of a two-mode group and none on its outliers, for any seed", () => {
    for (const seed of [1, 2, 3]) {
      const res = sel({ seed });
      const g0 = res.selected.filter((s) => s.group === 0).map((s) => modes.points.data[2 * s.row]!);
      expect(g0).toHaveLength(2);
      // x < 3 is the left mode, 3 ≤ x < 10 the right one; the outliers sit at y ≈ 30.
      expect(g0.filter((x) => x < 3)).toHaveLength(1);
      expect(res.selected.filter((s) => s.group === 0).every((s) => modes.points.data[2 * s.row + 1]! < 10)).toBe(true);
    }
  });

  it("does not depend on the seed while the class fits the kernel (≤ GROUND_SET_MAX rows)", () => {
    expect(sel({ seed: 1 }).manifestHash).toBe(sel({ seed: 99 }).manifestHash);
  });

  it("uses one bandwidth for the class: the median squared distance between rows of the same group", () => {
    const res = sel({});
    const g0 = Array.from({ length: 83 }, (_, i) => i);
    const g1 = Array.from({ length: 60 }, (_, i) => 83 + i);
    const h = medianWithinSqDistance(modes.points, [g0, g1]);
    const hs = new Set(res.selected.map((s) => /class RBF h = ([\d.]+)\)$/.exec(s.reason)![1]));
    expect([...hs]).toEqual([h.toFixed(3)]);
    // Neither the whole class's median (inflated by the distance between the groups) nor a group's own.
    expect(medianPairSqDistance(modes.points, [...g0, ...g1])).toBeGreaterThan(10 * h);
    expect(medianPairSqDistance(modes.points, g1)).toBeLessThan(h / 2);
  });

  it("optimises a group larger than GROUND_SET_MAX over a seeded sample and says so", () => {
    const n = GROUND_SET_MAX + 50;
    const rng = createRng(5);
    const big: SelectInput = {
      points: { data: Float64Array.from({ length: 2 * n }, () => rng.normal()), n, dim: 2 },
      labels: Array.from({ length: n }, () => "z"),
      ids: Array.from({ length: n }, (_, i) => `z${i}`),
      groups: new Int32Array(n),
    };
    const res = select(big, { strategy: "confounder-aware", perClass: 5, seed: 2 });
    expect(res.selected).toHaveLength(5);
    expect(res.warnings).toEqual([`confounder-aware: group 0 of z has ${n} samples; facility location optimised over a seeded sample of ${GROUND_SET_MAX}`]);
    expect(select(big, { strategy: "confounder-aware", perClass: 5, seed: 2 }).manifestHash).toBe(res.manifestHash);
  });
});

describe("kernelMatrix", () => {
  const pts: Points = { data: new Float64Array([0, 0, 3, 4, 0, 1]), n: 3, dim: 2 };
  it("kernelMatrix(points, rows, 'rbf', h) uses the given bandwidth: K = exp(−d²/h)", () => {
    const { K, bandwidth } = kernelMatrix(pts, [0, 1, 2], "rbf", 10);
    expect(bandwidth).toBe(10);
    expect(K[1]).toBeCloseTo(Math.exp(-25 / 10), 6);
    expect(K[2]).toBeCloseTo(Math.exp(-1 / 10), 6);
  });
  it("kernelMatrix(points, rows, 'rbf') defaults to the median pairwise squared distance", () => {
    // pairs: 25, 1, 9+9=18 → median 18
    expect(kernelMatrix(pts, [0, 1, 2], "rbf").bandwidth).toBe(18);
    expect(medianPairSqDistance(pts, [0, 1, 2])).toBe(18);
  });
  it("medianWithinSqDistance(points, sets) pools pairs inside each set only, never across", () => {
    // within {0, 2}: 1; within {1}: none → median 1 (the cross pairs 25 and 18 are left out)
    expect(medianWithinSqDistance(pts, [[0, 2], [1]])).toBe(1);
    // no pair inside any set: falls back to all pairs of the union
    expect(medianWithinSqDistance(pts, [[0], [1], [2]])).toBe(18);
  });
  it("medianOfParts(parts) equals the sorted median of the pooled values (odd, even, ties)", () => {
    const rng = createRng(11);
    for (const [n, levels] of [[1, 0], [2, 0], [7, 0], [1000, 0], [1001, 0], [500, 4], [64, 2]] as const) {
      const vals = Array.from({ length: n }, () => (levels ? 1 + rng.int(levels) : rng.next() * 100));
      const cut = Math.floor(n / 3);
      const sorted = [...vals].sort((a, b) => a - b);
      const want = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(medianOfParts([Float64Array.from(vals.slice(0, cut)), Float64Array.from(vals.slice(cut))])).toBe(want);
    }
    expect(medianOfParts([])).toBe(1);
    expect(medianOfParts([new Float64Array([0, 0, 0])])).toBe(1);
  });
  it("kernelMatrix(points, rows, 'rbf', 0) is rejected", () => {
    expect(codeOf(() => kernelMatrix(pts, [0, 1], "rbf", 0))).toEqual({ code: "BAD_PARAM", field: "bandwidth" });
  });
});

describe("shareBudget", () => {
  it("shareBudget(10, [0, 1, 2, -1], sizes, 'balanced') gives noise its proportional share only", () => {
    // noise 40 of 400 → 1 of 10; 9 over three groups → 3 each
    expect(Array.from(shareBudget(10, [0, 1, 2, -1], [300, 40, 20, 40], "balanced"))).toEqual([3, 3, 3, 1]);
  });
  it("shareBudget(50, [0, -1], [5, 100], 'sqrt') keeps noise's proportional share when noise dominates", () => {
    // 50·100/105 = 47.6 → 48 for noise, 2 for the group
    expect(Array.from(shareBudget(50, [0, -1], [5, 100], "sqrt"))).toEqual([2, 48]);
  });
  it("shareBudget(20, [0, 1, -1], [2, 3, 4], 'balanced') takes everything when the budget exceeds the class", () => {
    expect(Array.from(shareBudget(20, [0, 1, -1], [2, 3, 4], "balanced"))).toEqual([2, 3, 4]);
  });
  it("shareBudget(10, [0, 1, -1], sizes, 'proportional') is plain proportional allocation", () => {
    expect(Array.from(shareBudget(10, [0, 1, -1], [50, 30, 20], "proportional"))).toEqual([5, 3, 2]);
  });
});

describe("quantilePositions", () => {
  it("quantilePositions(10, 4) without rng takes each band's middle", () => {
    // bands [0,2) [2,5) [5,7) [7,10) → middles floor((j + ½)·10/4) = 1, 3, 6, 8
    expect(Array.from(quantilePositions(10, 4))).toEqual([1, 3, 6, 8]);
  });
  it("quantilePositions(size, count, rng) draws once per band and gives every position the same chance", () => {
    const rng = createRng(1);
    const hits = new Array<number>(12).fill(0);
    const trials = 6000;
    for (let t = 0; t < trials; t++) {
      const pos = Array.from(quantilePositions(12, 4, rng));
      pos.forEach((p, j) => {
        expect(p).toBeGreaterThanOrEqual(j * 3);
        expect(p).toBeLessThan((j + 1) * 3);
      });
      for (const p of pos) hits[p]!++;
    }
    for (const h of hits) expect(Math.abs(h / trials - 4 / 12)).toBeLessThan(0.03);
  });
  it("quantilePositions(3, 5) takes all 3", () => {
    expect(Array.from(quantilePositions(3, 5, createRng(0)))).toEqual([0, 1, 2]);
  });
});

describe("select(input, {strategy: 'stratified'})", () => {
  it("select(input, {stratifyColumn: 'site'}) follows the column's mix and treats null as its own stratum", () => {
    const res = select(input, params("stratified"));
    const a = res.perClass[0]!.allocation!;
    // class a: S1 240, S2 60, (unknown) 5 → (unknown) sorts first
    expect(a).toEqual([
      { group: 0, pool: 5, share: 0 },
      { group: 1, pool: 240, share: 16 },
      { group: 2, pool: 60, share: 4 },
    ]);
    expect(res.selected.filter((s) => s.groupKey === "site=S2" && s.label === "a")).toHaveLength(4);
  });
});

describe("select(input, {strategy: 'kcenter'})", () => {
  it("select(input, kcenter) reaches the far noise cluster within its first picks", () => {
    const res = select(input, params("kcenter", { perClass: 3 }));
    const a = res.selected.filter((s) => s.label === "a");
    expect(a.some((s) => input.groups![s.row] === -1)).toBe(true);
    expect(a.some((s) => input.groups![s.row] === 1)).toBe(true);
  });
});

describe("select(input, {strategy: 'moderate'})", () => {
  it("select(input, moderate) avoids the far outliers", () => {
    const res = select(input, params("moderate"));
    expect(res.selected.some((s) => input.groups![s.row] === -1)).toBe(false);
  });
});

describe("select(input, {strategy: 'herding'})", () => {
  it("select(input, herding) brings the selection mean close to the class mean", () => {
    const res = select(input, params("herding"));
    const mean = (rows: number[]) => [0, 1].map((t) => rows.reduce((s, r) => s + input.points.data[2 * r + t]!, 0) / rows.length);
    const b = input.labels.flatMap((l, i) => (l === "b" ? [i] : []));
    const sel = res.selected.filter((s) => s.label === "b").map((s) => s.row);
    const [mx, my] = mean(b);
    const [sx, sy] = mean(sel);
    // A random 20 of 200 misses by about σ/√20 ≈ 1.1 here; herding should do far better.
    expect(Math.hypot(mx! - sx!, my! - sy!)).toBeLessThan(0.3);
  });
});

describe("herding through the dot kernel (float32, ≥ 65 536 values)", () => {
  /** The one-pass herding every path must agree with: exact sums of every row, ties to the lower row. */
  function reference(data: Float32Array, dim: number, rows: number[], budget: number): { rows: number[]; d: number[] } {
    const m = rows.length;
    const mu = new Float64Array(dim);
    for (const r of rows) for (let j = 0; j < dim; j++) mu[j]! += data[r * dim + j]!;
    for (let j = 0; j < dim; j++) mu[j]! /= m;
    const sum = new Float64Array(dim);
    const taken = new Uint8Array(m);
    const out: number[] = [];
    const ds: number[] = [];
    for (let t = 1; t <= budget; t++) {
      let best = -1;
      let bestD = Infinity;
      for (let r = 0; r < m; r++) {
        if (taken[r]) continue;
        let s = 0;
        for (let j = 0; j < dim; j++) {
          const d = t * mu[j]! - sum[j]! - data[rows[r]! * dim + j]!;
          s += d * d;
        }
        if (s < bestD) [bestD, best] = [s, r];
      }
      taken[best] = 1;
      for (let j = 0; j < dim; j++) sum[j]! += data[rows[best]! * dim + j]!;
      out.push(rows[best]!);
      ds.push(bestD);
    }
    return { rows: out, d: ds };
  }

  it("picks exactly the rows (and reasons) of the exact one-pass loop, on a copy and on a shared matrix", () => {
    const rng = createRng(12);
    const n = 3000;
    const dim = 48; // 1,700 rows of class "a" × 48 ≥ 65,536: the kernel runs
    const data = new Float32Array(n * dim);
    // a large common offset makes the norm form cancel: the exact second pass must still decide
    for (let i = 0; i < data.length; i++) data[i] = 40 + rng.normal() * (i % 5 === 0 ? 3 : 1);
    const labels = Array.from({ length: n }, (_, i) => (i % 7 < 4 ? "a" : "b"));
    const ids = labels.map((_, i) => `r${i}`);
    const shared = allocateSharedMatrix(n, dim);
    shared.set(data);
    const budget = 40;
    const plain = select({ points: { data, n, dim }, labels, ids }, { strategy: "herding", perClass: budget, seed: 1 });
    const inPlace = select({ points: { data: shared, n, dim }, labels, ids }, { strategy: "herding", perClass: budget, seed: 1 });
    expect(inPlace.manifestHash).toBe(plain.manifestHash);
    expect(inPlace.selected.map((s) => s.reason)).toEqual(plain.selected.map((s) => s.reason));
    for (const label of ["a", "b"]) {
      const rows = labels.flatMap((l, i) => (l === label ? [i] : []));
      const ref = reference(data, dim, rows, budget);
      expect(plain.selected.filter((s) => s.label === label).map((s) => s.row)).toEqual(ref.rows);
    }
  });
});

describe("select(input, {strategy: 'facility-location'})", () => {
  it("select(input, facility-location) covers both groups of each class", () => {
    for (const kernel of ["rbf", "cosine"] as const) {
      const res = select(input, params("facility-location", { perClass: 4, kernel }));
      const b = res.selected.filter((s) => s.label === "b").map((s) => input.groups![s.row]);
      expect(new Set(b)).toEqual(new Set([0, 1]));
      expect(res.params.kernel).toBe(kernel);
    }
  });
});

describe("select(input, params) rejects bad parameters", () => {
  const cases: [string, () => unknown, string, string][] = [
    ["perClass 0", () => select(input, params("random", { perClass: 0 })), "BUDGET_TOO_SMALL", "perClass"],
    ["perClass 2.5", () => select(input, params("random", { perClass: 2.5 })), "BUDGET_TOO_SMALL", "perClass"],
    ["unknown strategy", () => select(input, { strategy: "best" as never, perClass: 3 }), "UNKNOWN_STRATEGY", "strategy"],
    ["missing stratify column", () => select(input, params("stratified", { stratifyColumn: "scanner" })), "UNKNOWN_COLUMN", "stratifyColumn"],
    ["no stratify column", () => select(input, { strategy: "stratified", perClass: 3 }), "STRATIFY_COLUMN_REQUIRED", "stratifyColumn"],
    ["groups missing", () => select({ ...input, groups: undefined }, params("confounder-aware")), "GROUPS_REQUIRED", "groups"],
    ["labels too short", () => select({ ...input, labels: input.labels.slice(1) }, params("random")), "LENGTH_MISMATCH", "labels"],
    ["groups too short", () => select({ ...input, groups: input.groups!.subarray(1) }, params("confounder-aware")), "LENGTH_MISMATCH", "groups"],
    ["bad allocation", () => select(input, params("confounder-aware", { allocation: "even" as never })), "BAD_PARAM", "allocation"],
    ["negative seed", () => select(input, params("random", { seed: -1 })), "BAD_SEED", "seed"],
    ["duplicate ids", () => select({ ...input, ids: input.ids.map((id, i) => (i === 1 ? input.ids[0]! : id)) }, params("random")), "DUPLICATE_ID", "ids"],
    ["NaN point", () => select({ ...input, points: nanPoints(input.points) }, params("random")), "NON_FINITE", "points.data"],
  ];
  for (const [what, fn, code, field] of cases) {
    it(`select(input, ${what}) throws ${code} on ${field}`, () => {
      expect(codeOf(fn)).toEqual({ code, field });
    });
  }
});

describe("select(input, params) takes strategy-required parameters from the declaration (requiredByStrategies)", () => {
  const required = (Object.entries(SELECT_PARAMS) as Array<[keyof SelectParams, ParamSpec]>).filter(([, s]) => s.requiredByStrategies?.length);
  // The valid value of each such parameter for `input` (its only string parameter today is a metadata column).
  const valid: Partial<Record<keyof SelectParams, unknown>> = { stratifyColumn: "site" };

  it("declares stratifyColumn required by stratified, and only among the strategies that read it", () => {
    expect(required.map(([name, s]) => [name, s.requiredByStrategies])).toEqual([["stratifyColumn", ["stratified"]]]);
    for (const [name, spec] of required) for (const s of spec.requiredByStrategies!) expect(spec.strategies, name).toContain(s);
  });

  for (const [name, spec] of required) {
    for (const strategy of spec.requiredByStrategies!) {
      it(`select(input, {strategy: "${strategy}"}) without ${name}, or with an empty or mistyped one, throws ${spec.code} on ${name}`, () => {
        for (const bad of [undefined, null, "", 7]) {
          expect(codeOf(() => select(input, params(strategy, { [name]: bad } as Partial<SelectParams>)))).toEqual({ code: spec.code, field: name });
        }
        expect(() => requireForStrategy(strategy, { strategy, perClass: 3 })).toThrow(`expected a ${name} for strategy "${strategy}", got undefined`);
        expect(select(input, params(strategy, { [name]: valid[name] } as Partial<SelectParams>)).params[name]).toBe(valid[name]);
      });
    }
    const others = STRATEGIES.filter((s) => !spec.requiredByStrategies!.includes(s));
    it(`requireForStrategy(strategy, params) asks no ${name} of ${others.join(", ")}`, () => {
      for (const strategy of others) expect(() => requireForStrategy(strategy, { strategy, perClass: 3 })).not.toThrow();
    });
  }
});

function nanPoints(p: Points): Points {
  const data = Float64Array.from(p.data);
  data[7] = NaN;
  return { ...p, data };
}
