import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Strategy } from "@/gql/graphql";
import { ANALYZE_PARAMS, RUN_FIELDS, SELECT_PARAMS, STRATEGIES as ENGINE_STRATEGIES, STRATEGY_TEXT, describeRange, onSurface, type RangeParam } from "@stratum/engine/params";
import {
  SEED_MAX,
  SEED_MIN,
  STRATEGIES,
  analysisFormParams,
  describeBalance,
  effectiveGroupCounts,
  isSeedText,
  strategyLabel,
  validateRunForm,
  type AnalysisFormValues,
  type FormGroup,
  type RunFormValues,
} from "./runForm";

const ok: RunFormValues = { name: "ca-50", strategy: "CONFOUNDER_AWARE", perClass: "50", allocation: "BALANCED", withinGroup: "FACILITY_LOCATION", seed: "1", analysisId: "QW5hbHlzaXM6MQ" };

describe("validateRunForm", () => {
  it("validateRunForm(valid values) returns no errors", () => {
    expect(validateRunForm(ok, 1000)).toEqual({});
  });
  it("takes a budget up to the largest class (smaller classes are taken whole), as the server does", () => {
    expect(validateRunForm({ ...ok, perClass: "1214" }, 1214)).toEqual({});
    expect(validateRunForm({ ...ok, perClass: "1215" }, 1214).perClass).toMatch(/largest class has 1214 samples.*at most 1214/);
  });
  it("rejects non-integer budgets and seeds, and an unknown strategy", () => {
    const e = validateRunForm({ ...ok, perClass: "2.5", seed: "-1", strategy: "magic" }, null);
    expect(Object.keys(e).sort()).toEqual(["perClass", "seed", "strategy"]);
    // The engine's names are not the schema's values: the form sends only enum values.
    expect(validateRunForm({ ...ok, strategy: "confounder-aware" }, null).strategy).toBeDefined();
  });
  it("takes every seed of the API's Seed scalar (0..2^32−1) and nothing else", () => {
    expect(validateRunForm({ ...ok, seed: "4000000000" }, null)).toEqual({});
    expect(validateRunForm({ ...ok, seed: String(SEED_MAX) }, null)).toEqual({});
    for (const bad of [String(SEED_MAX + 1), "-1", "1.5", "1e3", "", "0x10"]) expect(isSeedText(bad), bad).toBe(false);
    expect(validateRunForm({ ...ok, seed: String(SEED_MAX + 1) }, null).seed).toMatch(/0 to 4294967295/);
  });
  it("uses the bounds the server's printed schema gives the Seed scalar", () => {
    // The repository's printed schema (apps/server/schema.graphql, written by the server's build).
    const schema = readFileSync(path.resolve(import.meta.dirname, "../../../server/schema.graphql"), "utf8");
    expect(schema).toMatch(new RegExp(`An integer in ${SEED_MIN}\\.\\.${SEED_MAX} \\(a uint32\\)[^"]*"""\\s*scalar Seed`));
  });
  it("each strategy's label and hint are the engine's declaration (STRATEGY_TEXT), for every generated value", () => {
    expect(STRATEGIES.map((x) => x.id)).toEqual(ENGINE_STRATEGIES.map((s) => s.toUpperCase().replace(/-/g, "_")).sort());
    for (const s of ENGINE_STRATEGIES) {
      const id = s.toUpperCase().replace(/-/g, "_");
      expect(STRATEGIES.find((x) => x.id === id), s).toEqual({ id, label: STRATEGY_TEXT[s].label, hint: STRATEGY_TEXT[s].hint, needsAnalysis: STRATEGY_TEXT[s].needsGroups });
      expect(strategyLabel(id as Strategy)).toBe(STRATEGY_TEXT[s].label);
    }
  });
  it("offers the schema's enum values, each with a label; confounder-aware first", () => {
    expect(STRATEGIES.map((x) => x.id)).toEqual(Object.values(Strategy));
    expect(STRATEGIES[0]).toMatchObject({ id: "CONFOUNDER_AWARE", label: "Confounder-aware", needsAnalysis: true });
    expect(STRATEGIES.every((x) => x.label && x.hint)).toBe(true);
    expect(strategyLabel("KCENTER")).toBe("k-center greedy");
  });
  it("confounder-aware needs a known within-group rule; other strategies ignore it", () => {
    expect(validateRunForm({ ...ok, withinGroup: "QUANTILE" }, null)).toEqual({});
    expect(validateRunForm({ ...ok, withinGroup: "best" }, null).withinGroup).toMatch(/"best"/);
    expect(validateRunForm({ ...ok, strategy: "KCENTER", withinGroup: "best" }, null)).toEqual({});
  });
  it("confounder-aware needs an analysis; random does not", () => {
    expect(validateRunForm({ ...ok, analysisId: "" }, null).analysisId).toBeDefined();
    expect(validateRunForm({ ...ok, strategy: "RANDOM", analysisId: "" }, null)).toEqual({});
  });
});

const g = (label: string, index: number, verdict = "PENDING", name?: string): FormGroup => ({ label, index, isNoise: false, verdict, name: name ?? `${label} #${index}` });

