import { describe, expect, it } from "vitest";
import { exclusiveIntersections, jaccard, popcount } from "./sets";

describe("sets", () => {
  it("exclusiveIntersections([A, B, C]) counts each exact membership once", () => {
    const m = exclusiveIntersections([["a", "b", "c"], ["b", "c", "d"], ["c", "e"]]);
    expect(m.get(0b001)).toBe(1); // a
    expect(m.get(0b011)).toBe(1); // b
    expect(m.get(0b111)).toBe(1); // c
    expect(m.get(0b010)).toBe(1); // d
    expect(m.get(0b100)).toBe(1); // e
    expect([...m.values()].reduce((x, y) => x + y, 0)).toBe(5);
  });
  it("jaccard(A, B) is |A∩B|/|A∪B| and 1 for two empty sets", () => {
    expect(jaccard(new Set(["a", "b"]), new Set(["b", "c"]))).toBeCloseTo(1 / 3, 12);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });
  it("popcount counts bits; too many sets is a RangeError", () => {
    expect(popcount(0b1011)).toBe(3);
    expect(() => exclusiveIntersections(Array.from({ length: 31 }, () => []))).toThrow(RangeError);
  });
});
