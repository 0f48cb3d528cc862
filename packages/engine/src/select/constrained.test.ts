import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { selectConstrained, memberHash } from "./constrained.js";
import { duplicateExclusions, qualityExclusions } from "./exclusions.js";
import { manifestHash } from "./manifest.js";
import { select } from "./select.js";
import type { SelectInput } from "./types.js";

/** 3 classes × 40 rows in 3-D, ids "s000".., groups 0/1 per class. */
function fixture(): SelectInput {
  const rng = createRng(7);
  const n = 120;
  const data = new Float32Array(n * 3);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels.push(["a", "b", "c"][c]!);
    for (let t = 0; t < 3; t++) data[i * 3 + t] = (t === c ? 5 : 0) + rng.normal();
  }
  return {
    points: { data, n, dim: 3 },
    labels,
    ids: labels.map((_, i) => `s${String(i).padStart(3, "0")}`),
    groups: Int32Array.from(labels, (_, i) => (i % 2 === 0 ? 0 : 1)),
    metadata: { site: labels.map((_, i) => (i % 4 < 2 ? "A" : "B")) },
  };
}

describe("selectConstrained", () => {
  it("equals select() without constraints, byte for byte", () => {
    const input = fixture();
    for (const strategy of ["random", "kcenter", "confounder-aware"] as const) {
      const a = select(input, { strategy, perClass: 7, seed: 3 });
      const b = selectConstrained(input, { strategy, perClass: 7, seed: 3 }, {});
      expect(b.manifestHash).toBe(a.manifestHash);
      expect(b.selected).toEqual(a.selected);
      expect(b.counts).toEqual({ pool: 120, excluded: 0, included: 0 });
    }
  });

  it("never picks an excluded row or one outside the pool; empty exclusions equal select() on the pool", () => {
    const input = fixture();
    const pool = Array.from({ length: 60 }, (_, i) => i * 2);
    const exclude = [0, 2, 4, 6, 8, 10];
    const r = selectConstrained(input, { strategy: "random", perClass: 5, seed: 1 }, { pool, exclude });
    const inPool = new Set(pool);
    for (const it of r.selected) {
      expect(inPool.has(it.row)).toBe(true);
      expect(exclude).not.toContain(it.row);
    }
    expect(r.counts).toEqual({ pool: 54, excluded: 6, included: 0 });
    expect(r.selected).toHaveLength(15);
    const again = selectConstrained(input, { strategy: "random", perClass: 5, seed: 1 }, { pool, exclude });
    expect(again.manifestHash).toBe(r.manifestHash);
    expect(manifestHash(r.selected)).toBe(r.manifestHash);
  });

  it("takes must-include rows first in their class, against the class's budget, with a reason", () => {
    const input = fixture();
    const include = [5, 2, 8]; // classes c, c, c (i % 3 === 2)
    const r = selectConstrained(input, { strategy: "kcenter", perClass: 6, seed: 0 }, { include, exclude: [5], includeReason: (row) => `subset "x" (${input.ids[row]})` });
    const c = r.selected.filter((it) => it.label === "c");
    expect(c).toHaveLength(6);
    expect(c.slice(0, 3).map((it) => it.id)).toEqual(["s002", "s005", "s008"]); // by id; include beats exclude
    expect(c[0]!.reason).toBe('subset "x" (s002)');
    expect(c[0]!.groupKey).toBe("include");
    expect(new Set(c.map((it) => it.row)).size).toBe(6);
    expect(r.perClass.find((p) => p.label === "c")!.included).toBe(3);
    expect(r.selected.filter((it) => it.label === "a")).toHaveLength(6);
    expect(r.selected.map((it) => it.rank)).toEqual(r.selected.map((_, i) => i));
  });

  it("rejects more must-include rows than the budget, naming include", () => {
    const input = fixture();
    const include = [0, 3, 6, 9]; // four of class a
    expect(() => selectConstrained(input, { strategy: "random", perClass: 3 }, { include })).toThrow(EngineInputError);
    try {
      selectConstrained(input, { strategy: "random", perClass: 3 }, { include });
    } catch (e) {
      expect((e as EngineInputError).code).toBe("INCLUDE_OVER_BUDGET");
      expect((e as EngineInputError).field).toBe("include");
    }
  });

  it("rejects rows out of range, naming the constraint", () => {
    expect(() => selectConstrained(fixture(), { strategy: "random", perClass: 3 }, { exclude: [500] })).toThrow(/exclude rows in 0..119/);
  });

  it("warns about a class left empty by the exclusions", () => {
    const input = fixture();
    const exclude = Array.from({ length: 40 }, (_, i) => i * 3); // all of class a
    const r = selectConstrained(input, { strategy: "random", perClass: 2 }, { exclude });
    expect(r.selected.some((it) => it.label === "a")).toBe(false);
    expect(r.warnings).toContain('class "a" has no samples left in the pool; none taken');
  });

  it("memberHash ignores order", () => {
    expect(memberHash([3, 1, 2])).toBe(memberHash([1, 2, 3]));
    expect(memberHash([1, 2])).not.toBe(memberHash([1, 2, 3]));
  });
});

describe("qualityExclusions", () => {
  it("keeps the smallest key of each duplicate set, merging sets that share a member", () => {
    const d = duplicateExclusions([
      [7, 3],
      [3, 9],
      [20, 21, 22],
    ]);
    expect([...d.excluded].sort((a, b) => a[0] - b[0])).toEqual([
      [7, 3],
      [9, 3],
      [21, 20],
      [22, 20],
    ]);
    expect(d.sets).toBe(2);
  });

  it("applies outlier and label-error rules with reasons, once per row", () => {
    const rows = [
      { key: 1, label: "a", outlierRank: 0, outlierRatio: 3.2, labelErrorScore: 0.95, labelIssue: true },
      { key: 2, label: "a", outlierRank: 1, outlierRatio: 1.4, labelErrorScore: 0.9, labelIssue: true },
      { key: 3, label: "a", outlierRank: 2, outlierRatio: 1.1, labelErrorScore: 0.99, labelIssue: false },
      { key: 4, label: "b", outlierRank: 0, outlierRatio: null, labelErrorScore: 0.1, labelIssue: false },
    ];
    const q = qualityExclusions(rows, [[1, 4]], { duplicates: true, outlierRank: 1, labelErrorScore: 0.5 }, (k) => `sample ${k}`);
    expect(q.excluded.get(4)).toBe("duplicate of sample 1 (kept one of its set)");
    expect(q.excluded.get(1)).toMatch(/^outlier: rank 1 in "a"/);
    expect(q.excluded.get(2)).toMatch(/^likely label error: score 0.900/);
    expect(q.excluded.has(3)).toBe(false); // not flagged by confident learning
    expect(q.counts).toEqual({ duplicates: 1, outliers: 1, labelErrors: 1, total: 3 });
    expect(qualityExclusions(rows, [], { outlierRatio: 3 }).counts.outliers).toBe(1);
  });

  it("rejects out-of-range rules, naming the rule", () => {
    expect(() => qualityExclusions([], [], { outlierRank: 0 })).toThrow(/outlierRank/);
    expect(() => qualityExclusions([], [], { labelErrorScore: 1.5 })).toThrow(/labelErrorScore/);
    expect(() => qualityExclusions([], [], { outlierRatio: 0.5 })).toThrow(/outlierRatio/);
  });
});