describe("describeBalance", () => {
  const groups = [g("normal", 0), g("normal", 1), g("normal", 2), g("normal", 3, "REJECTED"), g("pneumonia", 0), g("pneumonia", 1), g("pneumonia", 2), { ...g("pneumonia", -1), isNoise: true }];
  it("says what is balanced: declared levels first, then the groups inside each, and what verdicts do", () => {
    expect(describeBalance({ perClass: 50, allocation: "BALANCED", declared: ["site"], groups })).toBe(
      "Each class's 50 picks are shared equally across sites, then across the 3 discovered groups inside each site; 1 rejected group is treated as ordinary rows.",
    );
    expect(describeBalance({ perClass: 20, allocation: "PROPORTIONAL", declared: [], groups: groups.slice(4) })).toBe(
      "Each class's 20 picks are shared in proportion to their size across the 3 discovered groups.",
    );
    expect(describeBalance({ perClass: 10, allocation: "BALANCED", declared: ["site", "scanner"], groups: null })).toMatch(/across the combinations of site × scanner, then across the discovered groups inside each combination\.$/);
  });
  it("counts groups renamed alike (trimmed, any case) as one, and names classes whose counts differ", () => {
    const renamed = [g("normal", 0, "RENAMED", "Site A"), g("normal", 1, "RENAMED", " site a"), g("normal", 2), g("pneumonia", 0)];
    expect(effectiveGroupCounts(renamed)).toEqual([
      { label: "normal", groups: 2, rejected: 0, merged: 1 },
      { label: "pneumonia", groups: 1, rejected: 0, merged: 0 },
    ]);
    expect(describeBalance({ perClass: 5, allocation: "SQRT", declared: [], groups: renamed })).toBe(
      "Each class's 5 picks are shared by the square root of their size across the discovered groups (normal: 2, pneumonia: 1); 1 group named like another counts as one with it.",
    );
  });
  it("declared columns need confounder-aware", () => {
    expect(validateRunForm({ ...ok, declared: ["site"] }, null)).toEqual({});
    expect(validateRunForm({ ...ok, strategy: "RANDOM", declared: ["site"] }, null).declared).toMatch(/confounder-aware/);
  });
});

/** The bounds to accept and the values one step beyond them, as typed. */
function cases(spec: RangeParam): { accept: string[]; refuse: string[] } {
  const exclusive = spec.type === "number" && spec.minExclusive === true;
  const accept = [String(exclusive ? spec.min + 0.5 : spec.min)];
  const refuse = [String(exclusive ? spec.min : spec.min - 1)];
  if (spec.max !== undefined) {
    accept.push(String(spec.max));
    refuse.push(String(spec.max + 1));
  }
  if (spec.type === "int") refuse.push(`${spec.min}.5`);
  return { accept, refuse };
}

// The form's checks are the engine's declaration: for every declared numeric parameter the forms take,
// the bounds pass and one step beyond them is refused beside its field. A bound typed in runForm.ts
// (or in a page) instead of read from the declaration fails here.
describe("the forms check the declared ranges", () => {
  // every numeric selection parameter the API takes is a field of the run form, under the engine's name
  const runFields = onSurface(SELECT_PARAMS, "api").filter((e): e is [keyof RunFormValues & keyof typeof SELECT_PARAMS, RangeParam, string] => e[1].type === "int" || e[1].type === "number");
  it("the run form has a field for every numeric selection parameter on the api", () => {
    expect(runFields.map(([n]) => n)).toEqual(["perClass", "seed"]);
    for (const [field] of runFields) expect(ok, field).toHaveProperty(field);
  });
  for (const [field, spec] of runFields) {
    it(`run form ${field}: accepts ${describeRange(spec)}, refuses beyond`, () => {
      const { accept, refuse } = cases(spec);
      for (const v of accept) expect(validateRunForm({ ...ok, [field]: v }, null), `${field} = ${v}`).toEqual({});
      for (const v of refuse) expect(Object.keys(validateRunForm({ ...ok, [field]: v }, null)), `${field} = ${v}`).toEqual([field]);
    });
  }
  const base: AnalysisFormValues = { reduce: "UMAP", eps: "", minPts: "", seed: "0" };
  const analysisFields: [keyof AnalysisFormValues, RangeParam][] = [["eps", ANALYZE_PARAMS.eps], ["minPts", ANALYZE_PARAMS.minPts], ["seed", ANALYZE_PARAMS.seed]];
  for (const [field, spec] of analysisFields) {
    it(`analysis form ${field}: accepts ${describeRange(spec)}, refuses beyond`, () => {
      const { accept, refuse } = cases(spec);
      for (const v of accept) expect(analysisFormParams({ ...base, [field]: v }).params?.[field], `${field} = ${v}`).toBe(Number(v));
      for (const v of refuse) expect(Object.keys(analysisFormParams({ ...base, [field]: v }).errors), `${field} = ${v}`).toEqual([field]);
    });
  }
  it("blank eps/minPts are auto (not sent)", () => {
    expect(analysisFormParams(base)).toEqual({ params: { reduce: "UMAP", seed: 0 }, errors: {} });
  });
  it("declared columns and the name: the declared caps (the API's, not 120)", () => {
    const cols = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    const max = SELECT_PARAMS.declared.maxItems;
    expect(validateRunForm({ ...ok, declared: cols(max) }, null)).toEqual({});
    expect(Object.keys(validateRunForm({ ...ok, declared: cols(max + 1) }, null))).toEqual(["declared"]);
    const nameMax = RUN_FIELDS.name.maxLength;
    expect(nameMax).toBe(200);
    expect(validateRunForm({ ...ok, name: "x".repeat(nameMax) }, null)).toEqual({});
    expect(Object.keys(validateRunForm({ ...ok, name: "x".repeat(nameMax + 1) }, null))).toEqual(["name"]);
  });
});
