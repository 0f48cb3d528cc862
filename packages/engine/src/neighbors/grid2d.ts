// A uniform grid for 2-D radius queries with a fixed radius (DBSCAN's eps). Points are sorted by
// cell key (row · width + column), so the cells of one grid row that a query touches form one
// contiguous run found by binary search: three runs per query, no hash map, no per-cell arrays.
import { EngineInputError, type Points } from "../types.js";
import { IndexBuffer, type RadiusIndex } from "./radius.js";

/** [minX, minY, maxX, maxY] of n interleaved 2-D points (x0 y0 x1 y1 …); ±Infinity when n = 0. */
export function bounds2d(data: ArrayLike<number>, n: number): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = data[2 * i]!, y = data[2 * i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

export class Grid2D implements RadiusIndex {
  private readonly order: Int32Array;
  private readonly keys: Float64Array;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly width: number;
  private readonly minX: number;
  private readonly minY: number;

  /** `cell` is the radius the grid is built for; queries with a larger radius are refused. */
  constructor(points: Points, readonly cell: number) {
    const { n, dim, data } = points;
    if (dim !== 2) throw new EngineInputError("BAD_DIM", "points", `grid2d: expected dim 2, got ${dim}`);
    if (!(cell > 0) || !Number.isFinite(cell)) throw new EngineInputError("BAD_EPS", "eps", `grid2d: expected a cell size > 0, got ${cell}`);
    const [minX, minY, maxX, maxY] = bounds2d(data, n);
    this.minX = minX;
    this.minY = minY;
    this.width = Math.floor((maxX - minX) / cell) + 3;
    if (!Grid2D.fits(maxX - minX, maxY - minY, cell)) {
      throw new EngineInputError("EPS_TOO_SMALL", "eps", `grid2d: eps ${cell} is too small for a layout ${maxX - minX} wide`);
    }
    const raw = new Float64Array(n);
    for (let i = 0; i < n; i++) raw[i] = this.key(data[2 * i]!, data[2 * i + 1]!);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => raw[a]! - raw[b]! || a - b);
    this.order = order;
    this.keys = new Float64Array(n);
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      const i = order[p]!;
      this.keys[p] = raw[i]!;
      this.xs[p] = data[2 * i]!;
      this.ys[p] = data[2 * i + 1]!;
    }
    this.pos = new Int32Array(n);
    for (let p = 0; p < n; p++) this.pos[order[p]!] = p;
  }
  private readonly pos: Int32Array;

  /** Whether a grid of this cell size over this extent keeps its keys exact (else use a kd-tree). */
  static fits(width: number, height: number, cell: number): boolean {
    return width / cell < 2 ** 24 && height / cell < 2 ** 26;
  }

  /** Extent of 2-D points: [width, height]. */
  static extent(points: Points): [number, number] {
    const [minX, minY, maxX, maxY] = bounds2d(points.data, points.n);
    return [maxX - minX, maxY - minY];
  }

  private key(x: number, y: number): number {
    const cx = Math.floor((x - this.minX) / this.cell) + 1;
    const cy = Math.floor((y - this.minY) / this.cell) + 1;
    return cy * this.width + cx;
  }

  private lowerBound(key: number): number {
    let a = 0;
    let b = this.keys.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.keys[m]! < key) a = m + 1;
      else b = m;
    }
    return a;
  }

  private scan(i: number, radius: number, out: IndexBuffer | null): number {
    if (radius > this.cell) throw new RangeError(`grid2d: radius ${radius} exceeds the cell size ${this.cell}`);
    const p = this.pos[i]!;
    const x = this.xs[p]!, y = this.ys[p]!;
    const r2 = radius * radius;
    const k = this.key(x, y);
    let found = 0;
    for (let dy = -1; dy <= 1; dy++) {
      const from = k + dy * this.width - 1;
      const to = from + 2;
      for (let q = this.lowerBound(from), n = this.keys.length; q < n && this.keys[q]! <= to; q++) {
        const dx = this.xs[q]! - x;
        const ddy = this.ys[q]! - y;
        if (dx * dx + ddy * ddy <= r2) {
          found++;
          if (out) out.push(this.order[q]!);
        }
      }
    }
    return found;
  }

  radiusNeighbors(i: number, radius: number, out: IndexBuffer): void {
    out.length = 0;
    this.scan(i, radius, out);
  }

  radiusCount(i: number, radius: number): number {
    return this.scan(i, radius, null);
  }
}

/**
 * The non-empty cells of a square 2-D grid, for grid DBSCAN (cluster/dbscan-grid.ts), with points
 * bucketed by cell (a counting sort: points in row order within a cell). While the grid's bounding
 * box has at most 8n + 65536 cells, a flat table maps (column, row) to a cell and everything is O(n).
 * Cells are numbered in (row, column) order. Sparser layouts (a few far-apart islands, or eps
 * tiny against the extent) use an open-addressing hash instead, so memory stays O(n), and one native
 * numeric sort of the cell keys gives the numbering.
 */
