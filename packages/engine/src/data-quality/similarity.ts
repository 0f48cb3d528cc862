// "More like this": cosine top-k search. `exactSimilar` scans every row (the reference).
// `buildSimilarityIndex` builds, once per embedding set, an undirected kNN graph (cosineKnn:
// projected NN-descent, re-scored in the full space; each row keeps its k out-edges and the rows that
// list it, capped at 2k nearest) and a seeded set of pivot rows. `similarTo` compares the query with
// every pivot, starts a best-first beam search (width `ef`) from the nearest pivots and walks the
// graph with exact full-space cosine distances. The pivots make the search reach every part of the
// data even when the kNN graph falls apart into one component per cluster.
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";
import { checkInt, checkPoints, checkSeed, dotQuery, inverseNorms } from "./common.js";
import { cosineKnn, type CosineKnn, type CosineKnnOptions } from "./knn.js";

export interface SimilarityIndexOptions extends CosineKnnOptions {
  /** Out-degree of the graph before reverse edges (default 16). */
  k?: number;
  /** Entry pivots (default min(n, 1024)). */
  pivots?: number;
  /** A graph built already (e.g. the one nearDuplicates used), with k ≥ 1; skips the build. */
  graph?: CosineKnn;
}

export interface SimilarityIndex {
  readonly points: Points;
  /** Inverse row norms. */
  readonly inv: Float64Array;
  /** CSR adjacency: row i's neighbours are adjacency[offsets[i] .. offsets[i+1]). */
  readonly offsets: Int32Array;
  readonly adjacency: Int32Array;
  readonly pivotRows: Int32Array;
  /** The kNN graph the index was built from (reusable for duplicates, outliers, label errors). */
  readonly graph: CosineKnn;
  /** Scratch for the visited set (generation stamps): one query at a time per index. */
  readonly visited: Uint32Array;
  stamp: number;
}

export interface SimilarResult {
  /** Row numbers, most similar first. */
  rows: Int32Array;
  /** Cosine similarity of each (1 = same direction). */
  scores: Float64Array;
  /** Rows whose distance was computed (cost of the query). */
  evaluated: number;
}

export interface SimilarOptions {
  /** A row left out of the answer (the query's own row for "more like this"). */
  exclude?: number;
  /** Beam width (default max(64, 2k)); larger is slower and more accurate. */
  ef?: number;
}

export function buildSimilarityIndex(points: Points, options: SimilarityIndexOptions = {}): SimilarityIndex {
  checkPoints(points);
  const { n } = points;
  const seed = checkSeed(options.seed ?? 0);
  const inv = inverseNorms(points);
  const k = Math.min(n - 1, checkInt("k", options.k ?? 16, 1, 1024));
  const graph = options.graph ?? (n > 1 ? cosineKnn(points, k, options, inv) : { n, k: 0, indices: new Int32Array(0), distances: new Float64Array(0), method: "exact" as const });
  if (graph.n !== n) throw new EngineInputError("LENGTH_MISMATCH", "graph", `expected a graph of ${n} rows, got ${graph.n}`);
  const gk = graph.k;
  // undirected: out-edges plus in-edges, each row capped at 2·gk nearest
  const cap = 2 * gk;
  const deg = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let s = i * gk; s < (i + 1) * gk; s++) {
      const j = graph.indices[s]!;
      if (j >= 0) {
        deg[i]!++;
        deg[j]!++;
      }
    }
  }
  const tmpOff = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) tmpOff[i + 1] = tmpOff[i]! + deg[i]!;
  const tmpAdj = new Int32Array(tmpOff[n]!);
  const tmpDist = new Float64Array(tmpOff[n]!);
  const fill = tmpOff.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let s = i * gk; s < (i + 1) * gk; s++) {
      const j = graph.indices[s]!;
      if (j < 0) continue;
      const d = graph.distances[s]!;
      tmpAdj[fill[i]!] = j;
      tmpDist[fill[i]!++] = d;
      tmpAdj[fill[j]!] = i;
      tmpDist[fill[j]!++] = d;
    }
  }
  const offsets = new Int32Array(n + 1);
  const lists: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const a = tmpOff[i]!, b = tmpOff[i + 1]!;
    const order = Array.from({ length: b - a }, (_, t) => a + t).sort((x, y) => tmpDist[x]! - tmpDist[y]! || tmpAdj[x]! - tmpAdj[y]!);
    const seen = new Set<number>();
    const keep: number[] = [];
    for (const t of order) {
      const j = tmpAdj[t]!;
      if (seen.has(j)) continue;
      seen.add(j);
      keep.push(j);
      if (keep.length >= cap) break;
    }
    lists.push(Int32Array.from(keep));
    offsets[i + 1] = offsets[i]! + keep.length;
  }
  const adjacency = new Int32Array(offsets[n]!);
  lists.forEach((l, i) => adjacency.set(l, offsets[i]!));
  // seeded distinct pivots
  const np = Math.min(n, checkInt("pivots", options.pivots ?? 1024, 1, 1 << 20));
  const rng = createRng(seed ^ 0x9e3779b9);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let a = 0; a < np; a++) {
    const b = a + rng.int(n - a);
    const t = perm[a]!;
    perm[a] = perm[b]!;
    perm[b] = t;
  }
  const pivotRows = perm.slice(0, np).sort();
  return { points, inv, offsets, adjacency, pivotRows, graph, visited: new Uint32Array(n), stamp: 0 };
}

