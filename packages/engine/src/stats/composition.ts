// Composition of a selection by one metadata column: per class, the share of each level, the largest
// single level's share, and Cramér's V between label and the column. This is the evidence a user
// looks at: does a selection keep the pool's site mix per class, or undo it? Works from counts
// (label × level), so callers can aggregate in the database and never load rows.
import { compareStrings } from "../select/common.js";
import { cramersV } from "./cramers-v.js";
import type { Contingency } from "./contingency.js";

export interface CompositionCell {
  label: string;
  /** null: the row has no value in this column. */
  level: string | null;
  count: number;
}

export interface LevelShare {
  level: string | null;
  count: number;
  /** count / rows of the class (missing values included, so the shares of a class sum to 1). */
  share: number;
}

export interface ClassComposition {
  label: string;
  total: number;
  /** Sorted by level (missing last). */
  levels: LevelShare[];
  /** Share of the most common known level in the class (0 when no row has a value). */
  largestShare: number;
}

export interface Composition {
  classes: ClassComposition[];
  /** Bergsma's bias-corrected Cramér's V of label × level over rows with a known level; 0 with one class or one level. */
  cramersV: number;
  /** Rows with a known level (those that enter V). */
  known: number;
}

const byLevel = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : compareStrings(a, b));

/**
 * Builds the composition from label × level counts. `labels` and `levels` (optional) add classes and
 * levels with no rows, so a pool and a selection can be laid side by side on the same categories.
 */
export function composition(cells: Iterable<CompositionCell>, labels: Iterable<string> = [], levels: Iterable<string | null> = []): Composition {
  const counts = new Map<string, Map<string | null, number>>();
  const levelSet = new Set<string | null>(levels);
  for (const l of labels) if (!counts.has(l)) counts.set(l, new Map());
  for (const c of cells) {
    if (!(c.count >= 0) || !Number.isFinite(c.count)) throw new RangeError(`composition: expected a count ≥ 0, got ${c.count} for ${c.label}/${c.level}`);
    const m = counts.get(c.label) ?? new Map<string | null, number>();
    counts.set(c.label, m);
    m.set(c.level, (m.get(c.level) ?? 0) + c.count);
    levelSet.add(c.level);
  }
  const allLevels = [...levelSet].sort(byLevel);
  const known = allLevels.filter((l): l is string => l !== null);
  const classes: ClassComposition[] = [...counts.keys()].sort(compareStrings).map((label) => {
    const m = counts.get(label)!;
    const total = [...m.values()].reduce((s, n) => s + n, 0);
    const shares = allLevels.map((level) => {
      const count = m.get(level) ?? 0;
      return { level, count, share: total > 0 ? count / total : 0 };
    });
    const largestShare = Math.max(0, ...shares.filter((s) => s.level !== null).map((s) => s.share));
    return { label, total, levels: shares, largestShare };
  });
  // V over known levels only, and only over rows/columns with any count (empty categories carry no information).
  const rowsUsed = classes.filter((c) => c.levels.some((l) => l.level !== null && l.count > 0));
  const colsUsed = known.filter((lv) => rowsUsed.some((c) => (counts.get(c.label)!.get(lv) ?? 0) > 0));
  const rows = rowsUsed.length;
  const cols = colsUsed.length;
  const table = new Float64Array(rows * cols);
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  rowsUsed.forEach((c, r) => {
    colsUsed.forEach((lv, k) => {
      const n = counts.get(c.label)!.get(lv) ?? 0;
      table[r * cols + k] = n;
      rowSums[r] = rowSums[r]! + n;
      colSums[k] = colSums[k]! + n;
      total += n;
    });
  });
  const t: Contingency = { rowKeys: rowsUsed.map((_, i) => i), colKeys: colsUsed, counts: table, rows, cols, rowSums, colSums, total };
  return { classes, cramersV: cramersV(t), known: total };
}