export class CellGrid2D {
  /** Number of non-empty cells. */
  readonly m: number;
  /** Cell c holds sorted positions start[c] .. start[c + 1). */
  readonly start: Int32Array;
  /** Sorted position → row of the input. */
  readonly order: Int32Array;
  /** Coordinates by sorted position. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Row of the input → its cell. */
  readonly cellOf: Int32Array;
  /** Column and row of each cell. */
  readonly cellX: Int32Array;
  readonly cellY: Int32Array;
  // flat table: (row + 2) · stride + column + 2 → cell (the margin of 2 spares bounds checks)
  private readonly flat: Int32Array | null = null;
  private readonly stride: number = 0;
  // hash table (linear probing) over (column, row): slots of [column, row, cell], one cache line a probe
  private readonly slots: Int32Array | null = null;
  private readonly mask: number = 0;
  // with the hash: each cell's key row · cols + column, ascending (cells are numbered in this order)
  private readonly cellKeys: Float64Array | null = null;
  private readonly cols: number = 0;

  constructor(points: Points, readonly side: number) {
    const { n, dim, data } = points;
    if (dim !== 2) throw new EngineInputError("BAD_DIM", "points", `grid2d: expected dim 2, got ${dim}`);
    if (!(side > 0) || !Number.isFinite(side)) throw new EngineInputError("BAD_EPS", "eps", `grid2d: expected a cell size > 0, got ${side}`);
    const [minX, minY, maxX, maxY] = bounds2d(data, n);
    if (!Grid2D.fits(maxX - minX, maxY - minY, side)) {
      throw new EngineInputError("EPS_TOO_SMALL", "eps", `grid2d: eps ${side} is too small for a layout ${maxX - minX} wide`);
    }
    const cols = Math.floor((maxX - minX) / side) + 1;
    const rows = Math.floor((maxY - minY) / side) + 1;
    const cellOf = new Int32Array(n);
    const cellX = new Int32Array(n);
    const cellY = new Int32Array(n);
    let m = 0;
    // a flat table of up to 8n cells costs about what the hash does (3 Int32 per slot, ≥ 2n slots)
    if ((cols + 4) * (rows + 4) <= 8 * n + 65536) {
      const stride = cols + 4;
      const flat = new Int32Array(stride * (rows + 4)).fill(-1);
      // mark occupied slots, number them in (row, column) order (so neighbouring cells have nearby
      // numbers and their per-cell data shares cache lines), then give each point its cell
      for (let i = 0; i < n; i++) {
        const t = (Math.floor((data[2 * i + 1]! - minY) / side) + 2) * stride + Math.floor((data[2 * i]! - minX) / side) + 2;
        cellOf[i] = t;
        flat[t] = 0;
      }
      for (let t = 0; t < flat.length; t++) {
        if (flat[t] === 0) {
          const cy = Math.floor(t / stride);
          cellX[m] = t - cy * stride - 2;
          cellY[m] = cy - 2;
          flat[t] = m++;
        }
      }
      for (let i = 0; i < n; i++) cellOf[i] = flat[cellOf[i]!]!;
      this.flat = flat;
      this.stride = stride;
    } else {
      // Sparse layout: cells numbered in (row, column) order, from a native sort of the points' cell
      // keys, so neighbourLists() finds neighbour rows by walking pointers instead of hashing each of
      // the 20 cells around every cell (random probes into a table far larger than the caches).
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const cx = Math.floor((data[2 * i]! - minX) / side);
        const cy = Math.floor((data[2 * i + 1]! - minY) / side);
        keys[i] = cy * cols + cx;
      }
      const sorted = keys.slice().sort();
      for (let t = 0; t < n; t++) if (t === 0 || sorted[t] !== sorted[m - 1]) sorted[m++] = sorted[t]!;
      const cellKeys = sorted.slice(0, m);
      let cap = 16;
      while (cap < 2 * m) cap *= 2;
      const slots = new Int32Array(3 * cap);
      for (let h = 0; h < cap; h++) slots[3 * h + 2] = -1;
      const mask = cap - 1;
      for (let c = 0; c < m; c++) {
        const cy = Math.floor(cellKeys[c]! / cols);
        const cx = cellKeys[c]! - cy * cols;
        cellX[c] = cx;
        cellY[c] = cy;
        let h = hash(cx, cy) & mask;
        while (slots[3 * h + 2]! >= 0) h = (h + 1) & mask;
        slots[3 * h] = cx;
        slots[3 * h + 1] = cy;
        slots[3 * h + 2] = c;
      }
      this.slots = slots;
      this.mask = mask;
      this.cellKeys = cellKeys;
      this.cols = cols;
      for (let i = 0; i < n; i++) {
        const cy = Math.floor(keys[i]! / cols);
        cellOf[i] = this.find(keys[i]! - cy * cols, cy);
      }
    }
    this.m = m;
    this.cellOf = cellOf;
    this.cellX = cellX.slice(0, m);
    this.cellY = cellY.slice(0, m);
    // counting sort by cell, stable in row order
    const start = new Int32Array(m + 1);
    for (let i = 0; i < n; i++) start[cellOf[i]! + 1] = start[cellOf[i]! + 1]! + 1;
    for (let c = 0; c < m; c++) start[c + 1] = start[c + 1]! + start[c]!;
    const fill = start.slice(0, m);
    const order = new Int32Array(n);
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = cellOf[i]!;
      const p = fill[c]!;
      fill[c] = p + 1;
      order[p] = i;
      xs[p] = data[2 * i]!;
      ys[p] = data[2 * i + 1]!;
    }
    this.start = start;
    this.order = order;
    this.xs = xs;
    this.ys = ys;
  }

  /** The cell at (column, row), or -1 when it holds no point. */
  find(cx: number, cy: number): number {
    if (this.flat) {
      // columns and rows beyond the margin of 2 are never asked for by neighbours()
      return this.flat[(cy + 2) * this.stride + cx + 2]!;
    }
    const slots = this.slots!, mask = this.mask;
    let h = hash(cx, cy) & mask;
    for (;;) {
      const c = slots[3 * h + 2]!;
      if (c < 0 || (slots[3 * h] === cx && slots[3 * h + 1] === cy)) return c;
      h = (h + 1) & mask;
    }
  }

  /**
   * Writes into `out` (length ≥ 20) the non-empty cells among the 5 × 5 block around cell c without
   * its centre and its four corners; the 8 adjacent cells come first. Returns [count, adjacent count]
   * packed as count | adjacent << 8.
   */
  neighbours(c: number, out: Int32Array): number {
    const cx = this.cellX[c]!, cy = this.cellY[c]!;
    let k = 0;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue;
        const d = this.find(cx + dx, cy + dy);
        if (d >= 0) out[k++] = d;
      }
    }
    const adjacent = k;
    for (let t = 0; t < RING.length; t += 2) {
      const d = this.find(cx + RING[t]!, cy + RING[t + 1]!);
      if (d >= 0) out[k++] = d;
    }
    return k | (adjacent << 8);
  }

  /**
   * neighbours() of every cell at once, as compressed rows: cell c's neighbours are
   * list[start[c] .. start[c + 1]), the adjacent ones up to adjacentEnd[c]. At most 20 per cell.
   */
  neighbourLists(): { start: Int32Array; adjacentEnd: Int32Array; list: Int32Array } {
    const m = this.m;
    const start = new Int32Array(m + 1);
    const adjacentEnd = new Int32Array(m);
    let list = new Int32Array(Math.max(64, 4 * m));
    const out = new Int32Array(20);
    const keys = this.cellKeys, cols = this.cols;
    const ptr = new Int32Array(5);
    const ring = new Int32Array(12);
    let k = 0;
    for (let c = 0; c < m; c++) {
      let count: number, adjacent: number;
      if (!keys) {
        const packed = this.neighbours(c, out);
        count = packed & 255;
        adjacent = packed >> 8;
      } else {
        // rows cy − 2 .. cy + 2: the cells with columns cx − 2 .. cx + 2 are one run of the sorted
        // keys, and each run's start only moves forward as c does
        const cx = this.cellX[c]!, cy = this.cellY[c]!;
        const x0 = Math.max(cx - 2, 0), x1 = Math.min(cx + 2, cols - 1);
        adjacent = 0;
        let r = 0;
        for (let j = 0; j < 5; j++) {
          const dy = j - 2;
          const lo = (cy + dy) * cols + x0, hi = (cy + dy) * cols + x1;
          let q = ptr[j]!;
          while (q < m && keys[q]! < lo) q++;
          ptr[j] = q;
          for (; q < m && keys[q]! <= hi; q++) {
            const dx = this.cellX[q]! - cx;
            if (dx === 0 && dy === 0) continue;
            const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
            if (ax <= 1 && ay <= 1) out[adjacent++] = q;
            else if (ax < 2 || ay < 2) ring[r++] = q;
          }
        }
        for (let t = 0; t < r; t++) out[adjacent + t] = ring[t]!;
        count = adjacent + r;
      }
      if (k + count > list.length) {
        const next = new Int32Array(Math.max(2 * list.length, k + count));
        next.set(list);
        list = next;
      }
      for (let t = 0; t < count; t++) list[k + t] = out[t]!;
      adjacentEnd[c] = k + adjacent;
      k += count;
      start[c + 1] = k;
    }
    return { start, adjacentEnd, list: list.slice(0, k) };
  }
}

// The outer ring of the 5 × 5 block without its corners: (dx, dy) pairs.
const RING = Int8Array.from([-1, -2, 0, -2, 1, -2, -1, 2, 0, 2, 1, 2, -2, -1, -2, 0, -2, 1, 2, -1, 2, 0, 2, 1]);

// Slot of a cell: a 4 × 4 block of cells shares 16 consecutive slots (so the 5 × 5 neighbourhood of a
// cell touches a few cache lines, not 20), blocks are spread by murmur3's finaliser.
function hash(cx: number, cy: number): number {
  let h = Math.imul(cx >> 2, 0x9e3779b1) ^ Math.imul(cy >> 2, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h << 4) | ((cy & 3) << 2) | (cx & 3)) >>> 0;
}