/** The query as a normalised float64 vector: a row number of the index's points or a vector. */
function queryVector(points: Points, inv: Float64Array, query: number | ArrayLike<number>): Float64Array {
  const { n, dim, data } = points;
  const q = new Float64Array(dim);
  if (typeof query === "number") {
    if (!Number.isInteger(query) || query < 0 || query >= n) throw new EngineInputError("BAD_PARAM", "query", `expected a row in 0..${n - 1}, got ${query}`);
    for (let t = 0; t < dim; t++) q[t] = data[query * dim + t]! * inv[query]!;
    return q;
  }
  if (query.length !== dim) throw new EngineInputError("DIM_MISMATCH", "query", `expected a ${dim}-dimensional vector, got ${query.length}`);
  let s = 0;
  for (let t = 0; t < dim; t++) {
    const v = query[t]!;
    if (!Number.isFinite(v)) throw new EngineInputError("NON_FINITE", "query", `expected finite values, got ${v} at ${t}`);
    q[t] = v;
    s += v * v;
  }
  const r = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let t = 0; t < dim; t++) q[t]! *= r;
  return q;
}

/** Exact top-k by cosine similarity over every row (ties to the lower row). */
export function exactSimilar(points: Points, query: number | ArrayLike<number>, k: number, options: { exclude?: number; inv?: Float64Array } = {}): SimilarResult {
  const { n, dim, data } = points;
  checkInt("k", k, 1, n);
  const inv = options.inv ?? inverseNorms(points);
  const q = queryVector(points, inv, query);
  const exclude = options.exclude ?? (typeof query === "number" ? query : -1);
  const heap = new TopK(k);
  for (let j = 0; j < n; j++) {
    if (j === exclude) continue;
    heap.offer(1 - dotQuery(q, data, dim, j) * inv[j]!, j);
  }
  return heap.result(n);
}

/**
 * Cosine similarity of the query to each of `rows` (row numbers of `points`; -1 gives NaN), in that order:
 * what the map colours by for "similarity to a chosen sample". One pass, n·dim multiply-adds.
 */
export function similarityToRows(points: Points, query: number | ArrayLike<number>, rows: ArrayLike<number>, options: { inv?: Float64Array } = {}): Float32Array {
  const { n, dim, data } = points;
  const inv = options.inv ?? inverseNorms(points);
  const q = queryVector(points, inv, query);
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const j = rows[i]!;
    out[i] = j >= 0 && j < n ? dotQuery(q, data, dim, j) * inv[j]! : NaN;
  }
  return out;
}

/** Approximate top-k through the index (see the file comment). A row query leaves its own row out. The pivots
 * all start the search; a frontier row is expanded only while it is nearer than the beam's worst. */
