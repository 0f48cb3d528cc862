// Stratified random sample: each class's budget shared across the values of one metadata column in
// proportion to their frequency (largest remainder), random within each stratum. Unknown values
// (null or "") form their own stratum.
import { createRng } from "../rng.js";
import { allocate } from "./allocation.js";
import { compareStrings, deriveSeed, sampleWithoutReplacement } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { GroupAllocation, StrategyPick } from "./types.js";

export const UNKNOWN_STRATUM = "(unknown)";

export function selectStratified(ctx: StrategyContext): { picks: StrategyPick[]; allocation: GroupAllocation[] } {
  const column = ctx.params.stratifyColumn!;
  const values = ctx.input.metadata![column]!;
  const byValue = new Map<string, number[]>();
  for (const row of ctx.rows) {
    const v = values[row];
    const key = v === null || v === undefined || v === "" ? UNKNOWN_STRATUM : v;
    let list = byValue.get(key);
    if (!list) byValue.set(key, (list = []));
    list.push(row);
  }
  const keys = [...byValue.keys()].sort(compareStrings);
  const sizes = keys.map((k) => byValue.get(k)!.length);
  const shares = allocate(ctx.budget, sizes, "proportional");
  const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x737472));
  // Interleave strata round-robin so every prefix of the class's picks stays close to balanced.
  const perStratum = keys.map((_, s) => sampleWithoutReplacement(byValue.get(keys[s]!)!, shares[s]!, rng.next));
  const picks: StrategyPick[] = [];
  for (let r = 0; picks.length < ctx.budget; r++) {
    for (let s = 0; s < keys.length; s++) {
      const row = perStratum[s]![r];
      if (row === undefined) continue;
      picks.push({
        row,
        group: s,
        groupKey: `${column}=${keys[s]}`,
        reason: `stratum ${column}=${keys[s]} of ${ctx.label} (${sizes[s]} of ${ctx.rows.length}), random draw ${r + 1} of ${shares[s]}`,
      });
    }
  }
  return { picks, allocation: keys.map((_, s) => ({ group: s, pool: sizes[s]!, share: shares[s]! })) };
}
