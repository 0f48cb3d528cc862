// The bounding box of a 2-D layout (n×2, x and y interleaved), as its centre and the longer side:
// both repulsion methods (the Barnes–Hut quadtree and the FFT grid) cover the layout with a square.
export function layoutBox(y: Float64Array, n: number): { cx: number; cy: number; span: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[2 * i]!, b = y[2 * i + 1]!;
    if (a < minX) minX = a;
    if (a > maxX) maxX = a;
    if (b < minY) minY = b;
    if (b > maxY) maxY = b;
  }
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, span: Math.max(maxX - minX, maxY - minY) };
}
