// DBSCAN in 2-D in time linear in n for fixed eps and minPts, on a grid of cells of side eps/√2
// (the grid idea of Gunawan 2013 and de Berg, Gunawan & Roeloffzen 2017; our own code):
//
// 1. A cell's diagonal is at most eps, so all points of a cell are neighbours of each other: a cell
//    holding ≥ minPts points is all core with no distance computed. A point of a sparser cell counts
//    its neighbours in the 20 cells around its own (the 5 × 5 block without its corners: with
//    side ≥ eps/√2 a corner cell is more than eps away), stopping at minPts.
// 2. The core points of one cell are one connected piece, so clusters are unions of cells: a
//    union-find over cells joins two neighbouring cells when some core pair across them lies within
//    eps. That check runs only when the two cells are not joined already (adjacent cells first, so
//    most ring pairs are decided by then) and exits at the first pair found.
// 3. Cluster numbers follow the lowest-index core point of each cluster, and a border point takes
//    the *lowest-numbered* cluster among those with a core point within eps. That is exactly what
//    scikit-learn's (and our query-based) expansion in row order produces: clusters are expanded one
//    at a time in that order, and a border point keeps the first cluster that reaches it. So labels
//    are identical to scikit-learn's, border ties included, given the same distances.
//
// Exactness. Distances are compared as dx·dx + dy·dy ≤ eps·eps in float64, the same expression as
// scikit-learn's kd-tree. Whole-cell shortcuts use bounding boxes of the points themselves, and are
// exact because rounding is monotone: every pair inside a box has a computed distance no larger than
// the box's (and no smaller than the box gap). The cell side is eps/√2 · (1 + 1e-7): the slack beats
// the rounding of a point's cell coordinate (≤ 2⁻²⁸ of a cell while Grid2D.fits holds), so corner
// cells can be skipped; in return a cell could in principle be a hair wider than eps across, which is
// checked on the boxes — if any cell's points span more than eps, we return null and the caller
// falls back to radius queries.
//
// Memory: a handful of typed arrays of length n and of length (non-empty cells) ≤ n.
import { CellGrid2D, Grid2D } from "../neighbors/grid2d.js";
import type { Points } from "../types.js";
import type { DbscanResult } from "./dbscan.js";

const CELL_SLACK = 1e-7;
const NONE = 0x7fffffff;

/** The grid's cell side for a given eps. */
export function gridCellSide(eps: number): number {
  return (eps / Math.SQRT2) * (1 + CELL_SLACK);
}

/** Whether the grid algorithm can run on these 2-D points (cell coordinates stay exact). */
export function gridDbscanFits(points: Points, eps: number): boolean {
  return points.dim === 2 && Grid2D.fits(...Grid2D.extent(points), gridCellSide(eps));
}

