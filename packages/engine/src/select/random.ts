// Uniform random sample per class: the baseline every method must beat.
import { createRng } from "../rng.js";
import { deriveSeed, sampleWithoutReplacement } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { StrategyPick } from "./types.js";

export function selectRandom(ctx: StrategyContext): StrategyPick[] {
  const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x726e64));
  const chosen = sampleWithoutReplacement(ctx.rows, ctx.budget, rng.next);
  return chosen.map((row, i) => ({
    row,
    group: null,
    groupKey: null,
    reason: `random draw ${i + 1} of ${chosen.length} from ${ctx.label} (pool ${ctx.rows.length})`,
  }));
}
