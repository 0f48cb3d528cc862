// Contingency tables between two categorical labelings, and the chi-square test of independence.
import { chiSquareSurvival } from "./gamma.js";

export interface Contingency {
  /** Row categories (e.g. cluster ids) and column categories (e.g. metadata values), sorted. */
  rowKeys: number[];
  colKeys: string[];
  /** counts[r * cols + c] */
  counts: Float64Array;
  rows: number;
  cols: number;
  rowSums: Float64Array;
  colSums: Float64Array;
  total: number;
}

/**
 * Cross-tabulates `groups` (ints; negative values such as DBSCAN noise are skipped) against
 * `values` (null or "" are skipped). Categories are sorted (numbers ascending, strings by code
 * unit), so the table does not depend on row order.
 */
export function contingencyTable(groups: ArrayLike<number>, values: ArrayLike<string | null>): Contingency {
  if (groups.length !== values.length) {
    throw new RangeError(`contingencyTable: expected as many values as groups (${groups.length}), got ${values.length}`);
  }
  const rowSet = new Set<number>();
  const colSet = new Set<string>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const v = values[i];
    if (g < 0 || v === null || v === undefined || v === "") continue;
    rowSet.add(g);
    colSet.add(v);
  }
  const rowKeys = [...rowSet].sort((a, b) => a - b);
  const colKeys = [...colSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rowOf = new Map(rowKeys.map((k, i) => [k, i]));
  const colOf = new Map(colKeys.map((k, i) => [k, i]));
  const rows = rowKeys.length;
  const cols = colKeys.length;
  const counts = new Float64Array(rows * cols);
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const v = values[i];
    if (g < 0 || v === null || v === undefined || v === "") continue;
    const r = rowOf.get(g)!;
    const c = colOf.get(v)!;
    counts[r * cols + c] = counts[r * cols + c]! + 1;
    rowSums[r] = rowSums[r]! + 1;
    colSums[c] = colSums[c]! + 1;
    total++;
  }
  return { rowKeys, colKeys, counts, rows, cols, rowSums, colSums, total };
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  /** P(χ²(df) ≥ statistic); 1 when df = 0 (one row or one column: nothing to test). */
  pValue: number;
}

/** Pearson's chi-square test of independence (no continuity correction). */
export function chiSquareTest(t: Contingency): ChiSquareResult {
  const df = (t.rows - 1) * (t.cols - 1);
  if (df <= 0 || t.total === 0) return { statistic: 0, df: Math.max(0, df), pValue: 1 };
  let stat = 0;
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) {
      const expected = (t.rowSums[r]! * t.colSums[c]!) / t.total;
      const diff = t.counts[r * t.cols + c]! - expected;
      stat += (diff * diff) / expected;
    }
  }
  return { statistic: stat, df, pValue: chiSquareSurvival(stat, df) };
}
