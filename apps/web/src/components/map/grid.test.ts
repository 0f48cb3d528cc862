import { describe, expect, it } from "vitest";
import { buildGrid, insidePolygon, lassoSelect, nearest } from "./grid";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("grid", () => {
  const rnd = lcg(7);
  const n = 5000;
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) { xs[i] = rnd() * 100 - 50; ys[i] = rnd() * 40; }
  const g = buildGrid(xs, ys);

  it("buildGrid(xs, ys) indexes every point exactly once", () => {
    const seen = new Uint8Array(n);
    for (const i of g.items) seen[i]!++;
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it("nearest(g, x, y, r) equals a brute-force scan", () => {
    for (let q = 0; q < 200; q++) {
      const x = rnd() * 110 - 55, y = rnd() * 50 - 5, r = 2;
      let best = -1, bd = r * r;
      for (let i = 0; i < n; i++) { const d = (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2; if (d <= bd) { bd = d; best = i; } }
      const got = nearest(g, x, y, r);
      if (best === -1) expect(got).toBe(-1);
      else expect((xs[got]! - x) ** 2 + (ys[got]! - y) ** 2).toBeCloseTo(bd, 6);
    }
  });

  it("nearest honours the visibility filter", () => {
    const i = nearest(g, xs[0]!, ys[0]!, 1, (k) => k !== 0);
    expect(i).not.toBe(0);
  });

  it("lassoSelect(g, triangle) equals brute-force point-in-polygon", () => {
    const tri = [-40, 2, 30, 5, -10, 38];
    const want: number[] = [];
    for (let i = 0; i < n; i++) if (insidePolygon(tri, xs[i]!, ys[i]!)) want.push(i);
    expect(Array.from(lassoSelect(g, tri))).toEqual(want);
    expect(want.length).toBeGreaterThan(500);
  });

  it("lassoSelect with fewer than 3 vertices selects nothing; empty input builds an empty grid", () => {
    expect(lassoSelect(g, [0, 0, 1, 1]).length).toBe(0);
    const e = buildGrid(new Float32Array(0), new Float32Array(0));
    expect(nearest(e, 0, 0, 10)).toBe(-1);
  });

  it("buildGrid handles all points identical", () => {
    const same = buildGrid(new Float32Array([3, 3, 3]), new Float32Array([1, 1, 1]));
    expect(nearest(same, 3, 1, 0.1)).toBeGreaterThanOrEqual(0);
  });

  it("buildGrid rejects mismatched lengths", () => {
    expect(() => buildGrid(new Float32Array(2), new Float32Array(3))).toThrow(/equal length, got 2 and 3/);
  });
});
