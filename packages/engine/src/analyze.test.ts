import { describe, expect, it } from "vitest";
import { adjustedRandIndexForTest } from "./__tests__/ari.js";
import { expectClose } from "./__tests__/close.js";
import { analyze, defaultMinPts, groupsPerRow } from "./analyze.js";
import { createRng } from "./rng.js";
import { EngineInputError } from "./types.js";

/**
 * Two classes; inside each, three acquisition sites shift the embedding (a strong confounder), and
 * a "coin" column is independent of everything.
 */
function confoundedPool(nPerClass: number, dim: number, seed: number) {
  const rng = createRng(seed);
  const classShift = [Array.from({ length: dim }, () => rng.normal()), Array.from({ length: dim }, () => rng.normal())];
  const siteShift = [0, 1, 2].map(() => Array.from({ length: dim }, () => rng.normal() * 3));
  const n = 2 * nPerClass;
  const data = new Float32Array(n * dim);
  const labels: string[] = [];
  const site: string[] = [];
  const coin: (string | null)[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const s = Math.floor(i / 2) % 3;
    labels.push(c ? "pneumonia" : "normal");
    site.push(`site-${s}`);
    coin.push(i % 17 === 0 ? null : rng.next() < 0.5 ? "heads" : "tails");
    ids.push(`img-${i}`);
    for (let t = 0; t < dim; t++) data[i * dim + t] = classShift[c]![t]! + siteShift[s]![t]! + rng.normal() * 0.6;
  }
  return { points: { data, n, dim }, labels, metadata: { site, coin }, ids, siteOf: site };
}

/**
 * Two classes of 2-D points, each two 12 × 12 lattices (unit spacing) 1.2 apart: DBSCAN (eps 1.1) splits
 * them, and their kNN graph links them just enough for the merge (connectivity 0.065 > 0.05). Class "a"
 * is split along x; class "b" (100 units away) along x too (`sameShift`) or along y.
 */
function touchingBlobs(sameShift: boolean) {
  const data: number[] = [];
  const labels: string[] = [];
  for (const [label, dx, dy] of [["a", 1, 0], ["b", sameShift ? 1 : 0, sameShift ? 0 : 1]] as const) {
    for (let side = 0; side < 2; side++) {
      for (let i = 0; i < 12; i++) {
        for (let j = 0; j < 12; j++) {
          const off = side * (11 + 1.2);
          data.push(i + (label === "b" ? 100 : 0) + off * dx, j + off * dy);
          labels.push(label);
        }
      }
    }
  }
  return { points: { data: Float64Array.from(data), n: labels.length, dim: 2 }, labels };
}

describe("analyze: the cross-class rule of the merge (mergeCrossClass)", () => {
  const params = { seed: 1, reduce: "none" as const, eps: 1.1, minPts: 3 };
  const split = (f: ReturnType<typeof analyze>, label: string) => f.classes.find((c) => c.label === label)!.groupSizes.length;
  it("keeps a split apart when another class shows the same shift, merges it when not", () => {
    const same = touchingBlobs(true);
    // the graph alone merges the two touching squares of each class
    expect(split(analyze(same, { ...params, mergeCrossClass: null }), "a")).toBe(1);
    // with the rule: class b splits the same way, so class a's split is an acquisition-like shift
    const kept = analyze(same, params);
    expect(kept.params.mergeCrossClass).toBe(0.7);
    expect(split(kept, "a")).toBe(2);
    expect(split(kept, "b")).toBe(2);
    // class b split along y: a's x-split does not recur, so it merges as before (and b's likewise)
    const other = analyze(touchingBlobs(false), params);
    expect(split(other, "a")).toBe(1);
    expect(split(other, "b")).toBe(1);
  });
  it("refuses a threshold outside (0, 1]", () => {
    for (const bad of [0, 1.5, Number.NaN, "x"]) {
      expect(() => analyze(touchingBlobs(true), { mergeCrossClass: bad as unknown as number })).toThrow(/mergeCrossClass/);
    }
  });
});

