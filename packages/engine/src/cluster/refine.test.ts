import { describe, expect, it } from "vitest";
import { refineGroups } from "./refine.js";
import type { MergeResult } from "./merge.js";
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";

// Two "sites" that are the same content cloud (wide along axes 0–5) shifted along axis 6, as an
// acquisition effect shifts every sample; axis 7 is plain noise. Rows 0..n/2−1 are site 0, the rest site 1.
function shiftedSites(n: number, seed: number): Points {
  const rng = createRng(seed);
  const dim = 8;
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < 6; t++) data[i * dim + t] = 3 * rng.normal();
    data[i * dim + 6] = 0.3 * rng.normal() + (i < n / 2 ? 0 : 3);
    data[i * dim + 7] = rng.normal();
  }
  return { data, n, dim };
}

/** A MergeResult with one mode per group (or the given modes), numbered as mergeFragments numbers. */
function mergedOf(groups: number[], modes?: number[], groupModes?: number[][]): MergeResult {
  const G = Math.max(...groups) + 1;
  const groupSizes = Array.from({ length: G }, (_, g) => groups.filter((x) => x === g).length);
  const md = modes ?? groups;
  const F = Math.max(...md) + 1;
  const modeSizes = Array.from({ length: F }, (_, f) => md.filter((x) => x === f).length);
  const gm = groupModes ?? groupSizes.map((_, g) => [g]);
  return {
    groups: Int32Array.from(groups), groupSizes, modes: Int32Array.from(md), modeSizes, groupModes: gm,
    groupMerges: gm.map((ms) => ms.slice(1).map((b) => ({ a: ms[0]!, b, connectivity: 0.2, by: "graph" as const }))),
    mergeConfidence: gm.map((ms) => (ms.length > 1 ? 0.2 : null)),
  };
}

describe("refineGroups", () => {
  it("gives back to its site the rows a fragment of the other site swallowed; noise stays noise", () => {
    const n = 200;
    const points = shiftedSites(n, 3);
    const truth = Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
    // the merge put 15 rows of site 1 into site 0's group; two rows are noise
    const groups: number[] = truth.map((s, i) => (i >= 100 && i < 115 ? 0 : s));
    groups[5] = -1;
    groups[150] = -1;
    const r = refineGroups(points, mergedOf(groups));
    expect(r.groups[5]).toBe(-1);
    expect(r.groups[150]).toBe(-1);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (r.groups[i]! >= 0 && r.groups[i] !== r.groups[i < n / 2 ? 0 : n - 1]) wrong++;
    expect(wrong).toBeLessThanOrEqual(2);
    expect(r.moved).toBeGreaterThanOrEqual(13);
    expect(r.rounds).toBeGreaterThanOrEqual(1);
    expect(r.groupSizes.reduce((a, b) => a + b, 0)).toBe(n - 2);
    // the content axes alone (rows 100..114 sit among site 0 there) would not have moved them
    expect(r.groups[0]).not.toBe(r.groups[n - 1]);
  });

  it("is deterministic and a no-op with 0 iterations or one group", () => {
    const points = shiftedSites(120, 5);
    const groups = Array.from({ length: 120 }, (_, i) => (i < 70 ? 0 : 1));
    const a = refineGroups(points, mergedOf(groups));
    const b = refineGroups(points, mergedOf(groups));
    expect(Array.from(a.groups)).toEqual(Array.from(b.groups));
    expect(Array.from(a.modes)).toEqual(Array.from(b.modes));
    const none = refineGroups(points, mergedOf(groups), { iterations: 0 });
    expect(Array.from(none.groups)).toEqual(groups);
    expect(none.moved).toBe(0);
    const one = refineGroups(points, mergedOf(new Array(120).fill(0)));
    expect(one.moved).toBe(0);
    expect(one.groupSizes).toEqual([120]);
  });

  it("keeps every row's mode inside its group, renumbers largest first and drops emptied modes and their links", () => {
    const n = 200;
    const points = shiftedSites(n, 7);
    // group 0 = site 0 as two modes (0: rows 0..59, 1: rows 60..99) + a mode 2 made of site-1 rows 100..129;
    // group 1 = rows 130..199 (site 1)
    const groups = Array.from({ length: n }, (_, i) => (i < 130 ? 0 : 1));
    const modes = Array.from({ length: n }, (_, i) => (i < 60 ? 0 : i < 100 ? 1 : i < 130 ? 2 : 3));
    const r = refineGroups(points, mergedOf(groups, modes, [[0, 1, 2], [3]]));
    for (let i = 0; i < n; i++) expect(r.groupModes[r.groups[i]!]).toContain(r.modes[i]);
    // site 1's rows went to its group: 100 rows each, and mode 2 emptied (its link dropped with it)
    expect(r.groupSizes[0]).toBeGreaterThanOrEqual(r.groupSizes[1]!);
    expect(r.groups[110]).toBe(r.groups[199]);
    const siteZero = r.groups[0]!;
    expect(r.groupModes[siteZero]!.length).toBe(2);
    expect(r.groupMerges[siteZero]!.length).toBe(1);
    for (const [g, links] of r.groupMerges.entries()) for (const l of links) {
      expect(r.groupModes[g]).toContain(l.a);
      expect(r.groupModes[g]).toContain(l.b);
    }
    expect(r.modeSizes.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it("names the field on bad input", () => {
    const points = shiftedSites(10, 1);
    const groups = new Array(10).fill(0);
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineInputError);
        return (e as EngineInputError).field;
      }
      return null;
    };
    expect(fieldOf(() => refineGroups(points, mergedOf(groups.slice(0, 9))))).toBe("groups");
    expect(fieldOf(() => refineGroups(points, mergedOf(groups), { iterations: -1 }))).toBe("iterations");
    expect(fieldOf(() => refineGroups(points, mergedOf(groups), { iterations: 1.5 }))).toBe("iterations");
    expect(fieldOf(() => refineGroups(points, mergedOf(groups), { ridge: Number.NaN }))).toBe("ridge");
  });
});
