import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsInt, IsOptional, IsString, Length, ValidateNested } from "class-validator";
import type * as engine from "@stratum/engine";
import { AllocationEnum, KernelEnum, NoiseHandlingEnum, StrategyEnum, WithinGroupEnum } from "../../graphql/contract.js";
import { SeedScalar } from "../../graphql/scalars.js";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { SelectionRun } from "./run.type.js";
import { QualityRulesInput } from "../subset/subset.input.js";

@InputType({ description: "Start a selection run (CURATOR)." })
export class SelectionRunStartInput {
  @Field(() => ID, { description: "The dataset version to select from." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => ID, { nullable: true, description: "A SUCCEEDED analysis of that version (required by confounder-aware)." })
  analysisId?: string | null;

  @Field(() => StrategyEnum)
  strategy!: engine.Strategy;

  @Field(() => Int, { description: "Budget N per class (≥ 1, at most the largest class; smaller classes are taken whole). SelectionRun.perClass gives it back." })
  @IsInt()
  perClass!: number;

  @Field(() => AllocationEnum, { nullable: true, description: "confounder-aware: default PROPORTIONAL." })
  allocation?: engine.Allocation | null;

  @Field(() => WithinGroupEnum, { nullable: true, description: "confounder-aware: FACILITY_LOCATION (default: the group's most representative rows), QUANTILE (evenly spaced bands of distance to the centre), NEAREST or KCENTER." })
  withinGroup?: engine.WithinGroup | null;

  @Field(() => NoiseHandlingEnum, { nullable: true, description: "confounder-aware: OWN_GROUP (default) or EXCLUDE." })
  noise?: engine.NoiseHandling | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "confounder-aware: metadata columns (or site) known to be confounders. Each class's budget is shared across their levels' combinations first, then across the discovered groups inside each. Each must have 2 to 64 levels in the version.",
  })
  @IsOptional()
  @ArrayMaxSize(8)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  declaredConfounders?: string[] | null;

  @Field(() => String, { nullable: true, description: "stratified: the metadata column (or site)." })
  stratifyColumn?: string | null;

  @Field(() => KernelEnum, { nullable: true, description: "facility-location: RBF (default) or COSINE." })
  kernel?: engine.Kernel | null;

  // The Seed scalar checks the engine's range (SEED_MIN..SEED_MAX) when the request is parsed.
  @Field(() => SeedScalar, { nullable: true, description: "Seed of every random choice (default 0)." })
  seed?: number | null;

  @Field(() => String, { nullable: true, description: "Display name." })
  @IsOptional()
  @Length(0, 200)
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
