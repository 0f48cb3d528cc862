// Confounder-aware selection (our method). Within each class, the discovered confounder groups
// (site, scanner, stain… as found by discovery) share the class's budget by an allocation rule:
//   proportional — keeps the pool's group mix (the original paper's rule);
//   balanced     — equal shares, which breaks the label–confounder link in the selection;
//   sqrt         — in between.
// Shares are rounded by largest remainder; a group smaller than its share is taken whole and the
// excess goes to the others. Inside a group the default picks are the group's most representative
// rows: facility location (lazy greedy on Σᵢ maxⱼ K(i, j) over the group's rows) with one RBF
// bandwidth for the whole class. On PneumoniaMNIST with planted sites (20 simulated pools) it gave a
// clearly higher balanced accuracy than one seeded draw per distance band (the former default) at
// N = 25 and 50, and a higher worst-group accuracy at N = 50, with no clear change at N = 10 or 100
// (engine README, bench/results/engine-quality.md). The alternatives: evenly spaced quantiles of the
// distance to the group's centre (one seeded draw per band, see quantilePositions), nearest to the
// centre, or k-center greedy inside the group. Noise points (group −1) form a group of their own,
// which always gets its proportional share (see shareBudget), or are left out.
import { allocate } from "./allocation.js";
import { createRng } from "../rng.js";
import type { Rng } from "../types.js";
import { centroid, compareStrings, deriveSeed, fmt, sampleWithoutReplacement, sortRowsBy, sqDistToVec } from "./common.js";
import type { StrategyContext } from "./context.js";
import {
  facilityLocationGreedy,
  GROUND_SET_MAX,
  medianOfParts,
  medianPairSqDistance,
  pairSqDistances,
  rbfKernelFromSqDistances,
} from "./facility-location.js";
import { kCenterGreedy } from "./kcenter.js";
import type { Allocation, CellAllocation, GroupAllocation, SelectInput, StrategyPick } from "./types.js";

export const NOISE_GROUP = -1;
/** Rows of no confounder group that are not outliers (e.g. a rejected group's): never left out. */
export const REST_GROUP = -2;

/**
 * quantilePositions(size, count, rng): positions (0..size−1, in a list sorted by distance to the
 * centre) of `count` picks at evenly spaced quantiles of the distance. The sorted list is cut into
 * `count` bands of equal count (band j spans ⌊j·size/count⌋ .. ⌊(j+1)·size/count⌋ − 1) and one
 * seeded draw is taken in each band. So the picks cover the group from its core to its rim, every
 * member has the same chance count/size of being picked (the selection is an unbiased, stratified
 * sample of the group, never a worse one than a simple random sample), and a new seed gives a new,
 * equally valid draw. Without `rng` the band's middle is taken (quantile (j + ½)/count).
 */
export function quantilePositions(size: number, count: number, rng?: Rng): Int32Array {
  const m = Math.min(size, count);
  const out = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const lo = Math.floor((j * size) / m);
    const hi = Math.floor(((j + 1) * size) / m);
    out[j] = rng ? lo + rng.int(hi - lo) : Math.floor(((j + 0.5) * size) / m);
  }
  return out;
}

/**
 * shareBudget(budget, ids, sizes, rule): each group's share. Noise (id −1, kept as a group of its
 * own) and rest (−2: rows of no confounder group, e.g. of a rejected group) are not confounder groups,
 * so together they always get their proportional share of the class — under balanced or sqrt an equal
 * share would spend a quarter of a 3-group budget on outliers — and the confounder groups share the
 * rest by the rule. Whatever the groups cannot hold goes back to noise and rest.
 */
export function shareBudget(budget: number, ids: ReadonlyArray<number>, sizes: ReadonlyArray<number>, rule: Allocation): Int32Array {
  const restAt = ids.flatMap((g, k) => (g < 0 ? [k] : []));
  if (restAt.length === 0 || rule === "proportional" || ids.length === 1) return allocate(budget, sizes, rule);
  const realSizes = sizes.filter((_, k) => ids[k]! >= 0);
  const realTotal = realSizes.reduce((a, b) => a + b, 0);
  const restSizes = restAt.map((k) => sizes[k]!);
  const restTotal = restSizes.reduce((a, b) => a + b, 0);
  const restShare = allocate(budget, [realTotal, restTotal], "proportional")[1]!;
  const real = allocate(budget - restShare, realSizes, rule);
  const given = real.reduce((a, b) => a + b, 0);
  // With noise alone (the usual case) this is min(noise size, what is left), as before rest existed.
  const rest = allocate(Math.min(restTotal, budget - given), restSizes, "proportional");
  const out = new Int32Array(sizes.length);
  for (let k = 0, r = 0, q = 0; k < sizes.length; k++) out[k] = ids[k]! < 0 ? rest[q++]! : real[r++]!;
  return out;
}

/** Rows of the class that confounder-aware may pick from (noise left out under noise = "exclude"). */
export function confounderAwarePool(ctx: Pick<StrategyContext, "rows" | "input" | "params">): number {
  if (ctx.params.noise !== "exclude") return ctx.rows.length;
  const groups = ctx.input.groups!;
  let m = 0;
  for (const r of ctx.rows) if (groups[r]! !== NOISE_GROUP) m++;
  return m;
}

