import { describe, expect, it } from "vitest";
import { mergeFragments } from "./merge.js";
import type { KnnGraph } from "../neighbors/graph.js";

/** A kNN graph from an explicit neighbour list per row (k fixed). */
function graphOf(neigh: number[][]): KnnGraph {
  const n = neigh.length;
  const k = neigh[0]!.length;
  return { n, k, indices: Int32Array.from(neigh.flat()), distances: new Float64Array(n * k).fill(1), method: "exact" };
}

// Two "conditions" of 8 rows each (rows 0–7, 8–15), no edge between them. Condition 1 is split in two
// fragments (0–3, 4–7) with edges across the split; condition 2 is one fragment.
function twoConditions(): KnnGraph {
  const neigh: number[][] = [];
  for (let i = 0; i < 16; i++) {
    const base = i < 8 ? 0 : 8;
    neigh.push([1, 2, 3].map((d) => base + ((i - base + d) % 8)));
  }
  return graphOf(neigh);
}

describe("mergeFragments", () => {
  it("merges fragments linked in the graph and keeps them as modes; never merges unlinked ones", () => {
    const frags = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
    const r = mergeFragments(twoConditions(), frags, 3, { resolution: 0.05 });
    expect(r.groupSizes).toEqual([8, 8]);
    // rows 0..7 one group, 8..15 another
    expect(new Set(Array.from(r.groups.subarray(0, 8))).size).toBe(1);
    expect(r.groups[0]).not.toBe(r.groups[8]);
    const g = r.groups[0]!;
    expect(r.groupModes[g]!.length).toBe(2);
    expect(r.modes[0]).not.toBe(r.modes[4]);
    expect(r.mergeConfidence[g]).toBeGreaterThan(0.05);
    expect(r.mergeConfidence[r.groups[8]!]).toBeNull();
  });

  it("keeps weakly linked fragments apart at a high resolution, and noise stays noise", () => {
    const frags = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, -1, 2]);
    const r = mergeFragments(twoConditions(), frags, 3, { resolution: 50 });
    expect(r.groupSizes.length).toBe(3);
    expect(r.groups[14]).toBe(-1);
    expect(r.modes[14]).toBe(-1);
    expect(r.groupMerges.every((m) => m.length === 0)).toBe(true);
  });

  it("with keys: same-level fragments merge without an edge, different levels never merge", () => {
    // fragments 0 and 2 have no edge between them but carry the same level; 0 and 1 are linked but differ
    const frags = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
    const r = mergeFragments(twoConditions(), frags, 3, { resolution: 0.05, keys: Int32Array.from([0, 1, 0]) });
    expect(r.groupSizes).toEqual([12, 4]);
    expect(r.groups[0]).toBe(r.groups[8]);
    expect(r.groups[0]).not.toBe(r.groups[4]);
    const g = r.groups[0]!;
    expect(r.groupMerges[g]).toEqual([{ a: r.modes[0], b: r.modes[8], connectivity: 0, by: "metadata" }]);
    // a fragment without a level (−1) still follows the graph, then carries its side's level
    const free = mergeFragments(twoConditions(), frags, 3, { resolution: 0.05, keys: Int32Array.from([0, -1, 1]) });
    expect(free.groupSizes).toEqual([8, 8]);
    expect(free.groupMerges[free.groups[0]!]![0]!.by).toBe("graph");
  });

  it("with separate: a pair it refuses stays apart, the rest of the graph still merges", () => {
    const frags = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
    const asked: string[] = [];
    const r = mergeFragments(twoConditions(), frags, 3, {
      resolution: 0.05,
      separate: (a, b) => (asked.push(`${a}|${b}`), a.includes(0) && b.includes(1)),
    });
    expect(r.groupSizes).toEqual([8, 4, 4]);
    expect(r.groups[0]).not.toBe(r.groups[4]);
    expect(asked).toContain("0|1");
    // a refusal does not block a merge the test allows
    const allowed = mergeFragments(twoConditions(), frags, 3, { resolution: 0.05, separate: () => false });
    expect(allowed.groupSizes).toEqual([8, 8]);
  });

  it("rejects bad input with a typed error", () => {
    expect(() => mergeFragments(twoConditions(), new Int32Array(16), 1, { keys: new Int32Array(2) })).toThrow(/expected 1 keys/);
    expect(() => mergeFragments(twoConditions(), new Int32Array(3), 1)).toThrow(/expected 16 fragment labels/);
    expect(() => mergeFragments(twoConditions(), new Int32Array(16), 1, { resolution: 0 })).toThrow(/resolution > 0/);
  });
});
