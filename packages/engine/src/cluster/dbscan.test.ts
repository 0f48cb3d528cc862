import { describe, expect, it } from "vitest";
import { flat, loadFixture } from "../__tests__/fixtures.js";
import { EngineInputError, type Points } from "../types.js";
import { dbscan } from "./dbscan.js";
import { chooseEps, kneeOf } from "./eps.js";

interface DbscanCase { name: string; dim: number; points: number[][]; eps: number; minPts: number; labels: number[]; core: number[] }
const { cases } = loadFixture<{ cases: DbscanCase[] }>("dbscan.json");

function dist(p: Points, i: number, j: number): number {
  let s = 0;
  for (let t = 0; t < p.dim; t++) s += (p.data[i * p.dim + t]! - p.data[j * p.dim + t]!) ** 2;
  return Math.sqrt(s);
}

/**
 * Same clustering up to renumbering and border ties: identical core sets, a one-to-one map between
 * the clusters of core points, identical noise, and every border point in a cluster of some core
 * point within eps (sklearn gives a border point reachable from two clusters to whichever reaches
 * it first).
 */
function expectSameClustering(p: Points, eps: number, ours: Int32Array, oursCore: Uint8Array, ref: number[], refCore: Set<number>): void {
  const fwd = new Map<number, number>();
  const back = new Map<number, number>();
  for (let i = 0; i < p.n; i++) {
    expect(oursCore[i] === 1, `core flag of row ${i}`).toBe(refCore.has(i));
    expect(ours[i] === -1, `noise flag of row ${i}`).toBe(ref[i] === -1);
    if (!refCore.has(i)) continue;
    const a = ours[i]!, b = ref[i]!;
    if (!fwd.has(a)) fwd.set(a, b);
    if (!back.has(b)) back.set(b, a);
    expect(fwd.get(a), `cluster of core row ${i}`).toBe(b);
    expect(back.get(b), `cluster of core row ${i}`).toBe(a);
  }
  for (let i = 0; i < p.n; i++) {
    if (refCore.has(i) || ours[i] === -1) continue;
    let ok = false;
    for (let j = 0; j < p.n && !ok; j++) if (oursCore[j] && ours[j] === ours[i] && dist(p, i, j) <= eps) ok = true;
    expect(ok, `border row ${i} sits next to a core of its cluster`).toBe(true);
    expect([...refCore].some((j) => ref[j] === fwd.get(ours[i]!) && dist(p, i, j) <= eps)).toBe(true);
  }
}