/**
 * Rows of `rows`, or a seeded sample of GROUND_SET_MAX of them (ascending) when there are more: the
 * facility-location kernel is held in memory (GROUND_SET_MAX² floats).
 */
function groundSet(rows: ReadonlyArray<number>, rng: Rng): number[] {
  if (rows.length <= GROUND_SET_MAX) return rows.slice();
  return sampleWithoutReplacement(rows, GROUND_SET_MAX, rng.next).sort((a, b) => a - b);
}

/** Level of a declared column for a row: null/undefined/"" are one "missing" level. */
function levelOf(column: ReadonlyArray<string | null>, row: number): string | null {
  const v = column[row];
  return v === null || v === undefined || v === "" ? null : v;
}

export const MISSING_LEVEL = "(missing)";

interface Cell {
  /** "site=A, scanner=X"; "" without declared columns. */
  name: string;
  levels: (string | null)[];
  rows: number[];
}

/**
 * The class's cells of the declared columns (each combination of levels present), in a canonical
 * order (byte-wise order of the JSON of the level tuple); without declared columns, one cell with
 * every row.
 */
function cellsOf(rows: ReadonlyArray<number>, declared: ReadonlyArray<string>, metadata: SelectInput["metadata"]): Cell[] {
  if (declared.length === 0) return [{ name: "", levels: [], rows: rows.slice() }];
  const columns = declared.map((c) => metadata![c]!);
  const byKey = new Map<string, Cell>();
  for (const r of rows) {
    const levels = columns.map((col) => levelOf(col, r));
    const key = JSON.stringify(levels);
    let cell = byKey.get(key);
    if (!cell) {
      const name = declared.map((c, j) => `${c}=${levels[j] ?? MISSING_LEVEL}`).join(", ");
      byKey.set(key, (cell = { name, levels, rows: [] }));
    }
    cell.rows.push(r);
  }
  return [...byKey.keys()].sort(compareStrings).map((k) => byKey.get(k)!);
}

/** Confounder groups ascending, then noise (−1), then rest (−2). */
function groupOrder(a: number, b: number): number {
  if (a < 0 !== b < 0) return a < 0 ? 1 : -1;
  return a >= 0 ? a - b : b - a;
}

