// Membership refinement after the merge: a few rounds of linear discriminant reassignment in the
// (PCA) space. Why: the groups come from fragments of a 2-D layout, and a fragment that holds rows of
// two sites (a content cluster the layout did not tear by site) keeps them together however the
// fragments are merged. An acquisition effect is a shift shared by all content, so in the space
// whitened by the pooled *within-group* covariance (content variation dominates it) the shift stands
// out, and each row can be given to the group whose mean it is nearest in that metric. Rounds repeat
// with the new means until no row moves. Noise rows stay noise; a moved row takes the nearest mode of
// its new group, so modes stay inside their groups.
import { symmetricEigen } from "../linalg/eigen.js";
import { EngineInputError, type Points } from "../types.js";
import type { MergeLink, MergeResult } from "./merge.js";

export interface RefineOptions {
  /** Rounds of reassignment at most (default 5; stops earlier when no row moves). 0 = none. */
  iterations?: number;
  /** Ridge added to the pooled covariance, as a share of its mean variance (default 0.1). */
  ridge?: number;
}

export interface RefineResult extends MergeResult {
  /** Rows whose group changed. */
  moved: number;
  /** Rounds run (the last one moved nothing, unless the limit was reached). */
  rounds: number;
}

/**
 * Refines `merged` (a MergeResult over the rows of `space`) by linear discriminant reassignment:
 * per round, group means and the pooled within-group covariance S (+ ridge·tr(S)/d·I), then every
 * non-noise row goes to argmax_h x·S⁻¹μ_h − ½ μ_h·S⁻¹μ_h + ln π_h (π_h: the group's share); a row
 * stays where it is unless another group scores strictly higher. Deterministic (no random draw).
 * Groups and modes are renumbered as mergeFragments numbers them (largest first); a group or mode
 * left empty is dropped with the merge links that name it.
 */
export function refineGroups(space: Points, merged: MergeResult, options: RefineOptions = {}): RefineResult {
  const { n, dim: d, data } = space;
  if (merged.groups.length !== n || merged.modes.length !== n) {
    throw new EngineInputError("BAD_LENGTH", "groups", `refineGroups: expected ${n} group and mode labels (one per row), got ${merged.groups.length} and ${merged.modes.length}`);
  }
  const iterations = options.iterations ?? 5;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new EngineInputError("BAD_ITERATIONS", "iterations", `refineGroups: expected iterations to be an integer ≥ 0, got ${iterations}`);
  }
  const ridge = options.ridge ?? 0.1;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new EngineInputError("BAD_RIDGE", "ridge", `refineGroups: expected ridge ≥ 0, got ${ridge}`);
  const G = merged.groupSizes.length;
  const groups = Int32Array.from(merged.groups);
  let rounds = 0;
  let inverse: Float64Array | null = null;
  if (G >= 2 && d > 0) {
    while (rounds < iterations) {
      const disc = discriminants(data, d, groups, G, ridge, true);
      if (!disc) break;
      inverse = disc.inverse;
      rounds++;
      const next = Int32Array.from(groups);
      let movedNow = 0;
      for (let i = 0; i < n; i++) {
        const h0 = groups[i]!;
        if (h0 < 0) continue;
        let best = h0;
        let bestScore = score(data, i, d, disc, h0);
        for (let h = 0; h < G; h++) {
          if (h === h0 || !disc.present[h]) continue;
          const s = score(data, i, d, disc, h);
          if (s > bestScore) {
            bestScore = s;
            best = h;
          }
        }
        if (best !== h0) {
          next[i] = best;
          movedNow++;
        }
      }
      groups.set(next);
      if (movedNow === 0) break;
    }
  }
  // modes: a moved row takes the mode of its new group with the nearest mean (same metric, no prior)
  const modes = Int32Array.from(merged.modes);
  let moved = 0;
  const groupOfMode = new Int32Array(merged.modeSizes.length);
  merged.groupModes.forEach((ms, g) => ms.forEach((f) => (groupOfMode[f] = g)));
  for (let i = 0; i < n; i++) if (groups[i] !== merged.groups[i]) moved++;
  if (moved > 0 && inverse) {
    const F = merged.modeSizes.length;
    const modeDisc = discriminantsWith(data, d, merged.modes, F, inverse, false);
    for (let i = 0; i < n; i++) {
      const h = groups[i]!;
      if (h < 0 || h === merged.groups[i]) continue;
      let best = -1;
      let bestScore = -Infinity;
      for (const f of merged.groupModes[h]!) {
        if (!modeDisc.present[f]) continue;
        const s = score(data, i, d, modeDisc, f);
        if (s > bestScore) {
          bestScore = s;
          best = f;
        }
      }
      modes[i] = best >= 0 ? best : merged.groupModes[h]![0]!;
    }
  }
  return { ...renumber(groups, modes, groupOfMode, merged), moved, rounds };
}

interface Discriminants {
  /** Per class: S⁻¹μ (d values). */
  weights: Float64Array;
  /** Per class: −½ μ·S⁻¹μ (+ ln π with priors). */
  offsets: Float64Array;
  present: Uint8Array;
  inverse: Float64Array;
}

function score(data: ArrayLike<number>, i: number, d: number, disc: Discriminants, h: number): number {
  let s = disc.offsets[h]!;
  const o = i * d;
  const w = h * d;
  for (let t = 0; t < d; t++) s += data[o + t]! * disc.weights[w + t]!;
  return s;
}

function classMeans(data: ArrayLike<number>, d: number, labels: Int32Array, C: number): { mean: Float64Array; count: Float64Array } {
  const mean = new Float64Array(C * d);
  const count = new Float64Array(C);
  for (let i = 0; i < labels.length; i++) {
    const h = labels[i]!;
    if (h < 0) continue;
    count[h]!++;
    const o = i * d;
    for (let t = 0; t < d; t++) mean[h * d + t]! += data[o + t]!;
  }
  for (let h = 0; h < C; h++) if (count[h]! > 0) for (let t = 0; t < d; t++) mean[h * d + t]! /= count[h]!;
  return { mean, count };
}

