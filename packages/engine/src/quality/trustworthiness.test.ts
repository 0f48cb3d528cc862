import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { flat, loadFixture } from "../__tests__/fixtures.js";
import { trustworthiness } from "./trustworthiness.js";

interface Fx { n: number; dim: number; points: number[][]; poorLayout: number[][]; poorLayoutTrustworthiness10: number; sklearnTsneLayout: number[][]; sklearnLayoutTrustworthiness10Rounded: number }
const fx = loadFixture<Fx>("tsne.json");
const high = { data: flat(fx.points), n: fx.n, dim: fx.dim };

describe("trustworthiness", () => {
  it("trustworthiness(X, layout, k) equals scikit-learn's on tie-free data", () => {
    const c = loadFixture<{ n: number; dim: number; points: number[][]; layout: number[][]; trustworthiness5: number; trustworthiness10: number }>("trustworthiness.json");
    const x = { data: flat(c.points), n: c.n, dim: c.dim };
    const y = { data: flat(c.layout), n: c.n, dim: 2 };
    expectClose(trustworthiness(x, y, 5), c.trustworthiness5, 1e-12);
    expectClose(trustworthiness(x, y, 10), c.trustworthiness10, 1e-12);
  });

  it("trustworthiness(digits, layout, 10) is within 1e-4 of scikit-learn's (integer pixels tie; argsort order decides)", () => {
    expectClose(trustworthiness(high, { data: flat(fx.sklearnTsneLayout), n: fx.n, dim: 2 }, 10), fx.sklearnLayoutTrustworthiness10Rounded, 1e-4);
    expectClose(trustworthiness(high, { data: flat(fx.poorLayout), n: fx.n, dim: 2 }, 10), fx.poorLayoutTrustworthiness10, 1e-4);
  });

  it("trustworthiness(X, X, k) is 1", () => {
    const p = { data: Float64Array.from([0, 0, 1, 0, 0, 1, 3, 3, 5, 1, 2, 7, 9, 9]), n: 7, dim: 2 };
    expect(trustworthiness(p, p, 2)).toBe(1);
  });

  it("trustworthiness(X, layout, k) refuses k ≥ n/2 and mismatched rows", () => {
    const p = { data: new Float64Array(12), n: 6, dim: 2 };
    expect(() => trustworthiness(p, p, 3)).toThrow(/expected k in 1..2, got 3/);
    expect(() => trustworthiness(p, { data: new Float64Array(10), n: 5, dim: 2 }, 1)).toThrow(/expected 6 layout rows, got 5/);
  });
});