describe("dbscan", () => {
  for (const c of cases) {
    it(`dbscan(points, ${c.eps}, ${c.minPts}) matches scikit-learn on ${c.name} up to renumbering and border ties`, () => {
      const p = { data: flat(c.points), n: c.points.length, dim: c.dim };
      const r = dbscan(p, c.eps, c.minPts);
      expectSameClustering(p, c.eps, r.labels, r.core, c.labels, new Set(c.core));
      expect(r.clusters).toBe(new Set(c.labels.filter((l) => l >= 0)).size);
      // where sklearn's labels have no border ties our numbering is identical too (both grow in row order)
      expect(r.labels[c.core[0]!]).toBe(0);
    });
  }

  it("dbscan(points, eps, minPts) marks isolated points -1", () => {
    const p = { data: Float64Array.from([0, 0, 0.1, 0, 0, 0.1, 0.1, 0.1, 10, 10, -10, 5]), n: 6, dim: 2 };
    const r = dbscan(p, 0.2, 3);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, -1, -1]);
    expect(r.noise).toBe(2);
  });

  it("dbscan(one point, eps, minPts) is noise unless minPts is 1", () => {
    const p = { data: Float64Array.from([1, 2]), n: 1, dim: 2 };
    expect(Array.from(dbscan(p, 1, 2).labels)).toEqual([-1]);
    expect(Array.from(dbscan(p, 1, 1).labels)).toEqual([0]);
  });

  it("dbscan(duplicate points, eps, minPts) puts the copies in one cluster", () => {
    const p = { data: Float64Array.from([3, 3, 3, 3, 3, 3, 3, 3, 9, 9]), n: 5, dim: 2 };
    const r = dbscan(p, 1e-9, 4);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, -1]);
  });

  it("dbscan(collinear points, eps, minPts) chains them and splits at the gap", () => {
    const xs = [0, 1, 2, 3, 4, 10, 11, 12, 13];
    const p = { data: Float64Array.from(xs.flatMap((x) => [x, 2 * x])), n: xs.length, dim: 2 };
    const r = dbscan(p, Math.hypot(1, 2) + 1e-9, 3);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("dbscan(points in 3-D) uses the kd-tree and agrees with 2-D on a flat copy", () => {
    const c = cases[0]!;
    const n = c.points.length;
    const p2 = { data: flat(c.points), n, dim: 2 };
    const p3 = { data: flat(c.points.map(([x, y]) => [x!, y!, 0])), n, dim: 3 };
    expect(Array.from(dbscan(p3, c.eps, c.minPts).labels)).toEqual(Array.from(dbscan(p2, c.eps, c.minPts).labels));
  });

  it("dbscan(points, eps, minPts) refuses eps ≤ 0, NaN or Infinity before any work", () => {
    const p = { data: Float64Array.from([0, 0]), n: 1, dim: 2 };
    for (const eps of [0, -1, NaN, Infinity]) expect(() => dbscan(p, eps, 3)).toThrow(EngineInputError);
    expect(() => dbscan(p, 0, 3)).toThrow(/expected eps > 0, got 0/);
  });

  it("dbscan(points, eps, minPts) refuses minPts < 1 or fractional", () => {
    const p = { data: Float64Array.from([0, 0]), n: 1, dim: 2 };
    expect(() => dbscan(p, 1, 0)).toThrow(/expected an integer minPts ≥ 1, got 0/);
    expect(() => dbscan(p, 1, 2.5)).toThrow(EngineInputError);
  });

  it("dbscan(empty points) refuses", () => {
    expect(() => dbscan({ data: new Float64Array(0), n: 0, dim: 2 }, 1, 3)).toThrow(/at least 1 point, got 0/);
  });

  it("dbscan(points with NaN) names the row", () => {
    expect(() => dbscan({ data: Float64Array.from([0, 0, NaN, 1]), n: 2, dim: 2 }, 1, 1)).toThrow(/row 1, column 0/);
  });
});

describe("chooseEps", () => {
  it("chooseEps(points, minPts) finds eps between the within-cluster and the noise distances", () => {
    const c = cases[0]!;
    const p = { data: flat(c.points), n: c.points.length, dim: 2 };
    const { eps, k, kDistances } = chooseEps(p, 5);
    expect(k).toBe(4);
    expect(kDistances.length).toBe(p.n);
    const r = dbscan(p, eps, 5);
    // four blobs come out as (about) four groups, the uniform background mostly as noise
    expect(r.clusters).toBeGreaterThanOrEqual(4);
    expect(r.clusters).toBeLessThanOrEqual(6);
    const big = new Map<number, number>();
    for (const l of r.labels) if (l >= 0) big.set(l, (big.get(l) ?? 0) + 1);
    expect([...big.values()].filter((s) => s >= 40).length).toBe(4);
    expect(r.noise).toBeGreaterThan(10);
    expect(r.noise).toBeLessThan(80);
  });

  it("kneeOf(curve) picks the bend of a hockey-stick curve", () => {
    const curve = Float64Array.from({ length: 101 }, (_, i) => (i < 80 ? i * 0.01 : 0.8 + (i - 80) * 0.5));
    expect(kneeOf(curve)).toBe(80);
  });

  it("chooseEps(identical points, minPts) returns a positive eps", () => {
    const p = { data: new Float64Array(20).fill(1), n: 10, dim: 2 };
    expect(chooseEps(p, 4).eps).toBe(1);
  });

  it("chooseEps(one point, minPts) refuses", () => {
    expect(() => chooseEps({ data: Float64Array.from([1, 1]), n: 1, dim: 2 }, 4)).toThrow(/at least 2 points, got 1/);
  });
});
