import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { FftRepulsion } from "./fft-repulsion.js";
import { layoutBox } from "./layout-box.js";

/** Exact O(n²) repulsion: Σ_j q²·(y_i − y_j) per point and Z = Σ_{i≠j} q. */
function exactRepulsion(y: Float64Array, n: number): { rep: Float64Array; z: number } {
  const rep = new Float64Array(2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i]! - y[2 * j]!, dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      rep[2 * i] = rep[2 * i]! + q * q * dx;
      rep[2 * i + 1] = rep[2 * i + 1]! + q * q * dy;
    }
  }
  return { rep, z };
}

/** Three Gaussian blobs of different sizes, `spread` apart: t-SNE-like layouts. */
/** The force field's error relative to its size: ‖rep − exact‖ / ‖exact‖. */
function fieldError(rep: Float64Array, exact: Float64Array): number {
  let err = 0, norm = 0;
  for (let t = 0; t < rep.length; t++) {
    err += (rep[t]! - exact[t]!) ** 2;
    norm += exact[t]! ** 2;
  }
  return Math.sqrt(err / norm);
}

function blobs(n: number, spread: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const centres = [[0, 0], [spread, spread / 3], [-spread / 2, spread]];
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 3]!;
    const s = 1 + (i % 3) * 2;
    y[2 * i] = c[0]! + s * rng.normal();
    y[2 * i + 1] = c[1]! + s * rng.normal();
  }
  return y;
}

describe("FftRepulsion", () => {
  it.each([
    ["compact (minimum grid)", 5],
    ["spread out (grid grows with the spread)", 80],
  ])("compute() matches exact repulsion on 400 points, %s", (_name, spread) => {
    const n = 400;
    const y = blobs(n, spread, 1);
    const exact = exactRepulsion(y, n);
    const rep = new Float64Array(2 * n);
    const fr = new FftRepulsion(n);
    const z = fr.compute(y, n, rep);
    expect(Math.abs(z - exact.z) / exact.z).toBeLessThan(5e-3);
    expect(fieldError(rep, exact.rep)).toBeLessThan(1e-2);
    expect(fr.intervals).toBeGreaterThanOrEqual(Math.max(50, Math.ceil(spread)));
  });

  it("compute() on a tiny layout uses fewer than minIntervals intervals, none narrower than finestInterval, and stays accurate", () => {
    const n = 400;
    const y = blobs(n, 5, 1).map((v) => v * 0.1); // ~3 units wide, like early exaggeration
    const width = layoutBox(y, n).span;
    const exact = exactRepulsion(y, n);
    const rep = new Float64Array(2 * n);
    const fr = new FftRepulsion(n);
    const z = fr.compute(y, n, rep);
    expect(fr.intervals).toBeLessThan(50);
    expect(fr.intervals).toBeGreaterThanOrEqual(Math.ceil(width / 0.25));
    expect(Math.abs(z - exact.z) / exact.z).toBeLessThan(5e-3);
    expect(fieldError(rep, exact.rep)).toBeLessThan(1e-2);
  });

  it("compute() is deterministic and independent of earlier calls on other layouts", () => {
    const n = 300;
    const a = blobs(n, 10, 2);
    const fr = new FftRepulsion(n);
    const first = new Float64Array(2 * n);
    const z1 = fr.compute(a, n, first);
    fr.compute(blobs(n, 200, 3), n, new Float64Array(2 * n)); // a larger grid in between
    const again = new Float64Array(2 * n);
    const z2 = fr.compute(a, n, again);
    expect(z2).toBe(z1);
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });

  it("refuses grid settings it cannot honour", () => {
    expect(() => new FftRepulsion(10, { maxGrid: 1000 })).toThrow(/fft.maxGrid to be 2\^a, 3·2\^a or 5·2\^a and ≥ 6, got 1000/);
    expect(() => new FftRepulsion(10, { minIntervals: 0 })).toThrow(EngineInputError);
    expect(() => new FftRepulsion(10, { intervalSize: -1 })).toThrow(/fft.intervalSize > 0, got -1/);
    expect(() => new FftRepulsion(10, { finestInterval: 0 })).toThrow(/fft.finestInterval > 0, got 0/);
  });
});
