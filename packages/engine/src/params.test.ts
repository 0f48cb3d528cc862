// The declaration is the engine's own check: for every numeric parameter, resolveParams /
// resolveAnalyzeParams take the declared bounds and refuse one step beyond them, with the declared code
// and the parameter as field. The pins below hold today's ranges, so a change to one is deliberate.
import { describe, expect, it } from "vitest";
import { resolveAnalyzeParams } from "./analyze.js";
import { ANALYZE_PARAMS, SELECT_PARAMS, STRATEGIES, STRATEGY_TEXT, checkParam, describeRange, nameOn, onSurface, type ParamSpec, type RangeParam } from "./params.js";
import { SEED_MAX } from "./rng.js";
import { resolveParams } from "./select/select.js";
import { EngineInputError } from "./types.js";

const numeric = (table: Record<string, ParamSpec>) =>
  Object.entries(table).filter((e): e is [string, RangeParam] => e[1].type === "int" || e[1].type === "number");

/** Values just outside a range: below min (min itself when exclusive), above max, and a fraction for ints. */
function outside(spec: RangeParam): number[] {
  const out = [spec.type === "number" && spec.minExclusive ? spec.min : spec.min - 1];
  if (spec.max !== undefined) out.push(spec.max + 1);
  if (spec.type === "int") out.push(spec.min + 0.5);
  return out;
}
function inside(spec: RangeParam): number[] {
  const low = spec.type === "number" && spec.minExclusive ? spec.min + 1e-6 : spec.min;
  return spec.max === undefined ? [low] : [low, spec.max];
}

function refusal(run: () => unknown): { code: string; field: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof EngineInputError) return { code: error.code, field: error.field };
    throw error;
  }
}

describe("SELECT_PARAMS drives resolveParams", () => {
  for (const [name, spec] of numeric(SELECT_PARAMS)) {
    it(`${name}: accepts ${describeRange(spec)}, refuses beyond`, () => {
      for (const v of inside(spec)) expect(refusal(() => resolveParams({ strategy: "random", perClass: 1, [name]: v })), `${name} = ${v}`).toBeNull();
      for (const v of outside(spec)) expect(refusal(() => resolveParams({ strategy: "random", perClass: 1, [name]: v })), `${name} = ${v}`).toEqual({ code: spec.code, field: name });
    });
  }
  it("closed sets: every declared value is taken, anything else refused naming the field", () => {
    for (const name of ["allocation", "withinGroup", "noise"] as const) {
      for (const v of SELECT_PARAMS[name].values) expect(resolveParams({ strategy: "confounder-aware", perClass: 1, [name]: v })[name]).toBe(v);
      expect(refusal(() => resolveParams({ strategy: "confounder-aware", perClass: 1, [name]: "other" as never }))).toEqual({ code: "BAD_PARAM", field: name });
    }
    expect(refusal(() => resolveParams({ strategy: "best" as never, perClass: 1 }))).toEqual({ code: "UNKNOWN_STRATEGY", field: "strategy" });
  });
  it("declared: at most maxItems columns", () => {
    const cols = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    const max = SELECT_PARAMS.declared.maxItems;
    expect(resolveParams({ strategy: "confounder-aware", perClass: 1, declared: cols(max) }).declared).toHaveLength(max);
    expect(refusal(() => resolveParams({ strategy: "confounder-aware", perClass: 1, declared: cols(max + 1) }))).toEqual({ code: "BAD_PARAM", field: "declared" });
  });
  it("defaults are the declared ones (the manifest's resolved params)", () => {
    expect(resolveParams({ strategy: "confounder-aware", perClass: 3 })).toEqual({
      strategy: "confounder-aware", perClass: 3, seed: 0, allocation: "proportional", withinGroup: "facility-location", noise: "own-group",
    });
    expect(resolveParams({ strategy: "facility-location", perClass: 3 }).kernel).toBe(SELECT_PARAMS.kernel.default);
  });
});

describe("ANALYZE_PARAMS drives resolveAnalyzeParams", () => {
  for (const [name, spec] of numeric(ANALYZE_PARAMS)) {
    it(`${name}: accepts ${describeRange(spec)}, refuses beyond`, () => {
      for (const v of inside(spec)) expect(refusal(() => resolveAnalyzeParams({ [name]: v })), `${name} = ${v}`).toBeNull();
      for (const v of outside(spec)) expect(refusal(() => resolveAnalyzeParams({ [name]: v })), `${name} = ${v}`).toEqual({ code: spec.code, field: name });
    });
  }
  it("defaults are the declared ones", () => {
    const r = resolveAnalyzeParams({});
    for (const [name, spec] of Object.entries(ANALYZE_PARAMS)) {
      const value = (r as unknown as Record<string, unknown>)[name];
      if (typeof spec.default === "number" || typeof spec.default === "boolean" || spec.default === "umap" || spec.default === "auto") expect(value, name).toBe(spec.default);
    }
    expect(r.minPts).toBe("auto");
    expect(r.pcaComponents).toBeNull();
    expect(resolveAnalyzeParams({ mergeCrossClass: null }).mergeCrossClass).toBeNull();
    expect(resolveAnalyzeParams({ eps: "auto" }).eps).toBe("auto");
  });
});

