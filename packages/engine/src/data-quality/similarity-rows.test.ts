import { describe, expect, it } from "vitest";
import { exactSimilar, similarityToRows } from "./index.js";

describe("similarityToRows", () => {
  const points = { n: 4, dim: 2, data: new Float32Array([1, 0, 0, 2, 1, 1, -3, 0]) };
  it("gives the cosine of the query to each named row, NaN for -1", () => {
    const s = similarityToRows(points, 0, [3, 0, 1, 2, -1]);
    expect(Array.from(s.slice(0, 4)).map((v) => +v.toFixed(6))).toEqual([-1, 1, 0, +(Math.SQRT1_2).toFixed(6)]);
    expect(Number.isNaN(s[4])).toBe(true);
  });
  it("agrees with exact search for a vector query", () => {
    const q = [0.3, 0.9];
    const s = similarityToRows(points, q, [0, 1, 2, 3]);
    const top = exactSimilar(points, q, 4, { exclude: -1 });
    expect(top.scores[0]).toBeCloseTo(Math.max(...s), 6);
  });
});
