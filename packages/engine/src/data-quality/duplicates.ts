// Exact duplicates (same content hash) and near-duplicates (cosine distance at most a threshold in the
// embedding space), grouped into duplicate sets by union-find, each set flagged for what matters in a
// pooled multi-site set: the same image at two sites, across the pool and a test version (leakage),
// and under two labels.
import { EngineInputError, type Points } from "../types.js";
import { checkInt, checkLength, checkPoints, checkSeed, checkThreshold, cosineDistance, dotQuery, inverseNorms, median, UnionFind } from "./common.js";
import { cosineKnn, type CosineKnn, type CosineKnnOptions } from "./knn.js";

/** Optional per-row tags that flag a set; null or "" is unknown and never makes a set "cross". */
export interface RowTags {
  /** Acquisition site per row. */
  sites?: ReadonlyArray<string | null>;
  /** Split or version per row, e.g. "pool" / "test". */
  splits?: ReadonlyArray<string | null>;
  /** Class label per row. */
  labels?: ReadonlyArray<string | null>;
}

export interface DuplicateSet {
  /** Rows of the set, ascending. */
  rows: number[];
  /** Largest cosine distance of a found pair inside the set (0 for exact duplicates). */
  maxDistance: number;
  /** Distinct known values of each tag in the set, sorted (absent when the tag was not given). */
  sites?: string[];
  splits?: string[];
  labels?: string[];
  /** At least two known sites / splits / labels among the rows. */
  crossSite: boolean;
  crossSplit: boolean;
  conflictingLabels: boolean;
}

export interface DuplicatePair {
  a: number;
  b: number;
  /** Cosine distance 1 − cos. */
  distance: number;
}

function checkTags(tags: RowTags, n: number): void {
  checkLength("sites", tags.sites, n);
  checkLength("splits", tags.splits, n);
  checkLength("labels", tags.labels, n);
}

const distinct = (rows: number[], values: ReadonlyArray<string | null> | undefined): string[] | undefined =>
  values ? [...new Set(rows.map((r) => values[r]).filter((v): v is string => v !== null && v !== undefined && v !== ""))].sort() : undefined;

/** Sets of size ≥ 2 from a union-find, ascending by first row, with their flags. */
function collectSets(uf: UnionFind, n: number, maxDist: Map<number, number>, tags: RowTags): DuplicateSet[] {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  }
  const sets: DuplicateSet[] = [];
  for (const [root, rows] of byRoot) {
    if (rows.length < 2) continue;
    const sites = distinct(rows, tags.sites), splits = distinct(rows, tags.splits), labels = distinct(rows, tags.labels);
    sets.push({
      rows,
      maxDistance: maxDist.get(root) ?? 0,
      ...(sites ? { sites } : {}),
      ...(splits ? { splits } : {}),
      ...(labels ? { labels } : {}),
      crossSite: (sites?.length ?? 0) > 1,
      crossSplit: (splits?.length ?? 0) > 1,
      conflictingLabels: (labels?.length ?? 0) > 1,
    });
  }
  return sets.sort((x, y) => x.rows[0]! - y.rows[0]!);
}

/** Rows with the same content hash (null/"" = no hash, never a duplicate). */
export function exactDuplicates(hashes: ReadonlyArray<string | null | undefined>, tags: RowTags = {}): DuplicateSet[] {
  const n = hashes.length;
  checkTags(tags, n);
  const uf = new UnionFind(n);
  const first = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = hashes[i];
    if (h === null || h === undefined || h === "") continue;
    const f = first.get(h);
    if (f === undefined) first.set(h, i);
    else uf.union(f, i);
  }
  return collectSets(uf, n, new Map(), tags);
}

export interface NearDuplicateOptions extends CosineKnnOptions, RowTags {
  /** Cosine distance 1 − cos at or below which two rows are near-duplicates, in (0, 2]. Default: the rule below. */
  threshold?: number;
  /** Neighbours examined per row (default 10): a set larger than k + 1 may be found in pieces joined by union-find. */
  k?: number;
  /** A cosine kNN graph of these points built already (k ≥ 1), e.g. a similarity index's. */
  graph?: CosineKnn;
}

export interface NearDuplicateResult {
  threshold: number;
  /** "given", or "default" (see defaultDuplicateThreshold). */
  thresholdRule: "given" | "default";
  /** Median cosine distance from a row to its nearest other row (what the default is derived from). */
  medianNearest: number;
  pairs: DuplicatePair[];
  sets: DuplicateSet[];
  method: "exact" | "approximate";
  k: number;
}

/** Fraction of the median nearest-neighbour cosine distance the default threshold may reach. */
export const DUPLICATE_MEDIAN_FRACTION = 0.25;
/** Robust z (in MADs of log distance) below the median that the default threshold must also clear. */
export const DUPLICATE_LOG_Z = 4;

/**
 * The default near-duplicate threshold from the distribution of nearest-neighbour distances d₁
 * (cosine distance of each row to its nearest other row):
 *   τ = min( 0.25 · median(d₁),  exp(median(log d₁) − 4 · 1.4826 · MAD(log d₁)) ).
 * On unit vectors a cosine distance is half the squared Euclidean one, so the first term is half the
 * typical nearest-neighbour Euclidean distance: a pair must be twice as close as usual. The second
 * term is a robust low-side outlier fence on the log scale: where nearest distances are widely spread
 * (dense clusters beside sparse ones) it keeps the dense rows' ordinary neighbours out. Exact
 * duplicates (d₁ = 0) are left out of both statistics. Returns τ and the median.
 */
