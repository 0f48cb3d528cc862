import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import type { Points, Rng } from "../types.js";
import { dbscan } from "./dbscan.js";
import { gridDbscan } from "./dbscan-grid.js";

/**
 * Reference: scikit-learn's algorithm verbatim on brute-force neighbour lists (distance test
 * dx·dx + dy·dy ≤ eps·eps, as its kd-tree computes it): core = ≥ minPts neighbours incl. itself;
 * depth-first expansion from each unlabelled core in row order.
 */
function bruteDbscan(p: Points, eps: number, minPts: number): { labels: Int32Array; core: Uint8Array } {
  const { n, data } = p;
  const e2 = eps * eps;
  const nbrs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const dx = data[2 * j]! - data[2 * i]!, dy = data[2 * j + 1]! - data[2 * i + 1]!;
      if (dx * dx + dy * dy <= e2) row.push(j);
    }
    nbrs.push(row);
  }
  const core = Uint8Array.from(nbrs, (r) => (r.length >= minPts ? 1 : 0));
  const labels = new Int32Array(n).fill(-1);
  let label = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1 || !core[s]) continue;
    const stack = [s];
    while (stack.length) {
      const i = stack.pop()!;
      if (labels[i] !== -1) continue;
      labels[i] = label;
      if (core[i]) for (const v of nbrs[i]!) if (labels[v] === -1) stack.push(v);
    }
    label++;
  }
  return { labels, core };
}

/** Blobs plus uniform noise; `lattice` > 0 rounds coordinates to multiples of it (ties, duplicates, distances exactly eps). */
function cloud(rng: Rng, n: number, blobs: number, spread: number, lattice: number): Points {
  const centres = Array.from({ length: blobs }, () => [rng.next() * spread, rng.next() * spread] as const);
  const data = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x: number, y: number;
    if (rng.next() < 0.15 || blobs === 0) {
      x = rng.next() * spread;
      y = rng.next() * spread;
    } else {
      const [cx, cy] = centres[rng.int(blobs)]!;
      const s = 0.3 + rng.next();
      x = cx + s * rng.normal();
      y = cy + s * rng.normal();
    }
    if (lattice > 0) {
      x = Math.round(x / lattice) * lattice;
      y = Math.round(y / lattice) * lattice;
    }
    data[2 * i] = x;
    data[2 * i + 1] = y;
  }
  return { data, n, dim: 2 };
}

function expectSame(p: Points, eps: number, minPts: number, what: string): void {
  const want = bruteDbscan(p, eps, minPts);
  const got = dbscan(p, eps, minPts);
  expect(Array.from(got.core), `${what}: core`).toEqual(Array.from(want.core));
  expect(Array.from(got.labels), `${what}: labels`).toEqual(Array.from(want.labels));
  expect(got.clusters, `${what}: clusters`).toBe(Math.max(-1, ...want.labels) + 1);
  expect(got.noise, `${what}: noise`).toBe(want.labels.filter((l) => l === -1).length);
}

