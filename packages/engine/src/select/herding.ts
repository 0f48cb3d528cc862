// Herding (Welling 2009; the exemplar rule of iCaRL, Rebuffi et al. 2017): add, one at a time, the
// point that brings the mean of the chosen set closest to the class mean.
import { centroid, fmt } from "./common.js";
import type { StrategyContext } from "./context.js";
import type { StrategyPick } from "./types.js";

export function selectHerding(ctx: StrategyContext): StrategyPick[] {
  const { rows, points, budget } = ctx;
  const { data, dim } = points;
  const m = rows.length;
  const mu = centroid(points, rows);
  const sum = new Float64Array(dim); // sum of chosen points
  const target = new Float64Array(dim);
  const taken = new Uint8Array(m);
  const picks: StrategyPick[] = [];
  for (let t = 1; t <= budget; t++) {
    // Minimise ‖μ − (sum + x)/t‖² ⇔ minimise ‖t·μ − sum − x‖²; ties to the lower row.
    for (let j = 0; j < dim; j++) target[j] = t * mu[j]! - sum[j]!;
    let best = -1;
    let bestD = Infinity;
    for (let r = 0; r < m; r++) {
      if (taken[r]) continue;
      const o = rows[r]! * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const d = target[j]! - data[o + j]!;
        s += d * d;
      }
      if (s < bestD) {
        bestD = s;
        best = r;
      }
    }
    taken[best] = 1;
    const o = rows[best]! * dim;
    for (let j = 0; j < dim; j++) sum[j]! += data[o + j]!;
    picks.push({
      row: rows[best]!,
      group: null,
      groupKey: null,
      reason: `herding step ${t} of ${budget} in ${ctx.label}: selection mean within ${fmt(Math.sqrt(bestD) / t, 3)} of class mean`,
    });
  }
  return picks;
}
