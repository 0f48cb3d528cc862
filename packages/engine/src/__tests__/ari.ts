// Adjusted Rand index between two labelings (noise, -1, counts as its own label), for tests.
export function adjustedRandIndexForTest(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  const n = a.length;
  const cell = new Map<string, number>();
  const ra = new Map<string, number>();
  const rb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const x = String(a[i]), y = String(b[i]);
    cell.set(`${x}\u0000${y}`, (cell.get(`${x}\u0000${y}`) ?? 0) + 1);
    ra.set(x, (ra.get(x) ?? 0) + 1);
    rb.set(y, (rb.get(y) ?? 0) + 1);
  }
  const c2 = (m: number): number => (m * (m - 1)) / 2;
  let sumCells = 0;
  for (const v of cell.values()) sumCells += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (sumCells - expected) / (max - expected);
}
