import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { symmetricEigen } from "./eigen.js";

describe("symmetricEigen", () => {
  it("symmetricEigen(a, d) returns descending eigenpairs with A·v = λ·v", () => {
    const d = 6;
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = Math.sin(i * 7 + j * 3) + (i === j ? 3 : 0);
    const { values, vectors } = symmetricEigen(a, d);
    for (let r = 0; r < d; r++) {
      if (r > 0) expect(values[r]!).toBeLessThanOrEqual(values[r - 1]!);
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors[r * d + j]!;
        expectClose(av, values[r]! * vectors[r * d + i]!, 1e-10);
      }
    }
  });

  it("symmetricEigen(diagonal, d) returns the diagonal sorted, with unit vectors", () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([1, 0, 0, 0, 5, 0, 0, 0, 3]), 3);
    expect(Array.from(values)).toEqual([5, 3, 1]);
    expect(Array.from(vectors.subarray(0, 3))).toEqual([0, 1, 0]);
  });

  it("symmetricEigen(a, d) refuses a matrix of the wrong size", () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/expected 4 entries, got 5/);
  });
});
