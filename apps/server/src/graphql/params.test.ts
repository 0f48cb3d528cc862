// The API's parameter inputs take their ranges and descriptions from the engine's declaration: for
// every declared numeric parameter that is a field of AnalysisParamsInput / SelectionRunStartInput,
// mutate()'s input validation accepts the bounds and refuses one step beyond them (VALIDATION naming
// the field), and the printed field description gives the declared range. A bound typed by hand on an
// input class (an @Max that drifted from the declaration) fails here. No database needed.
import { describe, expect, it } from "vitest";
import { isInputObjectType, isNonNullType } from "graphql";
import { ANALYZE_PARAMS, RUN_FIELDS, SELECT_PARAMS, describeRange, nameOn, onSurface, type ParamSpec, type RangeParam } from "@stratum/engine";
import { AnalysisParamsInput } from "../modules/analysis/analysis.input.js";
import { SelectionRunStartInput } from "../modules/run/run.input.js";
import { buildStratumSchema } from "../schema.js";
import { AppErrors } from "./errors.js";
import { validateInput } from "./mutation.js";
import { SeedScalar } from "./scalars.js";

/** The declared numeric parameters on the "api" surface: [name, spec, GraphQL field]. */
const numeric = (table: Record<string, ParamSpec>) =>
  onSurface(table, "api").filter((e): e is [string, RangeParam, string] => e[1].type === "int" || e[1].type === "number");

const runBase = { datasetVersionId: "v", embeddingSetId: "e", strategy: "random", perClass: 1 };

/** The fields at fault when `input` is validated as mutate() does ([] when it passes). */
async function faults(input: object): Promise<string[]> {
  try {
    await validateInput(input);
    return [];
  } catch (error) {
    if (error instanceof AppErrors) return error.errors.map((e) => (e.field ?? []).join("."));
    throw error;
  }
}

function cases(spec: RangeParam): { accept: number[]; refuse: number[] } {
  const exclusive = spec.type === "number" && spec.minExclusive === true;
  const accept = [exclusive ? spec.min + 0.5 : spec.min];
  const refuse = [exclusive ? spec.min : spec.min - 1];
  if (spec.max !== undefined) {
    accept.push(spec.max);
    refuse.push(spec.max + 1);
  }
  return { accept, refuse };
}

const schema = await buildStratumSchema();
const fieldsOf = (name: string) => {
  const type = schema.getType(name);
  if (!isInputObjectType(type)) throw new Error(`${name} is not an input type`);
  return type.getFields();
};

for (const [typeName, table, make] of [
  ["AnalysisParamsInput", ANALYZE_PARAMS, (values: object) => Object.assign(new AnalysisParamsInput(), values)],
  ["SelectionRunStartInput", SELECT_PARAMS, (values: object) => Object.assign(new SelectionRunStartInput(), runBase, values)],
] as const) {
  describe(`${typeName}: declared ranges`, () => {
    const fields = fieldsOf(typeName);
    it("exposes the declared parameters on the api surface, under their API names, non-null when required", () => {
      const onApi = onSurface(table, "api");
      expect(onApi.length).toBeGreaterThan(0);
      // AnalysisParamsInput holds them alone; the run input also its ids, name and constraints
      if (typeName === "AnalysisParamsInput") expect(Object.keys(fields)).toEqual(onApi.map(([, , f]) => f));
      for (const [name, spec, field] of onApi) {
        expect(fields[field], `${name} → ${field}`).toBeDefined();
        expect(isNonNullType(fields[field]!.type), field).toBe(spec.required === true);
        expect(fields[field]!.description, field).toContain(spec.description.replace(/\.$/, ""));
      }
    });
    for (const [name, spec, field] of numeric(table)) {
      it(`${field}: accepts ${describeRange(spec)}, refuses one step beyond; the description says the range`, async () => {
        const { accept, refuse } = cases(spec);
        for (const v of accept) expect(await faults(make({ [field]: v })), `${name} = ${v}`).toEqual([]);
        for (const v of refuse) expect(await faults(make({ [field]: v })), `${name} = ${v}`).toContain(field);
        const described = describeRange(spec.type === "number" ? { ...spec, auto: false, nullable: false } : spec);
        expect(fields[field]!.description).toContain(described);
      });
    }
  });
}

describe("SelectionRunStartInput: the published names stay", () => {
  it("every selection parameter is a field; declared keeps its published name declaredConfounders", () => {
    expect(onSurface(SELECT_PARAMS, "api").map(([n, , f]) => `${n}:${f}`)).toEqual(Object.keys(SELECT_PARAMS).map((n) => `${n}:${n === "declared" ? "declaredConfounders" : n}`));
  });
  it("the seed field is the Seed scalar (which checks the declared seed range when the request is parsed)", () => {
    const seed = fieldsOf("SelectionRunStartInput")[nameOn("seed", SELECT_PARAMS.seed, "api")]!;
    expect(String(seed.type)).toBe("Seed");
  });
});

describe("other declared bounds", () => {
  it("the Seed scalar holds the declared seed range", () => {
    expect(SeedScalar.parseValue(SELECT_PARAMS.seed.max)).toBe(SELECT_PARAMS.seed.max);
    expect(() => SeedScalar.parseValue(SELECT_PARAMS.seed.max + 1)).toThrow(/Seed/);
    expect(() => SeedScalar.parseValue(SELECT_PARAMS.seed.min - 1)).toThrow(/Seed/);
  });
  it("declaredConfounders: at most the declared columns; name: at most the declared characters", async () => {
    const cols = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    const max = SELECT_PARAMS.declared.maxItems;
    const run = (values: object) => Object.assign(new SelectionRunStartInput(), runBase, values);
    const field = nameOn("declared", SELECT_PARAMS.declared, "api");
    expect(await faults(run({ [field]: cols(max) }))).toEqual([]);
    expect(await faults(run({ [field]: cols(max + 1) }))).toContain(field);
    expect(await faults(run({ [field]: ["site", ""] }))).toContain(field);
    expect(await faults(run({ [field]: ["x".repeat(201)] }))).toContain(field);
    const nameMax = RUN_FIELDS.name.maxLength;
    expect(await faults(run({ name: "x".repeat(nameMax) }))).toEqual([]);
    expect(await faults(run({ name: "x".repeat(nameMax + 1) }))).toContain("name");
  });
});
