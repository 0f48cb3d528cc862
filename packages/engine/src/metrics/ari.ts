// Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same items: 1 for identical
// partitions (up to renumbering), about 0 for independent ones, negative when worse than chance.
// Every distinct value is a cluster, −1 included; drop noise before calling if it should not count.
import { EngineInputError } from "../types.js";

const choose2 = (x: number): number => (x * (x - 1)) / 2;

export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "b", `expected ${n} labels (as many as a), got ${b.length}`);
  if (n < 2) return 1;
  const ai = new Map<number, number>();
  const bi = new Map<number, number>();
  const pair = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    ai.set(a[i]!, (ai.get(a[i]!) ?? 0) + 1);
    bi.set(b[i]!, (bi.get(b[i]!) ?? 0) + 1);
    const key = `${a[i]},${b[i]}`;
    pair.set(key, (pair.get(key) ?? 0) + 1);
  }
  let sumPairs = 0;
  for (const c of pair.values()) sumPairs += choose2(c);
  let sumA = 0;
  for (const c of ai.values()) sumA += choose2(c);
  let sumB = 0;
  for (const c of bi.values()) sumB += choose2(c);
  const expected = (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  // Both partitions trivial (all one cluster, or all singletons): identical partitions score 1.
  if (max === expected) return sumPairs === expected ? 1 : 0;
  return (sumPairs - expected) / (max - expected);
}