describe("grid dbscan (2-D)", () => {
  it("dbscan(random 2-D clouds, eps, minPts) equals brute-force scikit-learn DBSCAN label for label, border ties included", () => {
    const rng = createRng(13);
    for (let t = 0; t < 60; t++) {
      const n = 50 + rng.int(700);
      const lattice = [0, 0, 0.05, 0.1, 0.25][t % 5]!;
      const p = cloud(rng, n, rng.int(6), 4 + rng.next() * 16, lattice);
      const minPts = [1, 2, 3, 4, 5, 8, 12][rng.int(7)]!;
      // on a lattice, eps a multiple of the spacing puts many pairs exactly at eps
      const eps = lattice > 0 ? lattice * (1 + rng.int(6)) : 0.05 + rng.next() * 0.8;
      expectSame(p, eps, minPts, `case ${t} (n ${n}, lattice ${lattice}, eps ${eps}, minPts ${minPts})`);
      if (t % 6 === 0) {
        // the radius-query path (kd-tree on a flat 3-D copy), which 2-D layouts used before the grid
        const flat3 = { data: Float64Array.from({ length: 3 * n }, (_, k) => (k % 3 === 2 ? 0 : p.data[2 * Math.floor(k / 3) + (k % 3)]!)), n, dim: 3 };
        expect(Array.from(dbscan(flat3, eps, minPts).labels), `case ${t}: kd-tree path`).toEqual(Array.from(dbscan(p, eps, minPts).labels));
      }
    }
  });

  it("dbscan(integer lattice, eps = spacing or its diagonal) counts pairs exactly at eps as neighbours", () => {
    const pts: number[] = [];
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) if ((x * 7 + y * 3) % 5 !== 0) pts.push(x, y);
    const p = { data: Float64Array.from(pts), n: pts.length / 2, dim: 2 };
    for (const eps of [1, Math.SQRT2, 2, Math.hypot(1, 2), 3]) for (const minPts of [1, 2, 4, 5, 6, 9]) expectSame(p, eps, minPts, `eps ${eps}, minPts ${minPts}`);
  });

  it("dbscan(duplicates) treats every copy as a neighbour", () => {
    const rng = createRng(5);
    const base = cloud(rng, 60, 2, 3, 0);
    const data = new Float64Array(2 * 300);
    for (let i = 0; i < 300; i++) {
      const j = rng.int(60);
      data[2 * i] = base.data[2 * j]!;
      data[2 * i + 1] = base.data[2 * j + 1]!;
    }
    const p = { data, n: 300, dim: 2 };
    for (const minPts of [1, 2, 5, 10]) for (const eps of [1e-9, 0.05, 0.3]) expectSame(p, eps, minPts, `eps ${eps}, minPts ${minPts}`);
  });

  it("dbscan(all noise) and dbscan(one cluster)", () => {
    const far = { data: Float64Array.from({ length: 200 }, (_, i) => (i % 2 ? 10 * Math.floor(i / 2) : 3 * i)), n: 100, dim: 2 };
    const r = dbscan(far, 1, 2);
    expect(r.clusters).toBe(0);
    expect(r.noise).toBe(100);
    expectSame(far, 1, 2, "all noise");
    const rng = createRng(9);
    const one = { data: Float64Array.from({ length: 2000 }, () => rng.next()), n: 1000, dim: 2 };
    const s = dbscan(one, 0.2, 5);
    expect(s.clusters).toBe(1);
    expect(s.noise).toBe(0);
    expectSame(one, 0.2, 5, "one cluster");
  });

  it("dbscan(a layout far wider than eps) uses the hashed cells and still agrees", () => {
    const rng = createRng(21);
    // 8 small clusters scattered over 10⁵ × 10⁵ with eps 0.5: ~10¹¹ grid cells, a few hundred occupied
    const data: number[] = [];
    for (let c = 0; c < 8; c++) {
      const cx = rng.next() * 1e5, cy = rng.next() * 1e5;
      for (let i = 0; i < 60; i++) data.push(cx + rng.normal() * 0.6, cy + rng.normal() * 0.6);
    }
    for (let i = 0; i < 100; i++) data.push(rng.next() * 1e5, rng.next() * 1e5);
    const p = { data: Float64Array.from(data), n: data.length / 2, dim: 2 };
    for (const minPts of [1, 3, 6]) expectSame(p, 0.5, minPts, `minPts ${minPts}`);
  });

  it("dbscan(Float32 layout) equals the Float64 copy", () => {
    const rng = createRng(3);
    const p = cloud(rng, 800, 4, 10, 0);
    const f = { data: Float32Array.from(p.data), n: p.n, dim: 2 };
    const wide = { data: Float64Array.from(f.data), n: p.n, dim: 2 };
    expect(Array.from(dbscan(f, 0.4, 6).labels)).toEqual(Array.from(bruteDbscan(wide, 0.4, 6).labels));
  });

  it("gridDbscan refuses (null) when a cell's points span more than eps, and dbscan falls back to radius queries", () => {
    // the cell side is eps/√2 · (1 + 1e-7): two points 0.7071068 apart on both axes share a cell but lie 1.00000004 apart
    const p = { data: Float64Array.from([0, 0, 0.7071068, 0.7071068, 0, 0.5, 5, 5]), n: 4, dim: 2 };
    expect(gridDbscan(p, 1, 2)).toBeNull();
    expectSame(p, 1, 2, "fallback");
  });
});
