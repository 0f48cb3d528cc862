// Moderate coreset (Xia et al., ICLR 2023): keep the points whose distance to the class centre is
// closest to the median distance — neither the easiest (central) nor the hardest (outlying) ones.
import { centroid, fmt, sortRowsBy, sqDistToVec } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { StrategyPick } from "./types.js";

export function selectModerate(ctx: StrategyContext): StrategyPick[] {
  const { rows, points } = ctx;
  const m = rows.length;
  const c = centroid(points, rows);
  const dist = new Float64Array(m);
  for (let r = 0; r < m; r++) dist[r] = Math.sqrt(sqDistToVec(points, rows[r]!, c));
  const sorted = Float64Array.from(dist).sort();
  const median = m % 2 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const gap = new Float64Array(m);
  for (let r = 0; r < m; r++) gap[r] = Math.abs(dist[r]! - median);
  const order = sortRowsBy(rows, gap).slice(0, ctx.budget);
  return order.map((pos) => ({
    row: rows[pos]!,
    group: null,
    groupKey: null,
    reason: `distance to ${ctx.label} centre ${fmt(dist[pos]!, 3)}, median ${fmt(median, 3)}`,
  }));
}
