import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { shareBudget } from "./confounder-aware.js";
import { select } from "./select.js";
import type { SelectInput, SelectParams } from "./types.js";

/** 400 rows in 3-D, two classes, four groups plus noise, a site column with missing values. */
function probeInput(): SelectInput {
  const rng = createRng(9);
  const n = 400;
  const dim = 3;
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n * dim; i++) data[i] = rng.normal() + (i % 7);
  const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "x" : "y"));
  const ids = Array.from({ length: n }, (_, i) => `r${i}`);
  const groups = Int32Array.from({ length: n }, (_, i) => ((i * 13) % 11 === 0 ? -1 : (i * 7) % 4));
  const site = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : ["A", "B", "C"][(i * 3) % 3 === 0 ? i % 3 : i % 2]!));
  return { points: { data, n, dim }, labels, ids, groups, metadata: { site } };
}

/**
 * A confounded pool: per class, site A is 70 %, B 20 %, C 10 %; discovery found two groups per class
 * that cut across sites (e.g. anatomy), plus a few noise rows. Points are 2-D blobs per group.
 */
function confounded(perClass: number, shares: [number, number, number] = [0.7, 0.2, 0.1]): SelectInput {
  const rng = createRng(11);
  const xs: number[] = [];
  const labels: string[] = [];
  const groups: number[] = [];
  const site: (string | null)[] = [];
  const scanner: (string | null)[] = [];
  for (const [ci, label] of ["normal", "pneumonia"].entries()) {
    for (let i = 0; i < perClass; i++) {
      const u = i / perClass;
      const s = u < shares[0] ? "A" : u < shares[0] + shares[1] ? "B" : "C";
      const g = i % 10 === 9 ? -1 : i % 2;
      xs.push(g * 5 + rng.normal(), ci * 5 + rng.normal());
      labels.push(label);
      groups.push(g);
      site.push(s);
      scanner.push(i % 3 === 0 ? "X" : "Y");
    }
  }
  const n = labels.length;
  return {
    points: { data: Float64Array.from(xs), n, dim: 2 },
    labels,
    ids: labels.map((_, i) => `s${i}`),
    groups: Int32Array.from(groups),
    metadata: { site, scanner },
  };
}

