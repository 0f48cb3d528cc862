// DBSCAN (Ester, Kriegel, Sander & Xu, KDD 1996). Same conventions as scikit-learn: a point is core
// when at least minPts points (itself included) lie within eps; clusters grow from cores in row
// order, so cluster numbers follow the lowest-index core of each cluster; a border point joins the
// first cluster that reaches it, i.e. the lowest-numbered cluster with a core point within eps;
// everything else is noise (-1).
//
// 2-D points go to the grid algorithm (dbscan-grid.ts): linear time, no neighbour lists. Other
// dimensions (and 2-D layouts whose extent would overflow the grid's cell coordinates) use radius
// queries on a kd-tree: two passes (count, then expand), so memory is O(n) rather than one
// neighbour list per point. Both give the same labels.
import { Grid2D } from "../neighbors/grid2d.js";
import { gridDbscan, gridDbscanFits } from "./dbscan-grid.js";
import { KdTree } from "../neighbors/kdtree.js";
import { IndexBuffer, type RadiusIndex } from "../neighbors/radius.js";
import { EngineInputError, type Points } from "../types.js";

export interface DbscanResult {
  /** Cluster 0..clusters-1 per point, -1 for noise. */
  labels: Int32Array;
  /** 1 where the point is a core point. */
  core: Uint8Array;
  clusters: number;
  noise: number;
}

export function checkPoints(points: Points, who: string): void {
  const { n, dim, data } = points;
  if (!Number.isInteger(n) || n < 1) throw new EngineInputError("EMPTY_INPUT", "points", `${who}: expected at least 1 point, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new EngineInputError("BAD_DIM", "points", `${who}: expected dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) {
    throw new EngineInputError("BAD_SHAPE", "points", `${who}: expected ${n}×${dim} = ${n * dim} values, got ${data.length}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new EngineInputError("NOT_FINITE", "points", `${who}: expected finite values, got ${data[i]} at row ${Math.floor(i / dim)}, column ${i % dim}`);
    }
  }
}

export function checkDbscanParams(eps: number, minPts: number): void {
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps <= 0) {
    throw new EngineInputError("BAD_EPS", "eps", `dbscan: expected eps > 0, got ${eps}`);
  }
  if (!Number.isInteger(minPts) || minPts < 1) {
    throw new EngineInputError("BAD_MIN_PTS", "minPts", `dbscan: expected an integer minPts ≥ 1, got ${minPts}`);
  }
}

export function dbscan(points: Points, eps: number, minPts: number): DbscanResult {
  checkDbscanParams(eps, minPts);
  checkPoints(points, "dbscan");
  if (gridDbscanFits(points, eps)) {
    const r = gridDbscan(points, eps, minPts);
    if (r) return r;
  }
  const { n, dim } = points;
  // a grid in 2-D unless eps is so small against the extent that cell keys would overflow
  const index: RadiusIndex = dim === 2 && Grid2D.fits(...Grid2D.extent(points), eps) ? new Grid2D(points, eps) : new KdTree(points);
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (index.radiusCount(i, eps) >= minPts) core[i] = 1;
  const labels = new Int32Array(n).fill(-1);
  const buf = new IndexBuffer();
  let stack = new Int32Array(64);
  let clusters = 0;
  for (let seed = 0; seed < n; seed++) {
    if (labels[seed] !== -1 || !core[seed]) continue;
    let top = 0;
    let i = seed;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = clusters;
        if (core[i]) {
          index.radiusNeighbors(i, eps, buf);
          for (let t = 0; t < buf.length; t++) {
            const v = buf.data[t]!;
            if (labels[v] === -1) {
              if (top === stack.length) {
                const next = new Int32Array(stack.length * 2);
                next.set(stack);
                stack = next;
              }
              stack[top++] = v;
            }
          }
        }
      }
      if (top === 0) break;
      i = stack[--top]!;
    }
    clusters++;
  }
  let noise = 0;
  for (let i = 0; i < n; i++) if (labels[i] === -1) noise++;
  return { labels, core, clusters, noise };
}
