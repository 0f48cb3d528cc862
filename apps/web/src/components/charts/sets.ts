// Set arithmetic for the overlap charts: how many items lie in exactly each combination of runs.

/** For each non-empty membership mask (bit r = in set r), how many items have exactly that membership. */
export function exclusiveIntersections(sets: ReadonlyArray<Iterable<string>>): Map<number, number> {
  if (sets.length > 30) throw new RangeError(`exclusiveIntersections: expected at most 30 sets, got ${sets.length}`);
  const mask = new Map<string, number>();
  sets.forEach((s, r) => {
    for (const id of s) mask.set(id, (mask.get(id) ?? 0) | (1 << r));
  });
  const out = new Map<number, number>();
  for (const m of mask.values()) out.set(m, (out.get(m) ?? 0) + 1);
  return out;
}

/** |A ∩ B| / |A ∪ B|; 1 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}

export function popcount(m: number): number {
  let c = 0;
  for (let x = m; x; x &= x - 1) c++;
  return c;
}
