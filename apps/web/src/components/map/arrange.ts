// Each class has its own 2-D layout (the analysis reduces per class), so their coordinates are not
// comparable. The map places the classes side by side: each scaled to a unit box (aspect kept), in
// label order, left to right, with a gap between them.

export interface ClassBox {
  label: string;
  /** Where the class's box starts on the x axis after arranging. */
  x0: number;
  width: number;
  height: number;
}

export function arrangeByClass(xs: Float32Array, ys: Float32Array, labels: readonly string[], gap = 0.18): ClassBox[] {
  if (xs.length !== ys.length || xs.length !== labels.length) {
    throw new RangeError(`arrangeByClass: expected xs, ys and labels of one length, got ${xs.length}, ${ys.length}, ${labels.length}`);
  }
  const bounds = new Map<string, { minX: number; minY: number; maxX: number; maxY: number }>();
  for (let i = 0; i < xs.length; i++) {
    const b = bounds.get(labels[i]!) ?? { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    b.minX = Math.min(b.minX, xs[i]!); b.maxX = Math.max(b.maxX, xs[i]!);
    b.minY = Math.min(b.minY, ys[i]!); b.maxY = Math.max(b.maxY, ys[i]!);
    bounds.set(labels[i]!, b);
  }
  const order = [...bounds.keys()].sort();
  const place = new Map<string, { scale: number; dx: number; dy: number }>();
  const boxes: ClassBox[] = [];
  let x = 0;
  for (const label of order) {
    const b = bounds.get(label)!;
    const span = Math.max(b.maxX - b.minX, b.maxY - b.minY, 1e-9);
    const scale = 1 / span;
    const width = (b.maxX - b.minX) * scale, height = (b.maxY - b.minY) * scale;
    place.set(label, { scale, dx: x - b.minX * scale, dy: (1 - height) / 2 - b.minY * scale });
    boxes.push({ label, x0: x, width, height });
    x += width + gap;
  }
  for (let i = 0; i < xs.length; i++) {
    const p = place.get(labels[i]!)!;
    xs[i] = xs[i]! * p.scale + p.dx;
    ys[i] = ys[i]! * p.scale + p.dy;
  }
  return boxes;
}
