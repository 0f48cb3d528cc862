// The manifest hash: a fingerprint of a selection that anyone holding its items can recompute.
//
// Canonical serialisation (UTF-8): one line per item in rank order, lines joined by "\n" (no
// trailing newline), each line the JSON array [rank, id, label, group] as JSON.stringify writes it
// (no spaces; group is an integer or null). The hash is "sha256:" + lowercase hex of SHA-256 of
// those bytes. Items are sorted by rank first, so the caller may pass them in any order.
// Example: items [{rank:0,id:"a",label:"x",group:1}] → sha256 of the bytes `[0,"a","x",1]`.
// SHA-256 is the engine's own (sha256.ts), not node:crypto, so the engine stays runnable off Node.
import { sha256Hex } from "../sha256.js";

export interface ManifestItem {
  id: string;
  label: string;
  group: number | null;
  rank: number;
}

export function manifestLines(items: ReadonlyArray<ManifestItem>): string {
  const sorted = [...items].sort((a, b) => a.rank - b.rank);
  return sorted.map((it) => JSON.stringify([it.rank, it.id, it.label, it.group ?? null])).join("\n");
}

/** manifestHash(items) → "sha256:<hex>" over manifestLines(items). */
export function manifestHash(items: ReadonlyArray<ManifestItem>): string {
  return "sha256:" + sha256Hex(manifestLines(items));
}
