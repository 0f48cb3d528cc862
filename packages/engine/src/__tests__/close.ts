import { expect } from "vitest";

/** The one float-tolerance helper of the engine's tests: |actual − expected| ≤ tol (absolute). */
export function expectClose(actual: number, expected: number, tol = 1e-9): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`expected ${actual} to be within ${tol} of ${expected}`);
  }
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) expect.fail(`at [${i}]: expected ${actual[i]} to be within ${tol} of ${expected[i]}`);
  }
}
