import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsOptional, IsString, Length, ValidateNested } from "class-validator";
import * as engine from "@stratum/engine";
import { AllocationEnum, KernelEnum, NoiseHandlingEnum, ParamField, StrategyEnum, WithinGroupEnum } from "../../graphql/contract.js";
import { SeedScalar } from "../../graphql/scalars.js";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { SelectionRun } from "./run.type.js";
import { QualityRulesInput } from "../subset/subset.input.js";

// Parameter fields: type, range, default and description from the engine's declaration (SELECT_PARAMS).
const P = engine.SELECT_PARAMS;

@InputType({ description: "Start a selection run (CURATOR)." })
export class SelectionRunStartInput {
  @Field(() => ID, { description: "The dataset version to select from." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => ID, { nullable: true, description: "A SUCCEEDED analysis of that version (required by confounder-aware)." })
  analysisId?: string | null;

  @ParamField(P.strategy, { type: () => StrategyEnum, required: true })
  strategy!: engine.Strategy;

  // No declared upper bound: at most the largest class, which needs the pools (run.service.ts).
  @ParamField(P.perClass, { required: true, note: "At most the largest class. SelectionRun.perClass gives it back." })
  perClass!: number;

  @ParamField(P.allocation, { type: () => AllocationEnum })
  allocation?: engine.Allocation | null;

  @ParamField(P.withinGroup, { type: () => WithinGroupEnum })
  withinGroup?: engine.WithinGroup | null;

  @ParamField(P.noise, { type: () => NoiseHandlingEnum })
  noise?: engine.NoiseHandling | null;

  @ParamField(P.declared, { type: () => [String], note: "Metadata columns or site, each with 2 to 64 levels in the version." })
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  declaredConfounders?: string[] | null;

  @ParamField(P.stratifyColumn, { note: "A metadata column or site." })
  stratifyColumn?: string | null;

  @ParamField(P.kernel, { type: () => KernelEnum })
  kernel?: engine.Kernel | null;

  // The Seed scalar checks the engine's range (SEED_MIN..SEED_MAX) when the request is parsed.
  @ParamField(P.seed, { type: () => SeedScalar })
  seed?: number | null;

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
