// Choosing DBSCAN's eps from the data: the knee of the sorted k-distance curve (Ester et al. 1996
// suggest reading it off the plot by eye; we find it with the Kneedle rule of Satopää et al. 2011).
//
// Method: for every point take the distance to its k-th nearest other point, k = minPts − 1 (so a
// point at the knee distance has exactly minPts points, itself included, in its eps-ball). Sort
// ascending. Normalise rank and distance to [0, 1] and take the point furthest below the chord
// from the first to the last point: beyond it the curve turns steeply upward, which is where
// points stop being inside dense regions. The top 1% of distances are left out of the
// normalisation (far outliers otherwise flatten the curve and push the knee to the end).
import { KdTree } from "../neighbors/kdtree.js";
import { EngineInputError, type Points } from "../types.js";
import { checkPoints } from "./dbscan.js";

export interface EpsChoice {
  eps: number;
  /** k used for the k-distance curve (minPts − 1, at least 1). */
  k: number;
  /** Rank of the knee in the sorted curve. */
  kneeIndex: number;
  /** The sorted k-distances (ascending). */
  kDistances: Float64Array;
}

export function chooseEps(points: Points, minPts: number): EpsChoice {
  if (!Number.isInteger(minPts) || minPts < 1) {
    throw new EngineInputError("BAD_MIN_PTS", "minPts", `chooseEps: expected an integer minPts ≥ 1, got ${minPts}`);
  }
  checkPoints(points, "chooseEps");
  const { n } = points;
  if (n < 2) {
    throw new EngineInputError("TOO_FEW_POINTS", "points", `chooseEps: expected at least 2 points, got ${n}`);
  }
  const k = Math.min(Math.max(1, minPts - 1), n - 1);
  const { distances } = new KdTree(points).allKnn(k);
  const kd = new Float64Array(n);
  for (let i = 0; i < n; i++) kd[i] = distances[i * k + k - 1]!;
  kd.sort();
  const kneeIndex = kneeOf(kd);
  let eps = kd[kneeIndex]!;
  if (!(eps > 0)) {
    // Duplicates: the knee sits on zero distances. Take the smallest positive k-distance, or 1 when
    // every point coincides (then any eps puts them in one cluster).
    eps = 1;
    for (let i = 0; i < n; i++) {
      if (kd[i]! > 0) {
        eps = kd[i]!;
        break;
      }
    }
  }
  return { eps, k, kneeIndex, kDistances: kd };
}

/** Index of the knee of an ascending, convex-ish curve (Kneedle, difference to the chord). */
export function kneeOf(sorted: Float64Array): number {
  const n = sorted.length;
  if (n <= 2) return n - 1;
  const last = Math.max(1, Math.min(n - 1, Math.ceil(0.99 * (n - 1))));
  const y0 = sorted[0]!;
  const y1 = sorted[last]!;
  if (!(y1 > y0)) return last;
  let best = last;
  let bestGap = -Infinity;
  for (let i = 0; i <= last; i++) {
    const x = i / last;
    const y = (sorted[i]! - y0) / (y1 - y0);
    const gap = x - y;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}