describe("analyze", () => {
  const pool = confoundedPool(300, 64, 1);
  const findings = analyze({ points: pool.points, labels: pool.labels, metadata: pool.metadata }, { seed: 7 });

  it("analyze(pool) finds the simulated sites inside each class (ARI ≥ 0.9)", () => {
    expect(findings.classes.map((c) => c.label)).toEqual(["normal", "pneumonia"]);
    for (const c of findings.classes) {
      expect(c.rows.length).toBe(300);
      expect(c.groupSizes.length).toBeGreaterThanOrEqual(3);
      const truth = Array.from(c.rows, (r) => pool.siteOf[r]!);
      expect(adjustedRandIndexForTest(Array.from(c.groups), truth)).toBeGreaterThan(0.9);
      expect(c.epsAuto).toBe(true);
      expect(c.minPts).toBe(defaultMinPts(300));
      expect(c.pcaComponents).toBe(50);
      expect(c.explainedVariance!.length).toBe(50);
      expect(c.layout.length).toBe(600);
      expect(c.reduce).toBe("umap");
      expect(c.groupSizes.reduce((a, b) => a + b, 0) + c.noiseCount).toBe(300);
      for (let g = 1; g < c.groupSizes.length; g++) expect(c.groupSizes[g]!).toBeLessThanOrEqual(c.groupSizes[g - 1]!);
    }
  });

  it("analyze(pool) ties the site column to the groups and not the coin column", () => {
    for (const label of ["normal", "pneumonia"]) {
      const site = findings.associations.find((a) => a.label === label && a.column === "site")!;
      const coin = findings.associations.find((a) => a.label === label && a.column === "coin")!;
      expect(site.cramersV).toBeGreaterThan(0.9);
      expect(site.ami).toBeGreaterThan(0.8);
      expect(site.pValue).toBeLessThan(1e-20);
      expect(site.predictability!.accuracy).toBeGreaterThan(0.95);
      expectClose(site.predictability!.chance, 1 / 3, 0.01);
      expect(coin.cramersV).toBeLessThan(0.2);
      expect(coin.pValue).toBeGreaterThan(0.001);
      expect(coin.predictability!.accuracy).toBeLessThan(0.7);
      expect(site.perGroup.slice(0, 3).every((g) => g.share > 0.9 && g.dominantValue !== null)).toBe(true);
    }
  });

  it("analyze(pool) lets a column tied to the fragments steer the merge, and says which (mergeMetadata)", () => {
    // One site torn into two far-apart islands by content: the graph alone keeps them apart, the site
    // column joins them; a second site that touches the first in the graph stays its own group.
    const rng = createRng(3);
    const dim = 8;
    const rows: number[][] = [];
    const site: string[] = [];
    const centres = [[0, 0], [40, 0], [0, 9]]; // A, A (other content), B (close to A's first island)
    const siteOf = ["A", "A", "B"];
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 120; i++) {
        rows.push(Array.from({ length: dim }, (_, t) => (centres[c]![t] ?? 0) + rng.normal()));
        site.push(siteOf[c]!);
      }
    }
    const points = { data: Float64Array.from(rows.flat()), n: rows.length, dim };
    const labels = rows.map(() => "normal");
    const steered = analyze({ points, labels, metadata: { site } }, { seed: 1, reduce: "none", eps: 2.5 });
    const graphOnly = analyze({ points, labels, metadata: { site } }, { seed: 1, reduce: "none", eps: 2.5, mergeMetadata: false });
    expect(graphOnly.classes[0]!.mergeColumn).toBeNull();
    expect(graphOnly.classes[0]!.groupSizes.length).toBe(3);
    const c = steered.classes[0]!;
    expect(c.mergeColumn).toBe("site");
    expect(c.groupSizes.length).toBe(2);
    expect(c.groupSizes[0]! + c.groupSizes[1]! + c.noiseCount).toBe(360);
    expect(c.groupSizes[0]!).toBeGreaterThan(1.6 * c.groupSizes[1]!); // A's two islands, then B
    const sitesOfGroup = [new Set<string>(), new Set<string>()];
    c.groups.forEach((g, i) => g >= 0 && sitesOfGroup[g]!.add(site[c.rows[i]!]!));
    expect(sitesOfGroup.map((x) => [...x])).toEqual([["A"], ["B"]]);
    expect(c.groupModes[0]!.length).toBe(2);
    expect(c.groupMerges[0]!.map((l) => l.by)).toEqual(["metadata"]);
    expect(steered.params.mergeMetadata).toBe(true);
  });

  it("analyze(pool, {seed}) is byte-identical for the same seed", () => {
    const again = analyze({ points: pool.points, labels: pool.labels, metadata: pool.metadata }, { seed: 7 });
    // Typed arrays as plain arrays, so the comparison sees every value (findings.json is the CLI's now).
    const plain = (f: unknown) => JSON.stringify(f, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
    expect(plain(again)).toBe(plain(findings));
  });

  it("analyze(pool without metadata) still returns the groups, with associations = []", () => {
    const small = confoundedPool(60, 16, 2);
    const f = analyze({ points: small.points, labels: small.labels }, { reduce: "pca" });
    expect(f.associations).toEqual([]);
    expect(f.classes.length).toBe(2);
  });

  for (const reduce of ["tsne", "pca", "none"] as const) {
    it(`analyze(pool, {reduce: "${reduce}"}) recovers the sites too`, () => {
      const small = confoundedPool(150, 32, 3);
      const f = analyze({ points: small.points, labels: small.labels, metadata: small.metadata }, { reduce, seed: 1 });
      for (const c of f.classes) {
        expect(c.reduce).toBe(reduce);
        expect(adjustedRandIndexForTest(Array.from(c.groups), Array.from(c.rows, (r) => small.siteOf[r]!))).toBeGreaterThan(0.8);
      }
    });
  }

  it("analyze(pool, {eps, minPts}) uses the given values and reports them", () => {
    const small = confoundedPool(60, 8, 4);
    const f = analyze({ points: small.points, labels: small.labels }, { reduce: "none", eps: 2.5, minPts: 4 });
    expect(f.classes.every((c) => c.eps === 2.5 && c.minPts === 4 && !c.epsAuto)).toBe(true);
    expect(f.params.eps).toBe(2.5);
    expect(f.params.minPts).toBe(4);
  });

  it("analyze(class with one point) falls back to a PCA layout and reports the point as noise", () => {
    const f = analyze({ points: { data: Float64Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 5, 5, 5, 9, 9, 9]), n: 5, dim: 3 }, labels: ["a", "a", "a", "a", "b"] });
    const b = f.classes.find((c) => c.label === "b")!;
    expect(b.reduce).toBe("pca");
    expect(Array.from(b.groups)).toEqual([-1]);
    expect(b.noiseCount).toBe(1);
  });

  it("analyze(duplicate points) puts the copies in one group", () => {
    const data = new Float64Array(30 * 4).fill(3);
    const f = analyze({ points: { data, n: 30, dim: 4 }, labels: new Array(30).fill("x") }, { reduce: "none" });
    expect(f.classes[0]!.groupSizes).toEqual([30]);
  });

  it("analyze(empty input) refuses", () => {
    expect(() => analyze({ points: { data: new Float32Array(0), n: 0, dim: 4 }, labels: [] })).toThrow(/at least 1 point, got 0/);
  });

  it("analyze(input, bad params) refuses before any work, naming the parameter", () => {
    const input = { points: { data: new Float32Array(8), n: 2, dim: 4 }, labels: ["a", "b"] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ eps: 0 }, /eps.*got 0/],
      [{ eps: "knee" }, /eps.*got knee/],
      [{ minPts: 0 }, /minPts.*got 0/],
      [{ reduce: "mds" }, /reduce.*got mds/],
      [{ pcaComponents: -1 }, /pcaComponents.*got -1/],
      [{ seed: 1.5 }, /seed.*got 1.5/],
      [{ nNeighbors: 1 }, /nNeighbors.*got 1/],
    ];
    for (const [params, message] of cases) {
      expect(() => analyze(input, params)).toThrow(message);
      expect(() => analyze(input, params)).toThrow(EngineInputError);
    }
  });

  it("analyze(input with mismatched labels or metadata) names the field", () => {
    const points = { data: new Float32Array(8), n: 2, dim: 4 };
    expect(() => analyze({ points, labels: ["a"] })).toThrow(/expected 2 labels \(one per row\), got 1/);
    expect(() => analyze({ points, labels: ["a", "b"], metadata: { site: ["x"] } })).toThrow(/metadata column "site", got 1/);
  });

  it("groupsPerRow(findings, n) maps groups back to pool rows", () => {
    const g = groupsPerRow(findings, pool.points.n);
    const c = findings.classes[1]!;
    expect(g[c.rows[5]!]).toBe(c.groups[5]);
  });
});

