// Herding (Welling 2009; the exemplar rule of iCaRL, Rebuffi et al. 2017): add, one at a time, the
// point that brings the mean of the chosen set closest to the class mean.
//
// Each step's argmin is that of the exact distances ‖target − x‖² summed row by row in double precision.
// On large float32 inputs a first pass bounds every distance through the SIMD dot kernel (norm form
// ‖x‖² − 2·x·target + ‖target‖², with a rounding bound), and only the rows whose bound reaches the
// smallest upper bound are summed exactly: the same picks and the same distances as summing every row.
import { centroid, fmt } from "./common.js";
import type { StrategyContext } from "./context.js";
import { createRowDotKernel, type RowDotKernel } from "./dot-kernel.js";
import type { StrategyPick } from "./types.js";

/**
 * |norm form − exact sum| ≤ BOUND · (‖x‖ + ‖target‖)²: rounding of three double-precision sums of dim
 * terms is at most ~(dim + 3)·2⁻⁵³ of that (≈ 1e-13 at dim 768); 1e-10 leaves room to dim ~ 500k.
 */
const BOUND = 1e-10;

export function selectHerding(ctx: StrategyContext): StrategyPick[] {
  const { rows, points } = ctx;
  const m = rows.length;
  const useKernel = points.data instanceof Float32Array && m * points.dim >= 65_536;
  const kernel = useKernel ? createRowDotKernel(points, m, rows) : null;
  try {
    return herding(ctx, kernel);
  } finally {
    kernel?.release();
  }
}

function herding(ctx: StrategyContext, kernel: RowDotKernel | null): StrategyPick[] {
  const { rows, points, budget } = ctx;
  const { data, dim } = points;
  const m = rows.length;
  const mu = centroid(points, rows);
  const sum = new Float64Array(dim); // sum of chosen points
  const target = new Float64Array(dim);
  const taken = new Uint8Array(m);
  const picks: StrategyPick[] = [];
  /** Exact ‖target − x_r‖², summed in column order (the reference every path agrees with). */
  const exact = (r: number): number => {
    const o = rows[r]! * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = target[j]! - data[o + j]!;
      s += d * d;
    }
    return s;
  };
  let sq: Float64Array | null = null;
  let nrm: Float64Array | null = null;
  let lower: Float64Array | null = null;
  if (kernel) {
    sq = new Float64Array(m);
    nrm = new Float64Array(m);
    lower = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const o = rows[r]! * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += data[o + j]! * data[o + j]!;
      sq[r] = s;
      nrm[r] = Math.sqrt(s);
    }
  }
  for (let t = 1; t <= budget; t++) {
    // Minimise ‖μ − (sum + x)/t‖² ⇔ minimise ‖t·μ − sum − x‖²; ties to the lower row.
    for (let j = 0; j < dim; j++) target[j] = t * mu[j]! - sum[j]!;
    let best = -1;
    let bestD = Infinity;
    if (kernel) {
      let tt = 0;
      for (let j = 0; j < dim; j++) tt += target[j]! * target[j]!;
      const tn = Math.sqrt(tt);
      kernel.setCentre(target);
      // pass 1: bounds; the least upper bound caps the minimum
      let upper = Infinity;
      for (let r = 0; r < m; r++) {
        if (taken[r]) continue;
        const a = sq![r]! - 2 * kernel.dot(r) + tt;
        const w = nrm![r]! + tn;
        const b = BOUND * w * w;
        lower![r] = a - b;
        if (a + b < upper) upper = a + b;
      }
      // pass 2: exact sums of the rows that can reach it, in row order (same tie-break as one pass)
      for (let r = 0; r < m; r++) {
        if (taken[r] || lower![r]! > upper) continue;
        const s = exact(r);
        if (s < bestD) {
          bestD = s;
          best = r;
        }
      }
    } else {
      for (let r = 0; r < m; r++) {
        if (taken[r]) continue;
        const s = exact(r);
        if (s < bestD) {
          bestD = s;
          best = r;
        }
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
