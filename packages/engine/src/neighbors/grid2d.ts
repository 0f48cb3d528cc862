// A uniform grid for 2-D radius queries with a fixed radius (DBSCAN's eps). Points are sorted by
// cell key (row · width + column), so the cells of one grid row that a query touches form one
// contiguous run found by binary search: three runs per query, no hash map, no per-cell arrays.
import { EngineInputError, type Points } from "../types.js";
import { IndexBuffer, type RadiusIndex } from "./radius.js";

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
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = data[2 * i]!, y = data[2 * i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
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
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < points.n; i++) {
      const x = points.data[2 * i]!, y = points.data[2 * i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
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
