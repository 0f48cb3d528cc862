import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { flat, loadFixture } from "../__tests__/fixtures.js";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { pca } from "./pca.js";

interface PcaFixture {
  n: number; dim: number; points: number[][]; components: number[][]; svdVt: number[][];
  explainedVariance: number[]; explainedVarianceRatio: number[]; projected: number[][];
}
const fx = loadFixture<PcaFixture>("pca.json");
const points = { data: flat(fx.points), n: fx.n, dim: fx.dim };

/** |a · b| for unit vectors: 1 when equal up to sign. */
function absCos(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return Math.abs(s) / Math.sqrt(na * nb);
}

describe("pca", () => {
  for (const method of ["exact", "randomized"] as const) {
    it(`pca(points, {method: "${method}"}) matches an SVD of the centred data up to sign`, () => {
      const r = pca(points, { components: 5, method, rng: createRng(1) });
      for (let c = 0; c < 5; c++) {
        const ours = r.components.subarray(c * fx.dim, (c + 1) * fx.dim);
        expectClose(absCos(ours, fx.svdVt[c]!), 1, 1e-6);
        expectClose(absCos(ours, fx.components[c]!), 1, 1e-6);
        expectClose(r.explainedVariance[c]!, fx.explainedVariance[c]!, 1e-6 * fx.explainedVariance[0]!);
        expectClose(r.explainedVarianceRatio[c]!, fx.explainedVarianceRatio[c]!, 1e-7);
        // projections agree up to the same sign
        const sign = Math.sign(ours[0]! * fx.components[c]![0]!);
        for (let i = 0; i < fx.n; i += 17) expectClose(r.projected[i * 5 + c]!, sign * fx.projected[i]![c]!, 1e-5);
      }
      expect(r.method).toBe(method);
    });
  }

  it("pca(float32 points) gives the same axes as float64", () => {
    const r64 = pca(points, { components: 2 });
    const r32 = pca({ data: Float32Array.from(points.data), n: fx.n, dim: fx.dim }, { components: 2 });
    expectClose(absCos(r32.components.subarray(0, fx.dim), r64.components.subarray(0, fx.dim)), 1, 1e-5);
  });

  it("pca(points, {components}) refuses 0 or more components than min(n, dim)", () => {
    expect(() => pca(points, { components: 0 })).toThrow(EngineInputError);
    expect(() => pca(points, { components: 13 })).toThrow(/expected components in 1..12, got 13/);
  });

  it("pca(empty points) refuses", () => {
    expect(() => pca({ data: new Float64Array(0), n: 0, dim: 3 }, { components: 1 })).toThrow(/at least 1 point/);
  });

  it("pca(identical points) returns zero variance instead of NaN", () => {
    const same = { data: new Float64Array(30).fill(2), n: 10, dim: 3 };
    const r = pca(same, { components: 2 });
    expect(Array.from(r.explainedVariance)).toEqual([0, 0]);
    expect(Array.from(r.explainedVarianceRatio)).toEqual([0, 0]);
    expect(r.projected.every((v) => v === 0)).toBe(true);
  });
});

describe("pca over a row subset (options.rows)", () => {
  /** The same numbers as bits: a mismatch in the last place fails. */
  const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

  for (const method of ["exact", "randomized"] as const) {
    it(`${method}: rows of a larger float32 matrix give the bytes of PCA of the copied rows`, () => {
      const rng = createRng(9);
      const n = 300;
      const dim = 24;
      const data = Float32Array.from({ length: n * dim }, () => rng.normal() * 2 + 0.5);
      // every third row and then a few out of order: a class's rows of a shared matrix
      const rows = Int32Array.from([...Array.from({ length: 80 }, (_, i) => i * 3 + 1), 299, 5, 0]);
      const copy = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => copy.set(data.subarray(r * dim, r * dim + dim), i * dim));
      const a = pca({ data: copy, n: rows.length, dim }, { components: 6, method, rng: createRng(4) });
      const b = pca({ data, n, dim }, { components: 6, method, rng: createRng(4), rows });
      for (const key of ["components", "mean", "explainedVariance", "explainedVarianceRatio", "projected"] as const) {
        expect(bits(b[key]), key).toBe(bits(a[key]));
      }
      expect(b.k).toBe(a.k);
    });
  }

  it("refuses rows outside the matrix", () => {
    const data = new Float32Array(10 * 4).fill(1);
    expect(() => pca({ data, n: 10, dim: 4 }, { components: 2, rows: [0, 10] })).toThrow(EngineInputError);
  });
});
