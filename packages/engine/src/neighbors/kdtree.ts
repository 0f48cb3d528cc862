// A kd-tree over row-major points: split on the widest side of the node's bounding box at the
// median (quickselect), leaves of up to `leafSize` points, and bounding boxes on every node so
// queries prune by the true box distance. Radius queries serve DBSCAN; kNN queries serve the
// k-distance curve of the eps chooser. Effective in low dimension (2–20); in high dimension it
// degrades gracefully towards a linear scan.
import { EngineInputError, type Points } from "../types.js";
import { heapPush, heapSortRows } from "./heap.js";
import { IndexBuffer, type RadiusIndex } from "./radius.js";

export class KdTree implements RadiusIndex {
  readonly n: number;
  readonly dim: number;
  private readonly data: Points["data"];
  /** Point order: node ranges index into this. */
  private readonly perm: Int32Array;
  private start: Int32Array;
  private end: Int32Array;
  private left: Int32Array;
  private right: Int32Array;
  private lo: Float64Array;
  private hi: Float64Array;
  private count = 0;
  private readonly stack = new Int32Array(256);

  constructor(points: Points, readonly leafSize = 16) {
    const { n, dim, data } = points;
    if (n < 1) throw new EngineInputError("EMPTY_INPUT", "points", "kdTree: expected at least 1 point, got 0");
    this.n = n;
    this.dim = dim;
    this.data = data;
    this.perm = new Int32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
    const cap = Math.max(1, 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 1);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.lo = new Float64Array(cap * dim);
    this.hi = new Float64Array(cap * dim);
    this.build(0, n, 0);
  }

  private build(s: number, e: number, depth: number): number {
    const node = this.count++;
    const { dim, data, perm } = this;
    this.start[node] = s;
    this.end[node] = e;
    this.left[node] = -1;
    this.right[node] = -1;
    const lo = this.lo;
    const hi = this.hi;
    const bo = node * dim;
    for (let t = 0; t < dim; t++) {
      lo[bo + t] = Infinity;
      hi[bo + t] = -Infinity;
    }
    for (let p = s; p < e; p++) {
      const o = perm[p]! * dim;
      for (let t = 0; t < dim; t++) {
        const v = data[o + t]!;
        if (v < lo[bo + t]!) lo[bo + t] = v;
        if (v > hi[bo + t]!) hi[bo + t] = v;
      }
    }
    if (e - s <= this.leafSize || depth > 60) return node;
    let split = 0;
    let width = -1;
    for (let t = 0; t < dim; t++) {
      const w = hi[bo + t]! - lo[bo + t]!;
      if (w > width) {
        width = w;
        split = t;
      }
    }
    if (width <= 0) return node; // all points identical: keep as one leaf
    const mid = (s + e) >> 1;
    this.select(s, e - 1, mid, split);
    const l = this.build(s, mid, depth + 1);
    const r = this.build(mid, e, depth + 1);
    this.left[node] = l;
    this.right[node] = r;
    return node;
  }

  /** Quickselect on perm[a..b] by coordinate t so that perm[m] holds the median. */
  private select(a: number, b: number, m: number, t: number): void {
    const { perm, data, dim } = this;
    while (b > a) {
      const pv = data[perm[(a + b) >> 1]! * dim + t]!;
      let i = a;
      let j = b;
      while (i <= j) {
        while (data[perm[i]! * dim + t]! < pv) i++;
        while (data[perm[j]! * dim + t]! > pv) j--;
        if (i <= j) {
          const tmp = perm[i]!;
          perm[i] = perm[j]!;
          perm[j] = tmp;
          i++;
          j--;
        }
      }
      if (m <= j) b = j;
      else if (m >= i) a = i;
      else return;
    }
  }

  private boxDist2(node: number, q: number): number {
    const { dim, data, lo, hi } = this;
    const bo = node * dim;
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[q + t]!;
      const a = lo[bo + t]!;
      const b = hi[bo + t]!;
      const d = v < a ? a - v : v > b ? v - b : 0;
      s += d * d;
    }
    return s;
  }

  private dist2(q: number, p: number): number {
    const { dim, data } = this;
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[q + t]! - data[p + t]!;
      s += v * v;
    }
    return s;
  }

  radiusNeighbors(i: number, radius: number, out: IndexBuffer): void {
    out.length = 0;
    this.radiusScan(i, radius, out);
  }

  radiusCount(i: number, radius: number): number {
    return this.radiusScan(i, radius, null);
  }

  private radiusScan(i: number, radius: number, out: IndexBuffer | null): number {
    const r2 = radius * radius;
    const q = i * this.dim;
    const stack = this.stack;
    let top = 0;
    let found = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top]!;
      if (this.boxDist2(node, q) > r2) continue;
      const l = this.left[node]!;
      if (l < 0) {
        for (let p = this.start[node]!, e = this.end[node]!; p < e; p++) {
          const j = this.perm[p]!;
          if (this.dist2(q, j * this.dim) <= r2) {
            found++;
            if (out) out.push(j);
          }
        }
      } else {
        stack[top++] = this.right[node]!;
        stack[top++] = l;
      }
    }
    return found;
  }

  /**
   * The k nearest other points of every point: indices and Euclidean distances, nearest first, at
   * [i*k, (i+1)*k). Exact.
   */
  allKnn(k: number): { indices: Int32Array; distances: Float64Array } {
    const { n, dim } = this;
    if (!Number.isInteger(k) || k < 1 || k > n - 1) {
      throw new EngineInputError("BAD_K", "k", `kdTree.allKnn: expected k in 1..${n - 1}, got ${k}`);
    }
    const dist = new Float64Array(n * k).fill(Infinity);
    const idx = new Int32Array(n * k).fill(-1);
    const stack = this.stack;
    for (let i = 0; i < n; i++) {
      const q = i * dim;
      const off = i * k;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top]!;
        if (this.boxDist2(node, q) > dist[off]!) continue;
        const l = this.left[node]!;
        if (l < 0) {
          for (let p = this.start[node]!, e = this.end[node]!; p < e; p++) {
            const j = this.perm[p]!;
            if (j === i) continue;
            heapPush(dist, idx, i, k, this.dist2(q, j * dim), j);
          }
        } else {
          // visit the nearer child first
          const r = this.right[node]!;
          const dl = this.boxDist2(l, q);
          const dr = this.boxDist2(r, q);
          if (dl <= dr) {
            stack[top++] = r;
            stack[top++] = l;
          } else {
            stack[top++] = l;
            stack[top++] = r;
          }
        }
      }
    }
    heapSortRows(dist, idx, n, k);
    for (let t = 0; t < dist.length; t++) dist[t] = Math.sqrt(dist[t]!);
    return { indices: idx, distances: dist };
  }
}

export { IndexBuffer };
