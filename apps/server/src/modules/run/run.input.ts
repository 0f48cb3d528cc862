import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsInt, IsOptional, IsString, Length } from "class-validator";
import { SeedScalar } from "../../graphql/scalars.js";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { SelectionRun } from "./run.type.js";

@InputType({ description: "Start a selection run (CURATOR)." })
export class SelectionRunStartInput {
  @Field(() => ID, { description: "The dataset version to select from." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => ID, { nullable: true, description: "A SUCCEEDED analysis of that version (required by confounder-aware)." })
  analysisId?: string | null;

  @Field(() => String, { description: "confounder-aware, random, stratified, kcenter, herding, facility-location or moderate." })
  strategy!: string;

  @Field(() => Int, { description: "Budget N per class (≥ 1, at most the largest class)." })
  @IsInt()
  perClass!: number;

  @Field(() => String, { nullable: true, description: "confounder-aware: proportional (default), balanced or sqrt." })
  allocation?: string | null;

  @Field(() => String, { nullable: true, description: "confounder-aware: facility-location (default: the group's most representative rows), quantile (evenly spaced bands of distance to the centre), nearest or kcenter." })
  withinGroup?: string | null;

  @Field(() => String, { nullable: true, description: "confounder-aware: own-group (default) or exclude." })
  noise?: string | null;

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

  @Field(() => String, { nullable: true, description: "facility-location: rbf (default) or cosine." })
  kernel?: string | null;

  // The Seed scalar checks the engine's range (SEED_MIN..SEED_MAX) when the request is parsed.
  @Field(() => SeedScalar, { nullable: true, description: "Seed of every random choice (default 0)." })
  seed?: number | null;

  @Field(() => String, { nullable: true, description: "Display name." })
  @IsOptional()
  @Length(0, 200)
  name?: string | null;
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