export function similarTo(index: SimilarityIndex, query: number | ArrayLike<number>, k: number, options: SimilarOptions = {}): SimilarResult {
  const { points, inv, offsets, adjacency, pivotRows, visited } = index;
  const { n, dim, data } = points;
  checkInt("k", k, 1, n);
  const ef = Math.max(k, checkInt("ef", options.ef ?? Math.max(64, 2 * k), 1, n));
  const q = queryVector(points, inv, query);
  const exclude = options.exclude ?? (typeof query === "number" ? query : -1);
  index.stamp = (index.stamp + 1) >>> 0;
  if (index.stamp === 0) {
    visited.fill(0);
    index.stamp = 1;
  }
  const stamp = index.stamp;
  let evaluated = 0;
  const distOf = (j: number): number => {
    evaluated++;
    return 1 - dotQuery(q, data, dim, j) * inv[j]!;
  };
  // every pivot competes for the beam and is a starting point; the beam's bound decides which get expanded
  const best = new TopK(ef); // the ef nearest rows seen (max-heap)
  const frontier = new MinHeap(); // rows to expand, nearest first
  for (let p = 0; p < pivotRows.length; p++) {
    const r = pivotRows[p]!;
    visited[r] = stamp;
    const d = distOf(r);
    best.offer(d, r);
    frontier.push(d, r);
  }
  while (frontier.size > 0) {
    const d = frontier.peekDist();
    if (best.full() && d > best.worst()) break;
    const i = frontier.pop();
    for (let s = offsets[i]!, e = offsets[i + 1]!; s < e; s++) {
      const j = adjacency[s]!;
      if (visited[j] === stamp) continue;
      visited[j] = stamp;
      const dj = distOf(j);
      if (!best.full() || dj < best.worst()) {
        best.offer(dj, j);
        frontier.push(dj, j);
      }
    }
  }
  // the beam holds ef rows; the answer is its k nearest, the excluded row left out
  const all = best.result(n);
  const rows: number[] = [];
  const scores: number[] = [];
  for (let t = 0; t < all.rows.length && rows.length < k; t++) {
    if (all.rows[t] === exclude) continue;
    rows.push(all.rows[t]!);
    scores.push(all.scores[t]!);
  }
  return { rows: Int32Array.from(rows), scores: Float64Array.from(scores), evaluated };
}

/** Bounded max-heap of (distance, row) keeping the k smallest; ties to the lower row. */
class TopK {
  private readonly d: Float64Array;
  private readonly r: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.d = new Float64Array(k);
    this.r = new Int32Array(k);
  }
  full(): boolean {
    return this.size === this.k;
  }
  worst(): number {
    return this.d[0]!;
  }
  private after(a: number, b: number): boolean {
    return this.d[a]! > this.d[b]! || (this.d[a] === this.d[b] && this.r[a]! > this.r[b]!);
  }
  private swap(a: number, b: number): void {
    const d = this.d[a]!, r = this.r[a]!;
    this.d[a] = this.d[b]!;
    this.r[a] = this.r[b]!;
    this.d[b] = d;
    this.r[b] = r;
  }
  offer(dist: number, row: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.d[i] = dist;
      this.r[i] = row;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.after(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    if (dist > this.d[0]! || (dist === this.d[0] && row > this.r[0]!)) return;
    this.d[0] = dist;
    this.r[0] = row;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, rr = l + 1;
      let c = i;
      if (l < this.size && this.after(l, c)) c = l;
      if (rr < this.size && this.after(rr, c)) c = rr;
      if (c === i) break;
      this.swap(i, c);
      i = c;
    }
  }
  /** Nearest first; scores are cosine similarities 1 − d. */
  result(_n: number): SimilarResult {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.d[a]! - this.d[b]! || this.r[a]! - this.r[b]!);
    return { rows: Int32Array.from(order, (i) => this.r[i]!), scores: Float64Array.from(order, (i) => 1 - this.d[i]!), evaluated: 0 };
  }
}

/** Unbounded binary min-heap of (distance, row). */
class MinHeap {
  private d: number[] = [];
  private r: number[] = [];
  get size(): number {
    return this.d.length;
  }
  peekDist(): number {
    return this.d[0]!;
  }
  push(dist: number, row: number): void {
    const d = this.d, r = this.r;
    let i = d.length;
    d.push(dist);
    r.push(row);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (d[p]! <= dist) break;
      d[i] = d[p]!;
      r[i] = r[p]!;
      i = p;
    }
    d[i] = dist;
    r[i] = row;
  }
  pop(): number {
    const d = this.d, r = this.r;
    const top = r[0]!;
    const lastD = d.pop()!, lastR = r.pop()!;
    const size = d.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const c = l + 1 < size && d[l + 1]! < d[l]! ? l + 1 : l;
        if (d[c]! >= lastD) break;
        d[i] = d[c]!;
        r[i] = r[c]!;
        i = c;
      }
      d[i] = lastD;
      r[i] = lastR;
    }
    return top;
  }
}
