import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsOptional, MaxLength, ValidateNested } from "class-validator";
import * as engine from "@stratum/engine";
import { ParamField, graphqlTypeOf } from "../../graphql/contract.js";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { SelectionRun } from "./run.type.js";
import { QualityRulesInput } from "../subset/subset.input.js";

type Declared = typeof engine.SELECT_PARAMS;
type ApiName<K extends keyof Declared> = Declared[K] extends { readonly names: { readonly api: infer N extends string } } ? N : K;
type ValueOf<S> = S extends { readonly type: "enum"; readonly values: readonly (infer V)[] }
  ? V
  : S extends { readonly type: "int" | "number" }
    ? number
    : S extends { readonly type: "list" }
      ? string[]
      : S extends { readonly type: "boolean" }
        ? boolean
        : string;
/** The declared selection parameters under their API names (declared → declaredConfounders), as GraphQL gives them. */
export type SelectionParamsInput = { [K in keyof Declared as ApiName<K>]?: ValueOf<Declared[K]> | null };

/** What only the API checks (run.service.ts, it needs the version's samples and pools), after the declared range. */
const API_NOTES: Partial<Record<keyof Declared, string>> = {
  perClass: "At most the largest class. SelectionRun.perClass gives it back.",
  declared: "Metadata columns or site, each with 2 to 64 levels in the version.",
  stratifyColumn: "A metadata column or site.",
};

// The type of the fields applied below; a base with no runtime content (TypeGraphQL reads only the
// decorated class).
const SelectionParamsFields = class {} as new () => SelectionParamsInput;

@InputType({ description: "Start a selection run (CURATOR)." })
export class SelectionRunStartInput extends SelectionParamsFields {
  @Field(() => ID, { description: "The dataset version to select from." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => ID, { nullable: true, description: "A SUCCEEDED analysis of that version (required by confounder-aware)." })
  analysisId?: string | null;

  @ParamField(engine.RUN_FIELDS.name)
  name?: string | null;

  // ─── Subsets and quality exclusions (issue 14; modules/subset/run-constraints.ts) ───
  @Field(() => ID, { nullable: true, description: "Select only from this saved subset of the version (default: the whole version)." })
  poolSubsetId?: string | null;

  @Field(() => [ID], { nullable: true, description: "Saved subsets of the version whose samples the run leaves out." })
  @IsOptional()
  @ArrayMaxSize(32)
  excludeSubsetIds?: string[] | null;

  @Field(() => [ID], {
    nullable: true,
    description: "Saved subsets of the version whose samples the run always selects (first in their class, with the reason); they count against perClass and beat any exclusion.",
  })
  @IsOptional()
  @ArrayMaxSize(32)
  includeSubsetIds?: string[] | null;

  @Field(() => QualityRulesInput, {
    nullable: true,
    description: "Leave out duplicates (one of each set kept: the lowest sample id), outliers and likely label errors, by the version's newest SUCCEEDED data-quality report or the one named.",
  })
  @IsOptional()
  @ValidateNested()
  qualityExclusions?: QualityRulesInput | null;
}

// Its parameter fields are the engine's declared selection parameters on the "api" surface
// (SELECT_PARAMS, onSurface), under their API names: type (the registered enum, the Seed scalar, which
// checks SEED_MIN..SEED_MAX when the request is parsed), nullability, range, description and
// class-validator checks come from there, so a parameter added to the declaration with surfaces
// ["api"] is a field of this input without a line here.
for (const [name, spec, field] of engine.onSurface(engine.SELECT_PARAMS, "api")) {
  ParamField(spec, { note: API_NOTES[name], type: graphqlTypeOf(spec) })(SelectionRunStartInput.prototype, field);
}
// A column name is at most 200 characters on the API (the request's size; the engine takes any).
MaxLength(200, { each: true })(SelectionRunStartInput.prototype, engine.nameOn("declared", engine.SELECT_PARAMS.declared, "api"));

/** The engine's SelectParams from the input: each declared parameter from its API field; null, "" and [] are "not given". */
export function selectParamsOf(input: SelectionRunStartInput): engine.SelectParams {
  const given = input as unknown as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [name, , field] of engine.onSurface(engine.SELECT_PARAMS, "api")) {
    const v = given[field];
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    params[name] = v;
  }
  return params as unknown as engine.SelectParams;
}

/** The input field of an engine parameter (an EngineInputError's field): declared → declaredConfounders. */
export function apiFieldOf(engineField: string): string {
  const spec = (engine.SELECT_PARAMS as Record<string, engine.ParamSpec>)[engineField];
  return spec ? engine.nameOn(engineField, spec, "api") : engineField;
}

@ObjectType({ description: "Result of selectionRunStart / selectionRunReproduce." })
export class SelectionRunStartPayload extends Payload {
  @Field(() => SelectionRun, { nullable: true })
  run!: SelectionRun | null;

  @Field(() => Job, { nullable: true, description: "Subscribe to jobProgress with its id." })
  job!: Job | null;
}

@InputType({ description: "Names a run (CURATOR)." })
export class SelectionRunRefInput {
  @Field(() => ID)
  runId!: string;
}

@ObjectType({ description: "Result of selectionRunCancel." })
export class SelectionRunCancelPayload extends Payload {
  @Field(() => SelectionRun, { nullable: true, description: "The run: CANCELLED at once if it had not started; otherwise it stops at its next step." })
  run!: SelectionRun | null;
}