/** Grid DBSCAN on 2-D points; null in the (never yet seen) case that a cell spans more than eps. */
export function gridDbscan(points: Points, eps: number, minPts: number): DbscanResult | null {
  const n = points.n;
  const g = new CellGrid2D(points, gridCellSide(eps));
  const { m, start, order, xs, ys, cellOf } = g;
  const e2 = eps * eps;

  // bounding box of every cell's points; each must be at most eps across
  const bx0 = new Float64Array(m), bx1 = new Float64Array(m), by0 = new Float64Array(m), by1 = new Float64Array(m);
  let largest = 0;
  for (let c = 0; c < m; c++) {
    const a = start[c]!, b = start[c + 1]!;
    let x0 = xs[a]!, x1 = x0, y0 = ys[a]!, y1 = y0;
    for (let p = a + 1; p < b; p++) {
      const x = xs[p]!, y = ys[p]!;
      if (x < x0) x0 = x;
      else if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      else if (y > y1) y1 = y;
    }
    const w = x1 - x0, h = y1 - y0;
    if (w * w + h * h > e2) return null;
    bx0[c] = x0;
    bx1[c] = x1;
    by0[c] = y0;
    by1[c] = y1;
    if (b - a > largest) largest = b - a;
  }

  // neighbour cells, computed once for the three sweeps below
  const { start: nbStart, adjacentEnd: nbAdj, list: nb } = g.neighbourLists();

  // 1. core points (flags by sorted position)
  const coreS = new Uint8Array(n);
  for (let c = 0; c < m; c++) {
    const a = start[c]!, b = start[c + 1]!, size = b - a;
    if (size >= minPts) {
      coreS.fill(1, a, b);
      continue;
    }
    const t0 = nbStart[c]!, t1 = nbStart[c + 1]!;
    for (let p = a; p < b; p++) {
      const x = xs[p]!, y = ys[p]!;
      let count = size;
      for (let t = t0; t < t1 && count < minPts; t++) {
        const d = nb[t]!;
        const lo = pointBoxMin(x, y, bx0[d]!, bx1[d]!, by0[d]!, by1[d]!);
        if (lo > e2) continue;
        if (pointBoxMax(x, y, bx0[d]!, bx1[d]!, by0[d]!, by1[d]!) <= e2) {
          count += start[d + 1]! - start[d]!;
          continue;
        }
        for (let q = start[d]!, e = start[d + 1]!; q < e && count < minPts; q++) {
          const dx = xs[q]! - x, dy = ys[q]! - y;
          if (dx * dx + dy * dy <= e2) count++;
        }
      }
      if (count >= minPts) coreS[p] = 1;
    }
  }

  // core points first within each cell (stable), and the core points' bounding boxes
  const coreEnd = new Int32Array(m);
  const cx0 = new Float64Array(m), cx1 = new Float64Array(m), cy0 = new Float64Array(m), cy1 = new Float64Array(m);
  {
    const to = new Int32Array(largest), tx = new Float64Array(largest), ty = new Float64Array(largest);
    for (let c = 0; c < m; c++) {
      const a = start[c]!, b = start[c + 1]!;
      let w = a, r = 0;
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let p = a; p < b; p++) {
        const x = xs[p]!, y = ys[p]!;
        if (coreS[p]) {
          order[w] = order[p]!;
          xs[w] = x;
          ys[w] = y;
          w++;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        } else {
          to[r] = order[p]!;
          tx[r] = x;
          ty[r] = y;
          r++;
        }
      }
      coreEnd[c] = w;
      for (let t = 0; t < r; t++, w++) {
        order[w] = to[t]!;
        xs[w] = tx[t]!;
        ys[w] = ty[t]!;
      }
      cx0[c] = x0;
      cx1[c] = x1;
      cy0[c] = y0;
      cy1[c] = y1;
    }
  }
  const hasCore = (c: number): boolean => coreEnd[c]! > start[c]!;

  // 2. union-find over cells with core points
  const parent = new Int32Array(m);
  for (let c = 0; c < m; c++) parent[c] = c;
  const find = (c: number): number => {
    while (parent[c] !== c) {
      const up = parent[parent[c]!]!;
      parent[c] = up;
      c = up;
    }
    return c;
  };
  // some core pair of cells a and b within eps?
  const linked = (a: number, b: number): boolean => {
    if (boxBoxMin(cx0[a]!, cx1[a]!, cy0[a]!, cy1[a]!, cx0[b]!, cx1[b]!, cy0[b]!, cy1[b]!) > e2) return false;
    if (boxBoxMax(cx0[a]!, cx1[a]!, cy0[a]!, cy1[a]!, cx0[b]!, cx1[b]!, cy0[b]!, cy1[b]!) <= e2) return true;
    const qa = start[b]!, qb = coreEnd[b]!;
    for (let p = start[a]!, pe = coreEnd[a]!; p < pe; p++) {
      const x = xs[p]!, y = ys[p]!;
      if (pointBoxMin(x, y, cx0[b]!, cx1[b]!, cy0[b]!, cy1[b]!) > e2) continue;
      if (pointBoxMax(x, y, cx0[b]!, cx1[b]!, cy0[b]!, cy1[b]!) <= e2) return true;
      for (let q = qa; q < qb; q++) {
        const dx = xs[q]! - x, dy = ys[q]! - y;
        if (dx * dx + dy * dy <= e2) return true;
      }
    }
    return false;
  };
  // adjacent cells first (they join most of a cluster cheaply), then the outer ring
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < m; c++) {
      if (!hasCore(c)) continue;
      for (let t = pass === 0 ? nbStart[c]! : nbAdj[c]!, end = pass === 0 ? nbAdj[c]! : nbStart[c + 1]!; t < end; t++) {
        const d = nb[t]!;
        if (d < c || !hasCore(d)) continue;
        const ra = find(c), rb = find(d);
        if (ra === rb || !linked(c, d)) continue;
        if (ra < rb) parent[rb] = ra;
        else parent[ra] = rb;
      }
    }
  }

  // 3. cluster numbers in order of each cluster's lowest-index core point
  const core = new Uint8Array(n);
  for (let c = 0; c < m; c++) for (let p = start[c]!, e = coreEnd[c]!; p < e; p++) core[order[p]!] = 1;
  const labels = new Int32Array(n).fill(-1);
  const clusterOfRoot = new Int32Array(m).fill(-1);
  let clusters = 0;
  for (let i = 0; i < n; i++) {
    if (!core[i]) continue;
    const r = find(cellOf[i]!);
    if (clusterOfRoot[r]! < 0) clusterOfRoot[r] = clusters++;
    labels[i] = clusterOfRoot[r]!;
  }
  const cellLabel = new Int32Array(m);
  for (let c = 0; c < m; c++) cellLabel[c] = hasCore(c) ? clusterOfRoot[find(c)]! : -1;

  // border points: the lowest-numbered cluster with a core point within eps
  for (let c = 0; c < m; c++) {
    const a = coreEnd[c]!, b = start[c + 1]!;
    if (a === b) continue;
    const t0 = nbStart[c]!, t1 = nbStart[c + 1]!;
    const own = cellLabel[c]! >= 0 ? cellLabel[c]! : NONE;
    for (let p = a; p < b; p++) {
      const x = xs[p]!, y = ys[p]!;
      let best = own;
      for (let t = t0; t < t1 && best > 0; t++) {
        const d = nb[t]!;
        const l = cellLabel[d]!;
        if (l < 0 || l >= best) continue;
        if (pointBoxMin(x, y, cx0[d]!, cx1[d]!, cy0[d]!, cy1[d]!) > e2) continue;
        if (pointBoxMax(x, y, cx0[d]!, cx1[d]!, cy0[d]!, cy1[d]!) <= e2) {
          best = l;
          continue;
        }
        for (let q = start[d]!, e = coreEnd[d]!; q < e; q++) {
          const dx = xs[q]! - x, dy = ys[q]! - y;
          if (dx * dx + dy * dy <= e2) {
            best = l;
            break;
          }
        }
      }
      if (best !== NONE) labels[order[p]!] = best;
    }
  }

  let noise = 0;
  for (let i = 0; i < n; i++) if (labels[i] === -1) noise++;
  return { labels, core, clusters, noise };
}