describe("analyze: membership refinement after the merge (refine)", () => {
  it("defaults to 5 rounds, 0 gives the merge's groups untouched, same seed same groups", () => {
    const pool = confoundedPool(120, 8, 4);
    const input = { points: pool.points, labels: pool.labels };
    const refined = analyze(input, { seed: 2 });
    expect(refined.params.refine).toBe(5);
    const again = analyze(input, { seed: 2 });
    refined.classes.forEach((c, i) => {
      expect(Array.from(c.groups)).toEqual(Array.from(again.classes[i]!.groups));
      // every row's mode belongs to its group
      c.groups.forEach((g, r) => g >= 0 && expect(c.groupModes[g]).toContain(c.modes[r]));
    });
    const off = analyze(input, { seed: 2, refine: 0 });
    expect(off.params.refine).toBe(0);
    expect(off.classes.map((c) => c.groupSizes.reduce((a, b) => a + b, 0))).toEqual(refined.classes.map((c) => c.groupSizes.reduce((a, b) => a + b, 0)));
  });
  it("refuses a refine that is not an integer ≥ 0, naming it", () => {
    for (const bad of [-1, 1.5, Number.NaN, "x"]) {
      let field = "";
      try {
        analyze(touchingBlobs(true), { refine: bad as unknown as number });
      } catch (e) {
        field = (e as EngineInputError).field;
      }
      expect(field).toBe("refine");
    }
  });
});