describe("the declared ranges (pinned: the API, CLI and web form share them)", () => {
  it("seed 0..2^32−1, perClass ≥ 1, at most 8 declared columns", () => {
    expect([SELECT_PARAMS.seed.min, SELECT_PARAMS.seed.max, ANALYZE_PARAMS.seed.max]).toEqual([0, SEED_MAX, SEED_MAX]);
    expect(SEED_MAX).toBe(4294967295);
    expect(checkParam(SELECT_PARAMS.perClass, 1)).toBeNull();
    expect(SELECT_PARAMS.declared.maxItems).toBe(8);
  });
  it("analysis upper bounds (issue 12, finding 8)", () => {
    const P = ANALYZE_PARAMS;
    expect({ pca: P.pcaComponents.max, eps: P.eps.max, minPts: P.minPts.max, perplexity: P.perplexity.max, nNeighbors: P.nNeighbors.max }).toEqual({
      pca: 256, eps: 1000, minPts: 200, perplexity: 100, nNeighbors: 100,
    });
  });
  it("describeRange reads as the error messages do", () => {
    expect(describeRange(ANALYZE_PARAMS.eps)).toBe('"auto" or a number in (0, 1000]');
    expect(describeRange(ANALYZE_PARAMS.minPts)).toBe("an integer in 1..200");
    expect(describeRange(SELECT_PARAMS.perClass)).toBe("an integer ≥ 1");
    expect(describeRange(ANALYZE_PARAMS.mergeCrossClass)).toBe("a number in (0, 1] or null");
  });
});

describe("surfaces and names", () => {
  it("every selection parameter is on the api and the cli; declared keeps its published names there", () => {
    for (const surface of ["api", "cli"] as const) expect(onSurface(SELECT_PARAMS, surface).map(([n]) => n)).toEqual(Object.keys(SELECT_PARAMS));
    expect(nameOn("declared", SELECT_PARAMS.declared, "api")).toBe("declaredConfounders");
    expect(nameOn("declared", SELECT_PARAMS.declared, "cli")).toBe("declare");
    expect(nameOn("perClass", SELECT_PARAMS.perClass, "api")).toBe("perClass");
    expect(nameOn("perClass", SELECT_PARAMS.perClass, "cli")).toBe("per-class");
    expect(onSurface(ANALYZE_PARAMS, "cli").map(([, , flag]) => flag)).toEqual(["reduce", "pca-components", "eps", "min-pts", "seed", "perplexity", "n-neighbors"]);
  });
  it("required: strategy and perClass (resolveParams refuses them missing)", () => {
    expect(Object.entries(SELECT_PARAMS).filter(([, s]) => "required" in s && s.required).map(([n]) => n)).toEqual(["strategy", "perClass"]);
    expect(refusal(() => resolveParams({ perClass: 1 } as never))?.field).toBe("strategy");
    expect(refusal(() => resolveParams({ strategy: "random" } as never))?.field).toBe("perClass");
  });
  it("a strategy-specific parameter names strategies that exist, and resolveParams reads it for them only", () => {
    for (const [name, spec] of Object.entries(SELECT_PARAMS) as [string, ParamSpec][]) {
      for (const s of spec.strategies ?? []) expect(STRATEGIES, name).toContain(s);
    }
    expect(resolveParams({ strategy: "random", perClass: 1, kernel: "cosine" }).kernel).toBeUndefined();
    expect(resolveParams({ strategy: "facility-location", perClass: 1, kernel: "cosine" }).kernel).toBe("cosine");
  });
  it("the strategies are STRATEGY_TEXT's keys, each with a label and a hint; only confounder-aware needs groups", () => {
    expect(STRATEGIES).toEqual(Object.keys(STRATEGY_TEXT));
    expect(STRATEGIES[0]).toBe("confounder-aware");
    expect(SELECT_PARAMS.strategy.values).toBe(STRATEGIES);
    for (const s of STRATEGIES) expect(STRATEGY_TEXT[s].label && STRATEGY_TEXT[s].hint, s).toBeTruthy();
    expect(STRATEGIES.filter((s) => STRATEGY_TEXT[s].needsGroups)).toEqual(["confounder-aware"]);
  });
});
