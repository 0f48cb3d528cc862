import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsInt, IsOptional, MaxLength, Min } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { ReviewDecisionKind } from "../job/job.enums.js";
import { SelectionItem, SelectionRun } from "../run/run.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { ReviewDecision, ReviewRelabel } from "./review.type.js";

@InputType({
  description:
    "A reviewer's decision on one item of a run (REVIEWER): name the item either by runId + sampleId or by itemId (exactly one of sampleId and itemId). Optimistic: name the reviewVersion you saw.",
})
export class ReviewDecideInput {
  @Field(() => ID, { nullable: true, description: "The run; required with sampleId, optional with itemId (then it must be the item's run)." })
  runId?: string | null;

  @Field(() => ID, { nullable: true, description: "The selected sample (a Sample ID), with runId." })
  sampleId?: string | null;

  @Field(() => ID, { nullable: true, description: "The item itself (SelectionItem.id), as a review queue lists it." })
  itemId?: string | null;

  @Field(() => ReviewDecisionKind, { description: "ACCEPT, REJECT or FLAG." })
  decision!: ReviewDecisionKind;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5_000)
  comment?: string | null;

  @Field(() => Int, { description: "The item's reviewVersion you decided on; if it moved on, you get CONFLICT and the current state." })
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

@ObjectType({ description: "Result of reviewDecide. On CONFLICT, `item` is the current state and `decision` your (kept, not applied) decision." })
export class ReviewDecidePayload extends Payload {
  @Field(() => SelectionItem, { nullable: true, description: "The item after the decision, or its current state on CONFLICT." })
  item!: SelectionItem | null;

  @Field(() => ReviewDecision, { nullable: true, description: "The logged decision." })
  decision!: ReviewDecision | null;
}

@InputType({ description: "Turn a run's accepted items into a new dataset version (CURATOR)." })
export class ReviewFinalizeInput {
  @Field(() => ID)
  runId!: string;

  @Field(() => String, { nullable: true, description: "Version message (default: the run and counts)." })
  @IsOptional()
  @MaxLength(2_000)
  message?: string | null;
}

@ObjectType({ description: "Result of reviewFinalize." })
export class ReviewFinalizePayload extends Payload {
  @Field(() => DatasetVersion, { nullable: true, description: "The new version holding the accepted subset." })
  datasetVersion!: DatasetVersion | null;

  @Field(() => SelectionRun, { nullable: true })
  run!: SelectionRun | null;
}

/** Longest label a relabel may set (labels come from manifests; this only stops abuse). */
export const LABEL_MAX = 200;

@InputType({
  description:
    "A reviewer's corrected label for one item of a run (REVIEWER), named like reviewDecide's item. A label the version does not have is refused naming `label` unless allowNewLabel is true. Optimistic: name the reviewVersion you saw (decisions and relabels share it).",
})
export class ReviewRelabelInput {
  @Field(() => ID, { nullable: true, description: "The run; required with sampleId, optional with itemId (then it must be the item's run)." })
  runId?: string | null;

  @Field(() => ID, { nullable: true, description: "The selected sample (a Sample ID), with runId." })
  sampleId?: string | null;

  @Field(() => ID, { nullable: true, description: "The item itself (SelectionItem.id)." })
  itemId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `The corrected label (1–${LABEL_MAX} characters, trimmed); null, or the sample's own label, withdraws the correction.`,
  })
  @IsOptional()
  @MaxLength(LABEL_MAX)
  label?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Say true to introduce a label no sample of the version has (default false: such a label is refused)." })
  allowNewLabel?: boolean | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5_000)
  comment?: string | null;

  @Field(() => Int, { description: "The item's reviewVersion you saw; if it moved on, you get CONFLICT and the current state." })
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

@ObjectType({ description: "Result of reviewRelabel. On CONFLICT, `item` is the current state and `relabel` your (kept, not applied) correction." })
export class ReviewRelabelPayload extends Payload {
  @Field(() => SelectionItem, { nullable: true, description: "The item after the correction, or its current state on CONFLICT." })
  item!: SelectionItem | null;

  @Field(() => ReviewRelabel, { nullable: true, description: "The logged correction." })
  relabel!: ReviewRelabel | null;
}
