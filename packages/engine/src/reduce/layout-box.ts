// The bounding box of a 2-D layout (n×2, x and y interleaved), as its centre and the longer side:
// both repulsion methods (the Barnes–Hut quadtree and the FFT grid) cover the layout with a square.
import { bounds2d } from "../neighbors/grid2d.js";

export function layoutBox(y: Float64Array, n: number): { cx: number; cy: number; span: number } {
  const [minX, minY, maxX, maxY] = bounds2d(y, n);
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, span: Math.max(maxX - minX, maxY - minY) };
}
