// Shared pieces of the data-quality module: argument checks (typed errors naming the field), cosine
// distance on the caller's matrix without copying it (one inverse norm per row), union-find.
import { EngineInputError, type Points } from "../types.js";

/** Checks shape and finiteness once, so the hot loops need not. */
export function checkPoints(points: Points, field = "points"): void {
  const { n, dim, data } = points;
  if (!Number.isInteger(n) || n < 1) throw new EngineInputError("EMPTY_INPUT", field, `expected at least 1 row, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new EngineInputError("BAD_DIM", `${field}.dim`, `expected dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) throw new EngineInputError("LENGTH_MISMATCH", `${field}.data`, `expected ${n}×${dim} = ${n * dim} values, got ${data.length}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new EngineInputError("NON_FINITE", `${field}.data`, `row ${Math.floor(i / dim)}: expected finite values, got ${data[i]}`);
  }
}

export function checkLength(field: string, values: ArrayLike<unknown> | undefined, n: number): void {
  if (values !== undefined && values.length !== n) throw new EngineInputError("LENGTH_MISMATCH", field, `expected ${n} values (one per row), got ${values.length}`);
}

export function checkInt(field: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new EngineInputError("BAD_PARAM", field, `expected an integer in ${lo}..${hi}, got ${v}`);
  return v;
}

export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new EngineInputError("BAD_SEED", "seed", `expected an integer in 0..2³²−1, got ${seed}`);
  return seed;
}

/** A threshold strictly inside (lo, hi] (cosine distance lives in [0, 2]). */
export function checkThreshold(field: string, v: number, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= lo || v > hi) {
    throw new EngineInputError("BAD_THRESHOLD", field, `expected a number in (${lo}, ${hi}], got ${v}`);
  }
  return v;
}

/** 1/‖row‖ for every row (0 for an all-zero row, whose cosine with anything is then 0). */
export function inverseNorms(points: Points): Float64Array {
  const { n, dim, data } = points;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * dim, e = t + dim; t < e; t++) s += data[t]! * data[t]!;
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return inv;
}

/** Dot product of rows a and b of the same matrix (4-way unrolled: this is the inner loop of everything). */
export function dotRows(data: Points["data"], dim: number, a: number, b: number): number {
  const oa = a * dim, ob = b * dim;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t = 0;
  for (; t + 3 < dim; t += 4) {
    s0 += data[oa + t]! * data[ob + t]!;
    s1 += data[oa + t + 1]! * data[ob + t + 1]!;
    s2 += data[oa + t + 2]! * data[ob + t + 2]!;
    s3 += data[oa + t + 3]! * data[ob + t + 3]!;
  }
  for (; t < dim; t++) s0 += data[oa + t]! * data[ob + t]!;
  return s0 + s1 + s2 + s3;
}

/** Dot product of a query vector with row b. */
export function dotQuery(q: Float64Array, data: Points["data"], dim: number, b: number): number {
  const ob = b * dim;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t = 0;
  for (; t + 3 < dim; t += 4) {
    s0 += q[t]! * data[ob + t]!;
    s1 += q[t + 1]! * data[ob + t + 1]!;
    s2 += q[t + 2]! * data[ob + t + 2]!;
    s3 += q[t + 3]! * data[ob + t + 3]!;
  }
  for (; t < dim; t++) s0 += q[t]! * data[ob + t]!;
  return s0 + s1 + s2 + s3;
}

/** Cosine distance 1 − cos(a, b) of two rows, clamped to [0, 2] (rounding can step just outside). */
export function cosineDistance(data: Points["data"], dim: number, inv: Float64Array, a: number, b: number): number {
  const d = 1 - dotRows(data, dim, a, b) * inv[a]! * inv[b]!;
  return d < 0 ? 0 : d > 2 ? 2 : d;
}

/** Union-find with path halving and union by size. */
export class UnionFind {
  readonly parent: Int32Array;
  private readonly size: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] = this.size[ra]! + this.size[rb]!;
  }
}

/** Median of a copy (NaN for none). */
export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}
