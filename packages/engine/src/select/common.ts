// Small numeric helpers shared by the selection strategies (not exported from the package).
import type { Points } from "../types.js";

/** Deterministic seed for a sub-stream (e.g. per class), so one class's draws don't depend on others. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Byte-wise string order (locale-independent, so results don't depend on the machine). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Mean of the given rows (Float64Array of length dim). */
export function centroid(points: Points, rows: ArrayLike<number>): Float64Array {
  const { data, dim } = points;
  const c = new Float64Array(dim);
  const m = rows.length;
  for (let r = 0; r < m; r++) {
    const o = rows[r]! * dim;
    for (let t = 0; t < dim; t++) c[t]! += data[o + t]!;
  }
  if (m > 0) for (let t = 0; t < dim; t++) c[t]! /= m;
  return c;
}

/** Squared Euclidean distance from row i to vector v. */
export function sqDistToVec(points: Points, i: number, v: ArrayLike<number>): number {
  const { data, dim } = points;
  const o = i * dim;
  let s = 0;
  for (let t = 0; t < dim; t++) {
    const d = data[o + t]! - v[t]!;
    s += d * d;
  }
  return s;
}

/** Squared Euclidean distance between rows i and j. */
export function sqDistRows(points: Points, i: number, j: number): number {
  const { data, dim } = points;
  const a = i * dim;
  const b = j * dim;
  let s = 0;
  for (let t = 0; t < dim; t++) {
    const d = data[a + t]! - data[b + t]!;
    s += d * d;
  }
  return s;
}

/** Rows sorted by key ascending, ties by row index: a total order, so results are deterministic. */
export function sortRowsBy(rows: ArrayLike<number>, key: Float64Array): number[] {
  const idx = Array.from({ length: rows.length }, (_, i) => i);
  idx.sort((a, b) => key[a]! - key[b]! || rows[a]! - rows[b]!);
  return idx;
}

/** Seeded partial Fisher–Yates: the first k entries of a uniformly random permutation of `items`. */
export function sampleWithoutReplacement(items: ArrayLike<number>, k: number, next: () => number): number[] {
  const a = Array.from(items);
  const m = Math.min(k, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(next() * (a.length - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, m);
}

export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