export function selectConfounderAware(ctx: StrategyContext): {
  picks: StrategyPick[];
  allocation: GroupAllocation[];
  cells?: CellAllocation[];
  warnings: string[];
} {
  const { rows, points, label, params } = ctx;
  const groups = ctx.input.groups!;
  const rule = params.allocation ?? "proportional";
  const within = params.withinGroup ?? "facility-location";
  const declared = params.declared ?? [];
  const warnings: string[] = [];
  const pickableRows: number[] = [];
  for (const r of rows) if (!(groups[r]! === NOISE_GROUP && params.noise === "exclude")) pickableRows.push(r);
  // Level 1: the class budget across the declared cells (one cell, the whole budget, without any).
  const cells = cellsOf(pickableRows, declared, ctx.input.metadata);
  const cellShares = declared.length ? allocate(ctx.budget, cells.map((c) => c.rows.length), rule) : Int32Array.of(ctx.budget);
  // Level 2: inside each cell, its share across the discovered groups restricted to the cell.
  interface Unit {
    cell: number;
    g: number;
    rows: number[];
    share: number;
  }
  const units: Unit[] = [];
  const classMembers = new Map<number, number[]>();
  cells.forEach((cell, c) => {
    const members = new Map<number, number[]>();
    for (const r of cell.rows) {
      const g = groups[r]!;
      let list = members.get(g);
      if (!list) members.set(g, (list = []));
      list.push(r);
      let all = classMembers.get(g);
      if (!all) classMembers.set(g, (all = []));
      all.push(r);
    }
    const ids = [...members.keys()].sort(groupOrder);
    const sizes = ids.map((g) => members.get(g)!.length);
    const shares = shareBudget(cellShares[c]!, ids, sizes, rule);
    ids.forEach((g, k) => units.push({ cell: c, g, rows: members.get(g)!, share: shares[k]! }));
  });
  const classIds = [...classMembers.keys()].sort(groupOrder);
  for (const list of classMembers.values()) list.sort((a, b) => a - b);
  const rng = createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x6361));
  // facility-location: one RBF bandwidth for the class, the median squared distance between two rows
  // of the same group (noise and rest left out; over a seeded sample of the class when it is larger
  // than the kernel limit). One scale for every group of the class, so a tight group is not stretched
  // to look as spread as a wide one; within-group pairs only, so well-separated groups do not inflate
  // it until each group's kernel is flat (then greedy coverage would chase far outliers). Cells do not
  // change it: it describes the groups, whatever the declared columns.
  let bandwidth = 0;
  // When the whole class is the sample, each group's pair distances are also its kernel's: keep them.
  const groupPairs = new Map<number, Float64Array>();
  if (within === "facility-location") {
    const pickable = classIds.flatMap((g) => classMembers.get(g)!);
    const sample = groundSet(pickable, createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x666d)));
    const whole = sample.length === pickable.length;
    const inSample = whole ? null : new Set(sample);
    const parts: Float64Array[] = [];
    for (const g of classIds) {
      if (g < 0) continue;
      const d2 = pairSqDistances(points, inSample ? classMembers.get(g)!.filter((r) => inSample.has(r)) : classMembers.get(g)!);
      parts.push(d2);
      if (whole && declared.length === 0) groupPairs.set(g, d2);
    }
    bandwidth = parts.some((d) => d.length > 0) ? medianOfParts(parts) : medianPairSqDistance(points, sample);
  }

  const perUnit: StrategyPick[][] = units.map(({ cell: c, g, rows: gRows, share }, k) => {
    if (share === 0) return [];
    const cell = cells[c]!;
    const c0 = centroid(points, gRows);
    const dist = new Float64Array(gRows.length);
    for (let i = 0; i < gRows.length; i++) dist[i] = Math.sqrt(sqDistToVec(points, gRows[i]!, c0));
    const sorted = sortRowsBy(gRows, dist); // positions in gRows, nearest first
    const base = g === NOISE_GROUP ? `noise of ${label}` : g === REST_GROUP ? `rest of ${label}` : `group ${g} of ${label}`;
    const name = cell.name ? `${base} in ${cell.name}` : base;
    const cellNote = cell.name ? `; cell ${cell.name} (${cell.rows.length} of ${rows.length}) ${rule} share ${cellShares[c]}` : "";
    const head = cell.name
      ? `${name} (${gRows.length} of ${cell.rows.length}), ${rule} share ${share}${cellNote}`
      : `${name} (${gRows.length} of ${rows.length}), ${rule} share ${share}`;
    const gk = g === NOISE_GROUP ? "noise" : g === REST_GROUP ? "rest" : `g${g}`;
    const groupKey = cell.name ? `${label}/${cell.name}/${gk}` : `${label}/${gk}`;
    const denom = Math.max(1, gRows.length - 1);
    if (within === "facility-location") {
      const ground = groundSet(gRows, createRng(deriveSeed(ctx.seed, ctx.classIndex, 0x6667, k)));
      if (ground.length < gRows.length) {
        warnings.push(`confounder-aware: ${name} has ${gRows.length} samples; facility location optimised over a seeded sample of ${ground.length}`);
      }
      const d2 = ground.length === gRows.length ? (groupPairs.get(g) ?? pairSqDistances(points, ground)) : pairSqDistances(points, ground);
      const K = rbfKernelFromSqDistances(d2, ground.length, bandwidth);
      const { order, gains } = facilityLocationGreedy(K, ground.length, share);
      return Array.from(order, (pos, step) => ({
        row: ground[pos]!,
        group: g,
        groupKey,
        reason: `${head}, facility location step ${step + 1} of ${order.length} (coverage gain ${fmt(gains[step]! / ground.length, 3)}, class RBF h = ${fmt(bandwidth, 3)})`,
      }));
    }
    if (within === "kcenter") {
      const { order } = kCenterGreedy(points, share, gRows, { first: sorted[0]! });
      return Array.from(order, (pos, step) => ({
        row: gRows[pos]!,
        group: g,
        groupKey,
        reason: `${head}, k-center step ${step + 1} from the centre (distance ${fmt(dist[pos]!, 3)})`,
      }));
    }
    const positions =
      within === "nearest"
        ? Int32Array.from({ length: share }, (_, j) => j)
        : quantilePositions(gRows.length, share, rng);
    return Array.from(positions, (p, j) => {
      const pos = sorted[p]!;
      return {
        row: gRows[pos]!,
        group: g,
        groupKey,
        reason:
          within === "nearest"
            ? `${head}, nearest to centre #${p + 1} (distance ${fmt(dist[pos]!, 3)})`
            : `${head}, distance quantile ${fmt(p / denom)} (band ${j + 1} of ${positions.length})`,
      };
    });
  });
  // Round-robin over the groups of each cell, then over the cells, so every prefix of the class's
  // picks keeps the allocation's mix (without declared columns: round-robin over the groups).
  const roundRobin = (lists: StrategyPick[][]): StrategyPick[] => {
    const out: StrategyPick[] = [];
    for (let r = 0; ; r++) {
      let any = false;
      for (const list of lists) {
        const p = list[r];
        if (p) {
          out.push(p);
          any = true;
        }
      }
      if (!any) return out;
    }
  };
  const perCell = cells.map((_, c) => roundRobin(perUnit.filter((_, k) => units[k]!.cell === c)));
  const picks = roundRobin(perCell).slice(0, ctx.budget);
  const allocation = units.map((u) => ({ group: u.g, pool: u.rows.length, share: u.share, ...(declared.length ? { cell: cells[u.cell]!.name } : {}) }));
  if (!declared.length) return { picks, allocation, warnings };
  const cellRows: CellAllocation[] = cells.map((cell, c) => ({ cell: cell.name, levels: cell.levels, pool: cell.rows.length, share: cellShares[c]! }));
  return { picks, allocation, cells: cellRows, warnings };
}
