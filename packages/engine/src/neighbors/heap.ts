// Fixed-size max-heaps of (distance, index) pairs laid out in flat arrays: heap r lives at
// [r*k, (r+1)*k). Empty slots hold (Infinity, -1). Ties break on the index so results never depend
// on insertion order. Used by brute-force kNN, NN-descent and the kd-tree.

/** True when (da, ia) sorts after (db, ib). */
function after(da: number, ia: number, db: number, ib: number): boolean {
  return da > db || (da === db && ia > ib);
}

function siftDown(dist: Float64Array, idx: Int32Array, flags: Uint8Array | null, off: number, size: number, pos: number): void {
  const d = dist[off + pos]!;
  const j = idx[off + pos]!;
  const f = flags ? flags[off + pos]! : 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    const r = l + 1;
    let c = l;
    if (r < size && after(dist[off + r]!, idx[off + r]!, dist[off + l]!, idx[off + l]!)) c = r;
    if (!after(dist[off + c]!, idx[off + c]!, d, j)) break;
    dist[off + pos] = dist[off + c]!;
    idx[off + pos] = idx[off + c]!;
    if (flags) flags[off + pos] = flags[off + c]!;
    pos = c;
  }
  dist[off + pos] = d;
  idx[off + pos] = j;
  if (flags) flags[off + pos] = f;
}

/** Offers (d, j) to heap `row`; keeps the k smallest. Returns 1 if it was taken. No duplicate check. */
export function heapPush(dist: Float64Array, idx: Int32Array, row: number, k: number, d: number, j: number): number {
  const off = row * k;
  if (!after(dist[off]!, idx[off]!, d, j)) return 0;
  dist[off] = d;
  idx[off] = j;
  siftDown(dist, idx, null, off, k, 0);
  return 1;
}

/** Like heapPush but skips j when already present, and stores a flag with the entry. */
export function heapPushUnique(
  dist: Float64Array, idx: Int32Array, flags: Uint8Array | null, row: number, k: number, d: number, j: number, flag: number,
): number {
  const off = row * k;
  if (!after(dist[off]!, idx[off]!, d, j)) return 0;
  for (let s = off, e = off + k; s < e; s++) if (idx[s] === j) return 0;
  dist[off] = d;
  idx[off] = j;
  if (flags) flags[off] = flag;
  siftDown(dist, idx, flags, off, k, 0);
  return 1;
}

/** Sorts every heap ascending in place (heap sort). */
export function heapSortRows(dist: Float64Array, idx: Int32Array, rows: number, k: number): void {
  for (let r = 0; r < rows; r++) {
    const off = r * k;
    for (let size = k - 1; size > 0; size--) {
      const d = dist[off]!;
      const j = idx[off]!;
      dist[off] = dist[off + size]!;
      idx[off] = idx[off + size]!;
      dist[off + size] = d;
      idx[off + size] = j;
      siftDown(dist, idx, null, off, size, 0);
    }
  }
}