export function defaultDuplicateThreshold(nearest: ArrayLike<number>): { threshold: number; medianNearest: number } {
  const pos: number[] = [];
  for (let i = 0; i < nearest.length; i++) if (nearest[i]! > 0 && Number.isFinite(nearest[i]!)) pos.push(nearest[i]!);
  if (pos.length === 0) return { threshold: 1e-6, medianNearest: 0 };
  const med = median(pos);
  const logs = pos.map(Math.log);
  const lm = median(logs);
  const mad = median(logs.map((v) => Math.abs(v - lm)));
  const fence = Math.exp(lm - DUPLICATE_LOG_Z * 1.4826 * mad);
  return { threshold: Math.min(DUPLICATE_MEDIAN_FRACTION * med, fence), medianNearest: med };
}

/** Near-duplicate pairs through a cosine kNN graph (approximate above 2000 rows), grouped into sets. */
export function nearDuplicates(points: Points, options: NearDuplicateOptions = {}): NearDuplicateResult {
  checkPoints(points);
  const { n } = points;
  checkTags(options, n);
  checkSeed(options.seed ?? 0);
  if (options.threshold !== undefined) checkThreshold("threshold", options.threshold, 0, 2);
  if (n < 2) return { threshold: options.threshold ?? 0, thresholdRule: options.threshold === undefined ? "default" : "given", medianNearest: 0, pairs: [], sets: [], method: "exact", k: 0 };
  const k = Math.min(n - 1, checkInt("k", options.k ?? 10, 1, 1024));
  const inv = inverseNorms(points);
  const graph = options.graph ?? cosineKnn(points, k, options, inv);
  if (graph.n !== n) throw new EngineInputError("LENGTH_MISMATCH", "graph", `expected a graph of ${n} rows, got ${graph.n}`);
  const gk = graph.k;
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = graph.distances[i * gk]!;
  const auto = defaultDuplicateThreshold(nearest);
  const threshold = options.threshold ?? auto.threshold;
  const found = new Map<number, number>(); // a·n + b (a < b) → distance
  for (let i = 0; i < n; i++) {
    for (let s = i * gk, e = s + gk; s < e; s++) {
      const d = graph.distances[s]!;
      if (d > threshold) break; // rows are sorted nearest first
      const j = graph.indices[s]!;
      if (j < 0) continue;
      const a = Math.min(i, j), b = Math.max(i, j);
      found.set(a * n + b, d);
    }
  }
  const pairs: DuplicatePair[] = [...found].map(([key, distance]) => ({ a: Math.floor(key / n), b: key % n, distance })).sort((x, y) => x.a - y.a || x.b - y.b);
  const { uf, maxDist } = unite(n, pairs);
  return {
    threshold,
    thresholdRule: options.threshold === undefined ? "default" : "given",
    medianNearest: auto.medianNearest,
    pairs,
    sets: collectSets(uf, n, maxDist, options),
    method: graph.method,
    k: gk,
  };
}

function unite(n: number, pairs: DuplicatePair[]): { uf: UnionFind; maxDist: Map<number, number> } {
  const uf = new UnionFind(n);
  for (const p of pairs) uf.union(p.a, p.b);
  const maxDist = new Map<number, number>();
  for (const p of pairs) {
    const r = uf.find(p.a);
    maxDist.set(r, Math.max(maxDist.get(r) ?? 0, p.distance));
  }
  return { uf, maxDist };
}

/**
 * The reference: every pair (i, j), i < j, with cosine distance ≤ threshold, by brute force,
 * O(n² · dim). `rows` restricts the first member to those rows (the second is any row ≠ i), which is
 * how the benchmark measures a sample of rows and extrapolates.
 */
export function exactNearDuplicatePairs(points: Points, threshold: number, options: { rows?: ArrayLike<number> } = {}): DuplicatePair[] {
  checkPoints(points);
  checkThreshold("threshold", threshold, 0, 2);
  const { n, dim, data } = points;
  const inv = inverseNorms(points);
  const out: DuplicatePair[] = [];
  if (options.rows) {
    const q = new Float64Array(dim);
    for (let t0 = 0; t0 < options.rows.length; t0++) {
      const i = options.rows[t0]!;
      for (let t = 0; t < dim; t++) q[t] = data[i * dim + t]! * inv[i]!;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = 1 - dotQuery(q, data, dim, j) * inv[j]!;
        if (d <= threshold) out.push({ a: Math.min(i, j), b: Math.max(i, j), distance: Math.max(0, d) });
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = cosineDistance(data, dim, inv, i, j);
        if (d <= threshold) out.push({ a: i, b: j, distance: d });
      }
    }
  }
  return out.sort((x, y) => x.a - y.a || x.b - y.b);
}

/** Sets from any list of pairs (e.g. exactNearDuplicatePairs), flagged as nearDuplicates does. */
export function duplicateSets(n: number, pairs: DuplicatePair[], tags: RowTags = {}): DuplicateSet[] {
  checkTags(tags, n);
  const { uf, maxDist } = unite(n, pairs);
  return collectSets(uf, n, maxDist, tags);
}
