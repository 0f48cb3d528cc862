import { describe, expect, it } from "vitest";
import { EngineInputError } from "../types.js";
import { allocate, largestRemainder } from "./allocation.js";

const arr = (a: Int32Array) => Array.from(a);

describe("largestRemainder", () => {
  it("largestRemainder(10, [1, 1, 1]) gives the spare unit to the lowest index on a tie", () => {
    expect(arr(largestRemainder(10, [1, 1, 1]))).toEqual([4, 3, 3]);
  });
  it("largestRemainder(10, [5, 3, 2]) is exact when quotas are integers", () => {
    expect(arr(largestRemainder(10, [5, 3, 2]))).toEqual([5, 3, 2]);
  });
  it("largestRemainder(7, [50, 30, 20]) rounds 3.5/2.1/1.4 by largest remainder", () => {
    // quotas 3.5, 2.1, 1.4 → floors 3,2,1 (6); spare to .5 → [4,2,1]
    expect(arr(largestRemainder(7, [50, 30, 20]))).toEqual([4, 2, 1]);
  });
  it("largestRemainder(3, [0, 1, 0]) gives nothing to zero weights", () => {
    expect(arr(largestRemainder(3, [0, 1, 0]))).toEqual([0, 3, 0]);
  });
});

describe("allocate", () => {
  it("allocate(10, [380, 120, 40], 'proportional') follows the pool mix", () => {
    // quotas 7.04, 2.22, 0.74 → floors 7,2,0; spare to 0.74 → [7,2,1]
    expect(arr(allocate(10, [380, 120, 40], "proportional"))).toEqual([7, 2, 1]);
  });
  it("allocate(9, [380, 120, 40], 'balanced') gives equal shares", () => {
    expect(arr(allocate(9, [380, 120, 40], "balanced"))).toEqual([3, 3, 3]);
  });
  it("allocate(10, [400, 100, 25], 'sqrt') shares by square root of size", () => {
    // sqrt weights 20, 10, 5 → quotas 5.71, 2.86, 1.43 → floors 5,2,1 (8); 2 spare go to .86, then .71
    expect(arr(allocate(10, [400, 100, 25], "sqrt"))).toEqual([6, 3, 1]);
  });
  it("allocate(12, [2, 50, 50], 'balanced') redistributes a small group's excess", () => {
    expect(arr(allocate(12, [2, 50, 50], "balanced"))).toEqual([2, 5, 5]);
  });
  it("allocate(12, [1, 2, 50], 'balanced') redistributes excess repeatedly", () => {
    // 4,4,4 → cap group 0 at 1 → 11 over [2,50] → 6,5 → cap group 1 at 2 → 9 to group 2
    expect(arr(allocate(12, [1, 2, 50], "balanced"))).toEqual([1, 2, 9]);
  });
  it("allocate(100, [3, 4], 'proportional') takes every group whole when the budget exceeds the pool", () => {
    expect(arr(allocate(100, [3, 4], "proportional"))).toEqual([3, 4]);
  });
  it("allocate(2, [5, 5, 5, 5], 'balanced') sums to the budget even when groups outnumber it", () => {
    const a = allocate(2, [5, 5, 5, 5], "balanced");
    expect(a.reduce((s, x) => s + x, 0)).toBe(2);
    expect(arr(a)).toEqual([1, 1, 0, 0]);
  });
  it("allocate(n, sizes, rule) always sums to min(n, Σ sizes) and respects every size", () => {
    const sizes = [7, 1, 0, 13, 2, 30];
    for (const rule of ["proportional", "balanced", "sqrt"] as const) {
      for (let n = 0; n <= 60; n++) {
        const a = allocate(n, sizes, rule);
        expect(a.reduce((s, x) => s + x, 0)).toBe(Math.min(n, 53));
        a.forEach((x, g) => expect(x).toBeLessThanOrEqual(sizes[g]!));
      }
    }
  });
  it("allocate(-1, [3], 'balanced') throws BAD_BUDGET", () => {
    expect(() => allocate(-1, [3], "balanced")).toThrow(EngineInputError);
  });
});
