// Sharing a class's budget across its groups: proportional, balanced or sqrt weights, rounded by
// largest remainder, with any excess over a group's size given to the others (water-filling).
import { EngineInputError } from "../types.js";
import type { Allocation } from "./types.js";

/** Weight of a group of `size` under each allocation rule. */
export function allocationWeight(rule: Allocation, size: number): number {
  if (size <= 0) return 0;
  switch (rule) {
    case "proportional":
      return size;
    case "balanced":
      return 1;
    case "sqrt":
      return Math.sqrt(size);
  }
}

/**
 * largestRemainder(budget, weights) splits the integer `budget` into integer shares proportional
 * to `weights`: floors first, then one more unit each to the largest fractional parts. Ties go to the
 * larger weight, then to the lower index, so the result is deterministic. Zero weights get 0.
 */
export function largestRemainder(budget: number, weights: ArrayLike<number>): Int32Array {
  const k = weights.length;
  const out = new Int32Array(k);
  let total = 0;
  for (let g = 0; g < k; g++) total += weights[g]!;
  if (budget <= 0 || total <= 0) return out;
  const frac = new Float64Array(k);
  let given = 0;
  for (let g = 0; g < k; g++) {
    const q = (budget * weights[g]!) / total;
    // Guard against q = 2.9999999 from rounding error.
    const f = Math.floor(q + 1e-9);
    out[g] = f;
    frac[g] = q - f;
    given += f;
  }
  const order = Array.from({ length: k }, (_, g) => g).filter((g) => weights[g]! > 0);
  order.sort((a, b) => frac[b]! - frac[a]! || weights[b]! - weights[a]! || a - b);
  for (let r = 0; given < budget && order.length > 0; r = (r + 1) % order.length) {
    out[order[r]!]!++;
    given++;
  }
  return out;
}

/**
 * allocate(budget, sizes, rule) shares `budget` across groups of the given sizes. No group gets more
 * than its size: when a share exceeds a group's size, that group is capped and the remaining budget
 * is shared again among the others with the same rule, until no share exceeds its group.
 * The shares sum to min(budget, Σ sizes).
 */
export function allocate(budget: number, sizes: ArrayLike<number>, rule: Allocation): Int32Array {
  if (!Number.isInteger(budget) || budget < 0) {
    throw new EngineInputError("BAD_BUDGET", "budget", `expected a non-negative integer budget, got ${budget}`);
  }
  const k = sizes.length;
  for (let g = 0; g < k; g++) {
    const s = sizes[g]!;
    if (!Number.isInteger(s) || s < 0) throw new EngineInputError("BAD_SIZE", `sizes[${g}]`, `expected a non-negative integer group size, got ${s}`);
  }
  const out = new Int32Array(k);
  const capped = new Uint8Array(k);
  let remaining = budget;
  for (;;) {
    const weights = new Float64Array(k);
    for (let g = 0; g < k; g++) if (!capped[g]) weights[g] = allocationWeight(rule, sizes[g]!);
    const share = largestRemainder(remaining, weights);
    let over = false;
    for (let g = 0; g < k; g++) {
      if (!capped[g] && share[g]! >= sizes[g]!) {
        // Cap every group whose share reaches its size; re-share what is left among the rest.
        capped[g] = 1;
        out[g] = sizes[g]!;
        remaining -= sizes[g]!;
        if (share[g]! > sizes[g]!) over = true;
      }
    }
    if (!over) {
      // Nothing exceeded its group (groups that exactly reached it are already fixed): done.
      for (let g = 0; g < k; g++) if (!capped[g]) out[g] = share[g]!;
      break;
    }
    // Some share exceeded its group: remaining > 0 is re-shared among the uncapped groups.
  }
  return out;
}