/** Group means, the inverse of the ridged pooled within-group covariance, the discriminants; null when degenerate. */
function discriminants(data: ArrayLike<number>, d: number, labels: Int32Array, C: number, ridge: number, priors: boolean): Discriminants | null {
  const { mean, count } = classMeans(data, d, labels, C);
  const S = new Float64Array(d * d);
  const r = new Float64Array(d);
  let N = 0;
  for (let i = 0; i < labels.length; i++) {
    const h = labels[i]!;
    if (h < 0) continue;
    N++;
    const o = i * d;
    for (let t = 0; t < d; t++) r[t] = data[o + t]! - mean[h * d + t]!;
    for (let a = 0; a < d; a++) {
      const ra = r[a]!;
      if (ra === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) S[row + b]! += ra * r[b]!;
    }
  }
  if (N < 2) return null;
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      S[a * d + b]! /= N;
      S[b * d + a] = S[a * d + b]!;
    }
    trace += S[a * d + a]!;
  }
  if (!(trace > 0)) return null;
  const lift = (ridge * trace) / d;
  for (let a = 0; a < d; a++) S[a * d + a]! += lift;
  // S⁻¹ = V diag(1/λ) Vᵀ (eigenvectors as rows); λ ≥ lift > 0 unless ridge is 0
  const { values, vectors } = symmetricEigen(S, d);
  const floor = Math.max(values[0]! * 1e-12, Number.MIN_VALUE);
  const inverse = new Float64Array(d * d);
  for (let e = 0; e < d; e++) {
    const inv = 1 / Math.max(values[e]!, floor);
    const v = e * d;
    for (let a = 0; a < d; a++) {
      const va = vectors[v + a]! * inv;
      for (let b = 0; b < d; b++) inverse[a * d + b]! += va * vectors[v + b]!;
    }
  }
  return discriminantsFrom(mean, count, d, C, inverse, priors, N);
}

function discriminantsWith(data: ArrayLike<number>, d: number, labels: Int32Array, C: number, inverse: Float64Array, priors: boolean): Discriminants {
  const { mean, count } = classMeans(data, d, labels, C);
  let N = 0;
  for (const c of count) N += c;
  return discriminantsFrom(mean, count, d, C, inverse, priors, N);
}

function discriminantsFrom(mean: Float64Array, count: Float64Array, d: number, C: number, inverse: Float64Array, priors: boolean, N: number): Discriminants {
  const weights = new Float64Array(C * d);
  const offsets = new Float64Array(C);
  const present = new Uint8Array(C);
  for (let h = 0; h < C; h++) {
    if (!(count[h]! > 0)) continue;
    present[h] = 1;
    let q = 0;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += inverse[a * d + b]! * mean[h * d + b]!;
      weights[h * d + a] = s;
      q += s * mean[h * d + a]!;
    }
    offsets[h] = -0.5 * q + (priors ? Math.log(count[h]! / N) : 0);
  }
  return { weights, offsets, present, inverse };
}

/** Renumbers groups (largest first, ties: lower old id) and modes (group by group, largest first), dropping empty ones. */
function renumber(groups: Int32Array, modes: Int32Array, groupOfMode: Int32Array, merged: MergeResult): MergeResult {
  const G = merged.groupSizes.length;
  const F = merged.modeSizes.length;
  const gSize = new Array<number>(G).fill(0);
  const fSize = new Array<number>(F).fill(0);
  for (let i = 0; i < groups.length; i++) {
    if (groups[i]! >= 0) gSize[groups[i]!]!++;
    if (modes[i]! >= 0) fSize[modes[i]!]!++;
  }
  const order = [...Array(G).keys()].filter((g) => gSize[g]! > 0).sort((x, y) => gSize[y]! - gSize[x]! || x - y);
  const newGroup = new Int32Array(G).fill(-1);
  const newMode = new Int32Array(F).fill(-1);
  const groupSizes: number[] = [];
  const modeSizes: number[] = [];
  const groupModes: number[][] = [];
  const groupMerges: MergeLink[][] = [];
  const mergeConfidence: (number | null)[] = [];
  order.forEach((g, ng) => {
    newGroup[g] = ng;
    groupSizes.push(gSize[g]!);
    // the group's modes: its own (by the merge) that still hold rows, largest first (ties: old id)
    const own = merged.groupModes[g]!.filter((f) => fSize[f]! > 0 && groupOfMode[f] === g).sort((x, y) => fSize[y]! - fSize[x]! || x - y);
    const ids: number[] = [];
    for (const f of own) {
      newMode[f] = modeSizes.length;
      ids.push(modeSizes.length);
      modeSizes.push(fSize[f]!);
    }
    groupModes.push(ids);
    const links = merged.groupMerges[g]!
      .filter((l) => newMode[l.a]! >= 0 && newMode[l.b]! >= 0)
      .map((l) => ({ ...l, a: newMode[l.a]!, b: newMode[l.b]! }));
    groupMerges.push(links);
    mergeConfidence.push(links.length ? Math.min(...links.map((l) => l.connectivity)) : null);
  });
  const outGroups = new Int32Array(groups.length);
  const outModes = new Int32Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    outGroups[i] = groups[i]! >= 0 ? newGroup[groups[i]!]! : -1;
    outModes[i] = modes[i]! >= 0 ? newMode[modes[i]!]! : -1;
  }
  return { groups: outGroups, groupSizes, modes: outModes, modeSizes, groupModes, groupMerges, mergeConfidence };
}
