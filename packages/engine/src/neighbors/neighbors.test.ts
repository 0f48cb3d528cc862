import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { Grid2D } from "./grid2d.js";
import { KdTree } from "./kdtree.js";
import { bruteForceKnn, knnGraph } from "./knn.js";
import { nnDescent } from "./nndescent.js";
import { IndexBuffer } from "./radius.js";

function blobs(n: number, dim: number, seed: number): { data: Float64Array; n: number; dim: number } {
  const rng = createRng(seed);
  const centres = Array.from({ length: 5 }, () => Array.from({ length: dim }, () => rng.normal() * 4));
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) data[i * dim + t] = centres[i % 5]![t]! + rng.normal();
  return { data, n, dim };
}

describe("neighbours", () => {
  it("nnDescent(points, k, rng) recovers ≥ 95% of the exact k nearest neighbours", () => {
    const p = blobs(1500, 12, 1);
    const exact = bruteForceKnn(p, 10);
    const approx = nnDescent(p, 10, createRng(2));
    let hits = 0;
    for (let i = 0; i < p.n; i++) {
      const truth = new Set(exact.indices.subarray(i * 10, i * 10 + 10));
      for (const j of approx.indices.subarray(i * 10, i * 10 + 10)) if (truth.has(j)) hits++;
      // rows come back nearest first, without self
      for (let t = 1; t < 10; t++) expect(approx.distances[i * 10 + t]!).toBeGreaterThanOrEqual(approx.distances[i * 10 + t - 1]!);
      expect(Array.from(approx.indices.subarray(i * 10, i * 10 + 10))).not.toContain(i);
    }
    expect(hits / (p.n * 10)).toBeGreaterThan(0.95);
  });

  it("nnDescent(points, k, rng) is deterministic for a seed", () => {
    const p = blobs(600, 8, 3);
    const a = nnDescent(p, 8, createRng(5));
    const b = nnDescent(p, 8, createRng(5));
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  });

  it("KdTree.allKnn(k) equals brute force", () => {
    for (const dim of [2, 7]) {
      const p = blobs(400, dim, 4);
      const exact = bruteForceKnn(p, 6);
      const tree = new KdTree(p).allKnn(6);
      expect(Array.from(tree.distances)).toEqual(Array.from(exact.distances));
    }
  });

  it("Grid2D and KdTree radius queries return exactly the points within the radius", () => {
    const p = blobs(500, 2, 6);
    const grid = new Grid2D(p, 0.7);
    const tree = new KdTree(p);
    const a = new IndexBuffer();
    const b = new IndexBuffer();
    for (let i = 0; i < p.n; i += 7) {
      grid.radiusNeighbors(i, 0.7, a);
      tree.radiusNeighbors(i, 0.7, b);
      const want: number[] = [];
      for (let j = 0; j < p.n; j++) if (Math.hypot(p.data[2 * i]! - p.data[2 * j]!, p.data[2 * i + 1]! - p.data[2 * j + 1]!) <= 0.7) want.push(j);
      expect(Array.from(a.data.subarray(0, a.length)).sort((x, y) => x - y)).toEqual(want);
      expect(Array.from(b.data.subarray(0, b.length)).sort((x, y) => x - y)).toEqual(want);
      expect(grid.radiusCount(i, 0.7)).toBe(want.length);
    }
  });

  it("knnGraph(points, k, rng) refuses k ≥ n and k < 1", () => {
    const p = blobs(5, 2, 7);
    expect(() => knnGraph(p, 5, createRng(0))).toThrow(/needs at least 6 points, got 5/);
    expect(() => knnGraph(p, 0, createRng(0))).toThrow(EngineInputError);
  });

  it("bruteForceKnn(points, k) equals the definition, ties to the lower index, past its locality window", () => {
    // 1200 rows (several kd leaves and windows of 256), rounded to a coarse lattice so that many
    // distances tie exactly, some rows duplicated
    const p = blobs(1200, 20, 8);
    for (let i = 0; i < p.data.length; i++) p.data[i] = Math.round(p.data[i]!);
    for (let i = 0; i < 40; i++) p.data.copyWithin((i * 29 + 3) * 20, (i * 31) * 20, (i * 31) * 20 + 20);
    const k = 15;
    const got = bruteForceKnn(p, k);
    for (let i = 0; i < p.n; i++) {
      const all: [number, number][] = [];
      for (let j = 0; j < p.n; j++) {
        if (j === i) continue;
        let s = 0;
        for (let t = 0; t < p.dim; t++) s += (p.data[i * p.dim + t]! - p.data[j * p.dim + t]!) ** 2;
        all.push([s, j]);
      }
      all.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(all.slice(0, k).map((e) => e[1]));
      expect(Array.from(got.distances.subarray(i * k, i * k + k))).toEqual(all.slice(0, k).map((e) => Math.sqrt(e[0])));
    }
  });

  it("bruteForceKnn(duplicate points, k) reports zero distances", () => {
    const p = { data: Float64Array.from([1, 1, 1, 1, 1, 1, 5, 5]), n: 4, dim: 2 };
    const g = bruteForceKnn(p, 2);
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([0, 0]);
  });
});
