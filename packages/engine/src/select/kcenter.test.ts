import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import type { Points } from "../types.js";
import { allocateSharedMatrix, createDotKernel, createRowDotKernel } from "./dot-kernel.js";
import { kCenterGreedy } from "./kcenter.js";

/** The textbook loop, for comparison: O(k·n·dim), direct squared differences. */
function naiveKCenter(p: Points, k: number, first: number): number[] {
  const minD = new Float64Array(p.n).fill(Infinity);
  const order = [first];
  let next = first;
  for (let s = 1; s < k; s++) {
    minD[next] = -1;
    let best = -1;
    let bestD = -1;
    for (let i = 0; i < p.n; i++) {
      if (minD[i]! >= 0) {
        let d = 0;
        for (let t = 0; t < p.dim; t++) d += (p.data[i * p.dim + t]! - p.data[next * p.dim + t]!) ** 2;
        if (d < minD[i]!) minD[i] = d;
      }
      if (minD[i]! > bestD) {
        bestD = minD[i]!;
        best = i;
      }
    }
    order.push(best);
    next = best;
  }
  return order;
}

function clustered(n: number, dim: number, clusters: number, seed: number): Points {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => rng.normal() * 10));
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(clusters)]!;
    for (let t = 0; t < dim; t++) data[i * dim + t] = c[t]! + rng.normal() * (0.5 + (i % 3));
  }
  return { data, n, dim };
}

describe("kCenterGreedy", () => {
  it("kCenterGreedy(clustered points, 60) picks exactly what the plain farthest-first loop picks", () => {
    const p = clustered(6000, 12, 8, 3); // 72 000 float32 values: the SIMD kernel runs
    expect(Array.from(kCenterGreedy(p, 60, undefined, { first: 5 }).order)).toEqual(naiveKCenter(p, 60, 5));
  });

  it("kCenterGreedy(iid noise, 40) picks exactly what the plain loop picks", () => {
    const rng = createRng(4);
    const p: Points = { data: Float64Array.from({ length: 800 * 30 }, () => rng.normal()), n: 800, dim: 30 };
    expect(Array.from(kCenterGreedy(p, 40).order)).toEqual(naiveKCenter(p, 40, 0));
  });

  it("kCenterGreedy(float32 points, k) gives the same picks and radii with and without the SIMD kernel", () => {
    // 3000 × 37 = 111 000 values ≥ 65 536, so the kernel is used; 37 exercises the dim mod 4 tail.
    const p = clustered(3000, 37, 10, 8);
    const simd = kCenterGreedy(p, 80, undefined, { first: 3 });
    const plain = kCenterGreedy(p, 80, undefined, { first: 3, simd: false });
    expect(Array.from(simd.order)).toEqual(Array.from(plain.order));
    expect(Array.from(simd.radius)).toEqual(Array.from(plain.radius));
    const rows = Array.from({ length: 2500 }, (_, i) => (i * 7) % 3000);
    const sub = kCenterGreedy(p, 40, rows, { first: 0 });
    expect(Array.from(sub.order)).toEqual(Array.from(kCenterGreedy(p, 40, rows, { first: 0, simd: false }).order));
  });

  it("createDotKernel(m, dim) computes x·c bit-identically to the double-precision loop", () => {
    const rng = createRng(2);
    const dim = 13;
    const X = Float32Array.from({ length: 5 * dim }, () => rng.normal());
    const k = createDotKernel(5, dim, (v) => v.set(X));
    expect(k).not.toBeNull();
    const c = Float64Array.from({ length: dim }, (_, t) => X[2 * dim + t]!);
    k!.setCentre(c);
    for (let i = 0; i < 5; i++) {
      let [s0, s1, s2, s3, t] = [0, 0, 0, 0, 0];
      for (; t + 4 <= dim; t += 4) {
        s0 += X[i * dim + t]! * c[t]!;
        s1 += X[i * dim + t + 1]! * c[t + 1]!;
        s2 += X[i * dim + t + 2]! * c[t + 2]!;
        s3 += X[i * dim + t + 3]! * c[t + 3]!;
      }
      for (; t < dim; t++) s0 += X[i * dim + t]! * c[t]!;
      expect(k!.dot(i)).toBe(s0 + s1 + s2 + s3);
    }
  });

  it("kCenterGreedy(points on a line, 3) takes the start, then the far end, then the middle", () => {
    const p: Points = { data: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), n: 9, dim: 1 };
    const r = kCenterGreedy(p, 3, undefined, { first: 0 });
    expect(Array.from(r.order)).toEqual([0, 8, 4]);
    expect(Array.from(r.radius)).toEqual([Infinity, 64, 16]);
  });

  it("kCenterGreedy(points, k, rows) returns positions within rows", () => {
    const p: Points = { data: Float64Array.from([0, 100, 1, 2, 50]), n: 5, dim: 1 };
    expect(Array.from(kCenterGreedy(p, 2, [0, 2, 3], { first: 0 }).order)).toEqual([0, 2]);
  });

  it("kCenterGreedy(duplicates, k) returns distinct positions", () => {
    const p: Points = { data: new Float64Array(10), n: 10, dim: 1 };
    expect(new Set(kCenterGreedy(p, 10).order).size).toBe(10);
  });

  it("on a shared matrix the kernel reads rows in place, with the copying kernel's products and picks", () => {
    // 3000 × 37: the kernel runs; rows a scattered subset, as a class of a larger pool
    const p = clustered(3000, 37, 10, 8);
    const data = allocateSharedMatrix(p.n, p.dim);
    expect(data.buffer).toBeInstanceOf(SharedArrayBuffer);
    data.set(p.data);
    const q: Points = { data, n: p.n, dim: p.dim };
    const rows = Array.from({ length: 2500 }, (_, i) => (i * 7) % 3000);
    const inPlace = createRowDotKernel(q, rows.length, rows)!;
    const copied = createRowDotKernel(p, rows.length, rows)!;
    expect(inPlace.inPlace).toBe(true);
    expect(copied.inPlace).toBe(false);
    const c = Float64Array.from({ length: p.dim }, (_, t) => Math.sin(t) * 3);
    inPlace.setCentre(c);
    copied.setCentre(c);
    for (let i = 0; i < rows.length; i += 13) expect(inPlace.dot(i)).toBe(copied.dot(i));
    inPlace.release();
    copied.release();
    for (const sub of [rows, undefined]) {
      const a = kCenterGreedy(q, 50, sub, { first: 4 });
      const b = kCenterGreedy(p, 50, sub, { first: 4 });
      const plain = kCenterGreedy(p, 50, sub, { first: 4, simd: false });
      expect(Array.from(a.order)).toEqual(Array.from(b.order));
      expect(Array.from(a.radius)).toEqual(Array.from(b.radius));
      expect(Array.from(a.order)).toEqual(Array.from(plain.order));
    }
  });

  it("a shared matrix's centre slots are given back: many kernels in a row never run out", () => {
    const data = allocateSharedMatrix(2000, 40);
    const q: Points = { data, n: 2000, dim: 40 };
    for (let i = 0; i < 200; i++) {
      const k = createRowDotKernel(q, 2000)!;
      expect(k.inPlace).toBe(true);
      k.release();
    }
    // held at once: the first 72 in place, then copies (still correct)
    const held = Array.from({ length: 80 }, () => createRowDotKernel(q, 2000)!);
    expect(held.filter((k) => k.inPlace).length).toBe(72);
    for (const k of held) k.release();
  });
});
