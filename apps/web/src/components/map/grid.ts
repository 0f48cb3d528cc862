// A uniform grid over 2-D points for hover picking and lasso pruning on the CPU. Built once per layout
// in O(n) with a counting sort: `cellStart[c]..cellStart[c+1]` indexes `items`, which holds point ids.

export interface PointGrid {
  minX: number;
  minY: number;
  cell: number;
  cols: number;
  rows: number;
  cellStart: Int32Array;
  items: Int32Array;
  xs: Float32Array;
  ys: Float32Array;
}

/** `targetPerCell` points per cell on average (default 4). Empty input gives a 1×1 empty grid. */
export function buildGrid(xs: Float32Array, ys: Float32Array, targetPerCell = 4): PointGrid {
  if (xs.length !== ys.length) throw new RangeError(`buildGrid: expected xs and ys of equal length, got ${xs.length} and ${ys.length}`);
  const n = xs.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!, y = ys[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (n === 0) {
    return { minX: 0, minY: 0, cell: 1, cols: 1, rows: 1, cellStart: new Int32Array(2), items: new Int32Array(0), xs, ys };
  }
  const w = Math.max(maxX - minX, 1e-9), h = Math.max(maxY - minY, 1e-9);
  const cells = Math.max(1, Math.ceil(n / targetPerCell));
  let cell = Math.sqrt((w * h) / cells);
  if (!(cell > 0)) cell = Math.max(w, h) || 1;
  const cols = Math.min(4096, Math.max(1, Math.ceil(w / cell) + 1));
  const rows = Math.min(4096, Math.max(1, Math.ceil(h / cell) + 1));
  cell = Math.max(w / (cols - 0.5), h / (rows - 0.5), cell);
  const counts = new Int32Array(cols * rows + 1);
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(cols - 1, Math.floor((xs[i]! - minX) / cell)) + Math.min(rows - 1, Math.floor((ys[i]! - minY) / cell)) * cols;
    cellOf[i] = c;
    counts[c + 1]!++;
  }
  for (let c = 0; c < cols * rows; c++) counts[c + 1]! += counts[c]!;
  const cellStart = counts;
  const fill = cellStart.slice(0, cols * rows);
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[fill[cellOf[i]!]!++] = i;
  return { minX, minY, cell, cols, rows, cellStart, items, xs, ys };
}

/**
 * The nearest point to (x, y) within `radius` (data units) for which `visible(i)` holds, or -1.
 * Scans only the cells the radius touches.
 */
export function nearest(g: PointGrid, x: number, y: number, radius: number, visible?: (i: number) => boolean): number {
  const c0 = Math.max(0, Math.floor((x - radius - g.minX) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((x + radius - g.minX) / g.cell));
  const r0 = Math.max(0, Math.floor((y - radius - g.minY) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((y + radius - g.minY) / g.cell));
  let best = -1;
  let bestD = radius * radius;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      for (let k = g.cellStart[cell]!, end = g.cellStart[cell + 1]!; k < end; k++) {
        const i = g.items[k]!;
        const dx = g.xs[i]! - x, dy = g.ys[i]! - y;
        const d = dx * dx + dy * dy;
        if (d <= bestD && (!visible || visible(i))) {
          bestD = d;
          best = i;
        }
      }
    }
  }
  return best;
}

/** Even-odd point-in-polygon; `poly` is flat [x0, y0, x1, y1, ...]. */
export function insidePolygon(poly: ArrayLike<number>, x: number, y: number): boolean {
  let inside = false;
  const m = poly.length >> 1;
  for (let a = 0, b = m - 1; a < m; b = a++) {
    const xa = poly[2 * a]!, ya = poly[2 * a + 1]!, xb = poly[2 * b]!, yb = poly[2 * b + 1]!;
    if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/** Ids of the points inside a lasso polygon (data units), ascending. Fewer than 3 vertices selects nothing. */
export function lassoSelect(g: PointGrid, poly: ArrayLike<number>, visible?: (i: number) => boolean): Int32Array {
  const m = poly.length >> 1;
  if (m < 3) return new Int32Array(0);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < m; k++) {
    const x = poly[2 * k]!, y = poly[2 * k + 1]!;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const c0 = Math.max(0, Math.floor((minX - g.minX) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((maxX - g.minX) / g.cell));
  const r0 = Math.max(0, Math.floor((minY - g.minY) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((maxY - g.minY) / g.cell));
  const out: number[] = [];
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      for (let k = g.cellStart[cell]!, end = g.cellStart[cell + 1]!; k < end; k++) {
        const i = g.items[k]!;
        if ((!visible || visible(i)) && insidePolygon(poly, g.xs[i]!, g.ys[i]!)) out.push(i);
      }
    }
  }
  return Int32Array.from(out).sort();
}
