// k-center greedy (Gonzalez 1985; the "core-set" of Sener & Savarese 2018): start from one point,
// then repeatedly add the point farthest from everything chosen so far. A 2-approximation of the
// minimax cover radius; every prefix of the order is itself a greedy cover.
import type { Points, ProgressFn } from "../types.js";
import { deriveSeed, fmt } from "./common.js";
import { createRowDotKernel, type RowDotKernel } from "./dot-kernel.js";
import { createRng } from "../rng.js";
import type { StrategyPick } from "./types.js";
import type { StrategyContext } from "./context.js";

export interface KCenterOptions {
  /** Position (in `rows`) of the first centre; default 0. */
  first?: number;
  /** Use the WebAssembly SIMD dot kernel for float32 inputs of ≥ 65 536 values; default true. Same picks either way. */
  simd?: boolean;
  onProgress?: ProgressFn;
}

export interface KCenterResult {
  /** Positions in `rows` (or row indices when rows is omitted), in pick order. */
  order: Int32Array;
  /** Squared distance of each pick to the previously chosen set at the time it was chosen (first: Infinity). */
  radius: Float64Array;
}

/**
 * kCenterGreedy(points, k, rows?, options) returns k positions in greedy farthest-first order.
 * `rows` restricts the search to a subset (positions refer to it); without it, all n rows.
 * Ties in distance go to the lower position. O(k · |rows| · dim) time at worst, O(|rows|) memory.
 *
 * Squared distances use ‖x‖² − 2·x·c + ‖c‖² in double precision (the form a BLAS implementation
 * uses). Work is skipped exactly by the triangle inequality (Elkan 2003): every point remembers its
 * nearest chosen centre j; when a new centre c arrives, a point with d(c, c_j)² ≥ 4·minD cannot get
 * closer to c, and a whole cell whose radius r_j has d(c, c_j) ≥ 2·r_j is passed over. The picks are
 * those of the plain algorithm; on clustered embeddings most distance evaluations disappear, on
 * structureless data (iid noise in high dimension) almost none do.
 */
export function kCenterGreedy(points: Points, k: number, rows?: ArrayLike<number>, options: KCenterOptions = {}): KCenterResult {
  const { data, dim } = points;
  const m = rows ? rows.length : points.n;
  if (Math.min(k, m) === 0) return { order: new Int32Array(0), radius: new Float64Array(0) };
  // float32 inputs of some size go to the SIMD kernel, which reads a shared matrix (allocateSharedMatrix)
  // in place or else holds its own copy of the rows; otherwise the TypeScript loop works on the input
  // (or a contiguous copy when rows is a subset).
  const useKernel = (options.simd ?? true) && data instanceof Float32Array && m * dim >= 65_536;
  const kernel = useKernel ? createRowDotKernel(points, m, rows) : null;
  try {
    return greedy(points, k, rows, options, kernel);
  } finally {
    kernel?.release();
  }
}