const count = <T,>(xs: T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

function sitesPerClass(input: SelectInput, params: SelectParams) {
  const res = select(input, params);
  const out = new Map<string, Map<string | null, number>>();
  for (const label of new Set(input.labels)) {
    out.set(label, count(res.selected.filter((s) => s.label === label).map((s) => input.metadata!.site![s.row]!)));
  }
  return { res, out };
}

describe("confounder-aware with declared columns", () => {
  it("balanced with declared site gives each site the same count in every class when every site can hold it", () => {
    const input = confounded(300);
    const base: SelectParams = { strategy: "confounder-aware", perClass: 30, allocation: "balanced", seed: 2 };
    const { out: without } = sitesPerClass(input, base);
    const { res, out } = sitesPerClass(input, { ...base, declared: ["site"] });
    for (const label of ["normal", "pneumonia"]) {
      expect(Object.fromEntries(out.get(label)!)).toEqual({ A: 10, B: 10, C: 10 });
      // Without the declaration the groups cut across sites, so site A keeps most of the picks.
      expect(without.get(label)!.get("A")!).toBeGreaterThan(15);
    }
    expect(res.params.declared).toEqual(["site"]);
    const cls = res.perClass[0]!;
    expect(cls.cells!.map((c) => [c.cell, c.share])).toEqual([
      ["site=A", 10],
      ["site=B", 10],
      ["site=C", 10],
    ]);
    // Each share names its cell and group; the shares of a cell add up to the cell's share.
    for (const c of cls.cells!) {
      const inCell = cls.allocation!.filter((a) => a.cell === c.cell);
      expect(inCell.reduce((s, a) => s + a.share, 0)).toBe(c.share);
      expect(new Set(inCell.map((a) => a.group))).toEqual(new Set([0, 1, -1]));
    }
    // Inside a cell, the two groups share by the same rule (noise keeps its proportional share).
    const a = cls.allocation!.filter((x) => x.cell === "site=A");
    expect(Math.abs(a.find((x) => x.group === 0)!.share - a.find((x) => x.group === 1)!.share)).toBeLessThanOrEqual(1);
    expect(res.selected.every((s) => s.groupKey!.startsWith(`${s.label}/site=`))).toBe(true);
  });

  it("a cell smaller than its share is taken whole and the remainder goes to the other cells", () => {
    // 300 per class: site C has 6 rows, far fewer than a third of 60.
    const input = confounded(300, [0.6, 0.38, 0.02]);
    const { res, out } = sitesPerClass(input, { strategy: "confounder-aware", perClass: 60, allocation: "balanced", seed: 1, declared: ["site"] });
    for (const label of ["normal", "pneumonia"]) {
      const m = out.get(label)!;
      expect(m.get("C")).toBe(6);
      expect(m.get("A")).toBe(27);
      expect(m.get("B")).toBe(27);
    }
    expect(res.selected).toHaveLength(120);
    expect(new Set(res.selected.map((s) => s.row)).size).toBe(120);
  });

  it("rows with a missing declared value form a level of their own", () => {
    const input = probeInput();
    const res = select(input, { strategy: "confounder-aware", perClass: 40, allocation: "balanced", seed: 4, declared: ["site"] });
    const cells = res.perClass[1]!.cells!;
    expect(cells.map((c) => c.cell)).toContain("site=(missing)");
    const missing = cells.find((c) => c.levels[0] === null)!;
    const picked = res.selected.filter((s) => s.label === "y" && input.metadata!.site![s.row] === null).length;
    expect(picked).toBe(missing.share);
    expect(missing.share).toBeGreaterThan(0);
  });

  it("two declared columns share across their combinations", () => {
    const input = confounded(300);
    const res = select(input, { strategy: "confounder-aware", perClass: 60, allocation: "balanced", seed: 3, declared: ["site", "scanner"] });
    const cells = res.perClass[0]!.cells!;
    expect(cells.map((c) => c.cell)).toEqual(["site=A, scanner=X", "site=A, scanner=Y", "site=B, scanner=X", "site=B, scanner=Y", "site=C, scanner=X", "site=C, scanner=Y"]);
    expect(cells.every((c) => c.share === 10)).toBe(true);
  });

  it("is deterministic for a seed and changes with it", () => {
    const input = confounded(200);
    const p: SelectParams = { strategy: "confounder-aware", perClass: 25, allocation: "sqrt", seed: 8, declared: ["site"] };
    expect(select(input, p).manifestHash).toBe(select(input, p).manifestHash);
    // Facility location is deterministic in the rows; quantile draws depend on the seed.
    const q: SelectParams = { ...p, withinGroup: "quantile" };
    expect(select(input, { ...q, seed: 9 }).manifestHash).not.toBe(select(input, q).manifestHash);
    for (const withinGroup of ["quantile", "nearest", "kcenter"] as const) {
      const r = select(input, { ...p, withinGroup });
      expect(r.selected).toHaveLength(50);
      expect(r.manifestHash).toBe(select(input, { ...p, withinGroup }).manifestHash);
    }
  });

  it("without declared columns the manifest hash is what it was before declared columns existed", () => {
    const input = probeInput();
    const p: SelectParams = { strategy: "confounder-aware", perClass: 30, seed: 5 };
    // Hashes measured on the engine before this change (commit 4c3a30a).
    const before: Record<string, string> = {
      "proportional/facility-location/own-group": "sha256:c71d55dd979dfde87d183806fe6ad54298cd8a8d0f523e3297b7234c6f3a0634",
      "balanced/facility-location/own-group": "sha256:9529d9399c7542692d956c9afa37be12d981539bfb49e66f0106aee8cd5bbed9",
      "balanced/facility-location/exclude": "sha256:47c07cc9e12df4c19a457856bcc19a3d6d1080f65e3abb51a285318d8c21b3cc",
      "balanced/quantile/own-group": "sha256:70e5a21b4b1d7d5ebf69c837ff2c22ef1f745db329ec77d4cf8e879a5abee9d6",
      "sqrt/kcenter/own-group": "sha256:ffb38af35060c745196bc46fc04531620e0fdbd65a867886362cd7a5441a17a3",
    };
    for (const [key, hash] of Object.entries(before)) {
      const [allocation, withinGroup, noise] = key.split("/") as [SelectParams["allocation"], SelectParams["withinGroup"], SelectParams["noise"]];
      const res = select(input, { ...p, allocation, withinGroup, noise });
      expect(res.manifestHash, key).toBe(hash);
      expect(select(input, { ...p, allocation, withinGroup, noise, declared: [] }).manifestHash).toBe(hash);
      expect(res.params).not.toHaveProperty("declared");
      expect(res.perClass[0]).not.toHaveProperty("cells");
      expect(res.perClass[0]!.allocation![0]).not.toHaveProperty("cell");
    }
    // A declared column changes the selection (and so its hash).
    expect(select(input, { ...p, allocation: "balanced", declared: ["site"] }).manifestHash).not.toBe(before["balanced/facility-location/own-group"]);
  });

  it("refuses a declared column that is not in the metadata, or named twice", () => {
    const input = confounded(50);
    const err = (declared: unknown) => {
      try {
        select(input, { strategy: "confounder-aware", perClass: 5, declared: declared as string[] });
      } catch (e) {
        if (e instanceof EngineInputError) return `${e.code}:${e.field}:${e.message}`;
        throw e;
      }
      return "no error";
    };
    expect(err(["scanner", "vendor"])).toMatch(/^UNKNOWN_COLUMN:declared:.*"vendor"/);
    expect(err(["site", "site"])).toMatch(/^BAD_PARAM:declared/);
    expect(err("site")).toMatch(/^BAD_PARAM:declared/);
  });
});

describe("rest rows (−2)", () => {
  it("shareBudget gives noise and rest together their proportional share, the groups the rest by the rule", () => {
    // 100 in groups 0 and 1 (80/20), 20 noise, 30 rest; budget 30: noise+rest = 50/150 → 10, split 4/6.
    expect(Array.from(shareBudget(30, [0, 1, -1, -2], [80, 20, 20, 30], "balanced"))).toEqual([10, 10, 4, 6]);
    // Noise alone: as before rest existed.
    // Noise alone, as before rest existed: noise 20/120 of 30 → 5, the groups 25 → 13/12.
    expect(Array.from(shareBudget(30, [0, 1, -1], [80, 20, 20], "balanced"))).toEqual([13, 12, 5]);
  });

  it("rest rows stay pickable when noise is excluded, with their proportional share", () => {
    const input = confounded(200);
    const groups = Int32Array.from(input.groups!);
    // Group 1 of class normal becomes rest (say, a rejected group).
    for (let i = 0; i < groups.length; i++) if (input.labels[i] === "normal" && groups[i] === 1) groups[i] = -2;
    const res = select({ ...input, groups }, { strategy: "confounder-aware", perClass: 20, allocation: "balanced", noise: "exclude", seed: 1 });
    const normal = res.perClass.find((c) => c.label === "normal")!;
    expect(normal.allocation!.map((a) => a.group)).toEqual([0, -2]);
    // 80 of 180 pickable rows (noise left out) are rest: proportional share 8.9 → 9 of 20.
    expect(normal.allocation!.find((a) => a.group === -2)!.share).toBe(9);
    expect(res.selected.filter((s) => s.group === -1)).toHaveLength(0);
    expect(res.selected.filter((s) => s.group === -2).every((s) => s.groupKey === "normal/rest")).toBe(true);
  });
});