// Squared distance bounds between a point and a box, or two boxes, written with the same
// subtractions as a point-to-point distance so that rounding keeps them bounds.
function pointBoxMin(x: number, y: number, x0: number, x1: number, y0: number, y1: number): number {
  const dx = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
  const dy = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
  return dx * dx + dy * dy;
}

function pointBoxMax(x: number, y: number, x0: number, x1: number, y0: number, y1: number): number {
  const dx = Math.max(x - x0, x1 - x);
  const dy = Math.max(y - y0, y1 - y);
  return dx * dx + dy * dy;
}

function boxBoxMin(ax0: number, ax1: number, ay0: number, ay1: number, bx0: number, bx1: number, by0: number, by1: number): number {
  const dx = bx0 > ax1 ? bx0 - ax1 : ax0 > bx1 ? ax0 - bx1 : 0;
  const dy = by0 > ay1 ? by0 - ay1 : ay0 > by1 ? ay0 - by1 : 0;
  return dx * dx + dy * dy;
}

function boxBoxMax(ax0: number, ax1: number, ay0: number, ay1: number, bx0: number, bx1: number, by0: number, by1: number): number {
  const dx = Math.max(ax1 - bx0, bx1 - ax0);
  const dy = Math.max(ay1 - by0, by1 - ay0);
  return dx * dx + dy * dy;
}