function greedy(points: Points, k: number, rows: ArrayLike<number> | undefined, options: KCenterOptions, kernel: RowDotKernel | null): KCenterResult {
  const { data, dim } = points;
  const m = rows ? rows.length : points.n;
  const kk = Math.min(k, m);
  const order = new Int32Array(kk);
  const radius = new Float64Array(kk);
  let X: Float32Array | Float64Array = data;
  if (rows && !kernel) {
    X = data instanceof Float32Array ? new Float32Array(m * dim) : new Float64Array(m * dim);
    for (let r = 0; r < m; r++) X.set(data.subarray(rows[r]! * dim, rows[r]! * dim + dim), r * dim);
  }
  /** Row i of the (possibly subset) input, as offset into `data` or X. */
  const src = kernel && rows ? data : X;
  const rowOffset = (i: number): number => (kernel && rows ? rows[i]! * dim : i * dim);
  const dim4 = dim - (dim % 4);
  const sq = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const o = rowOffset(i);
    let s = 0;
    for (let t = 0; t < dim; t++) s += src[o + t]! * src[o + t]!;
    sq[i] = s;
  }
  const c = new Float64Array(dim);
  let cc = 0;
  /** Squared distance from position i to the current centre c (norm form, clamped at 0). */
  const distToC = (i: number): number => {
    if (kernel) {
      const d = sq[i]! - 2 * kernel.dot(i) + cc;
      return d > 0 ? d : 0;
    }
    const o = i * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t = 0;
    for (; t < dim4; t += 4) {
      s0 += X[o + t]! * c[t]!;
      s1 += X[o + t + 1]! * c[t + 1]!;
      s2 += X[o + t + 2]! * c[t + 2]!;
      s3 += X[o + t + 3]! * c[t + 3]!;
    }
    for (; t < dim; t++) s0 += X[o + t]! * c[t]!;
    const d = sq[i]! - 2 * (s0 + s1 + s2 + s3) + cc;
    return d > 0 ? d : 0;
  };
  // minD: squared distance to the nearest chosen centre; −1 marks chosen points (never the argmax).
  const minD = new Float64Array(m).fill(Infinity);
  // Cells: members of each chosen centre, with the farthest member (radius², lowest position on ties).
  const members: Int32Array[] = [];
  const count: number[] = [];
  const far: number[] = [];
  const far2: number[] = [];
  const moved = new Int32Array(m);
  const centreD2 = new Float64Array(kk);
  const scan = new Uint8Array(kk);
  const oldCount = new Int32Array(kk);
  // Cell of each point (−1: a chosen centre, in no cell).
  const assign = new Int32Array(m).fill(-1);
  const first = options.first ?? 0;
  let next = first;
  let nextCell = -1;
  for (let step = 0; step < kk; step++) {
    order[step] = next;
    radius[step] = step === 0 ? Infinity : minD[next]!;
    if (step === kk - 1) break;
    const co = rowOffset(next);
    for (let t = 0; t < dim; t++) c[t] = src[co + t]!;
    kernel?.setCentre(c);
    cc = sq[next]!;
    minD[next] = -1;
    assign[next] = -1;
    let nMoved = 0;
    if (step === 0) {
      for (let i = 0; i < m; i++) {
        if (i === next) continue;
        minD[i] = distToC(i);
        assign[i] = 0;
        moved[nMoved++] = i;
      }
    } else {
      // Squared distances from the new centre to every earlier one (direct form: few, and exact).
      for (let j = 0; j < step; j++) {
        const oj = rowOffset(order[j]!);
        let s = 0;
        for (let t = 0; t < dim; t++) {
          const d = src[oj + t]! - c[t]!;
          s += d * d;
        }
        centreD2[j] = s;
      }
      const slack = 1 + 1e-9; // keeps rounding error from ever skipping a point that would move
      // Cells to rescan: all but those the new centre is too far from to take anything.
      let total = 0;
      for (let j = 0; j < step; j++) {
        // The cell holding the new centre is always rescanned, so that it gives the centre up.
        scan[j] = j === nextCell || centreD2[j]! < 4 * far2[j]! * slack ? 1 : 0;
        if (scan[j]) {
          total += count[j]!;
          oldCount[j] = count[j]!;
          count[j] = 0; // rebuilt below
          far[j] = -1;
          far2[j] = -1;
        }
      }
      // One point of a rescanned cell j: moves to the new cell, or stays (kept in ascending order).
      const visit = (i: number, j: number): void => {
        const md = minD[i]!;
        if (i === next) return; // the new centre leaves every list
        if (md >= 0 && centreD2[j]! < 4 * md * slack) {
          const d = distToC(i);
          if (d < md) {
            minD[i] = d;
            assign[i] = step;
            moved[nMoved++] = i;
            return;
          }
        }
        members[j]![count[j]!++] = i;
        if (md > far2[j]! || (md === far2[j] && i < far[j]!)) {
          far2[j] = md;
          far[j] = i;
        }
      };
      if (total > m >> 3) {
        // Many points to visit: one sweep in row order streams memory (visiting cell by cell would
        // jump between rows, several times slower on large inputs).
        for (let i = 0; i < m; i++) {
          const j = assign[i]!;
          if (j >= 0 && scan[j]) visit(i, j);
        }
      } else {
        for (let j = 0; j < step; j++) {
          if (!scan[j]) continue;
          const list = members[j]!;
          const len = oldCount[j]!;
          for (let q = 0; q < len; q++) visit(list[q]!, j); // compacts in place: writes never pass reads
        }
      }
    }
    // The new cell (ascending positions, so later sweeps over it stream memory).
    const cell = moved.slice(0, nMoved).sort();
    let f = -1;
    let f2 = -1;
    for (let q = 0; q < nMoved; q++) {
      const i = cell[q]!;
      const md = minD[i]!;
      if (md > f2 || (md === f2 && i < f)) {
        f2 = md;
        f = i;
      }
    }
    members.push(cell);
    count.push(nMoved);
    far.push(f);
    far2.push(f2);
    // Next centre: the farthest point over all cells (lowest position on ties).
    let best = -1;
    let bestD = -1;
    for (let j = 0; j <= step; j++) {
      if (far2[j]! > bestD || (far2[j] === bestD && far[j]! < best)) {
        bestD = far2[j]!;
        best = far[j]!;
        nextCell = j;
      }
    }
    next = best;
    if (options.onProgress && (step & 63) === 0) options.onProgress("kcenter", step + 1, kk);
  }
  options.onProgress?.("kcenter", kk, kk);
  return { order, radius };
}

/** k-center strategy for one class: first centre drawn with the seed, then farthest-first. */
export function selectKCenter(ctx: StrategyContext): StrategyPick[] {
  const { rows, budget, label } = ctx;
  const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x6b63));
  const first = rng.int(rows.length);
  const { order, radius } = kCenterGreedy(ctx.points, budget, rows, { first, onProgress: ctx.onProgress });
  return Array.from(order, (pos, step) => ({
    row: rows[pos]!,
    group: null,
    groupKey: null,
    reason:
      step === 0
        ? `k-center step 1 of ${order.length} in ${label}: random start`
        : `k-center step ${step + 1} of ${order.length} in ${label}: farthest from those chosen (distance ${fmt(Math.sqrt(radius[step]!), 3)})`,
  }));
}
