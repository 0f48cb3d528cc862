import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { ReviewDecision as Row, ReviewRelabel as RelabelRow } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { ReviewDecisionKind } from "../job/job.enums.js";

@ObjectType({ implements: Node, description: "One decision in a run's append-only review log." })
export class ReviewDecision extends Node {
  @Field(() => ReviewDecisionKind)
  decision!: ReviewDecisionKind;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Int, { description: "The item's reviewVersion after it (for one that lost a conflict: the version it met)." })
  version!: number;

  @Field(() => Boolean, { description: "False when it lost an optimistic-concurrency conflict: kept here, but the item did not change." })
  applied!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  dbId!: number;
  runId!: number;
  sampleId!: number;
  reviewerId!: number;

  static from(row: Row): ReviewDecision {
    return fromRow(ReviewDecision, "ReviewDecision", row);
  }
}

@ObjectType({ description: "A page of review decisions." })
export class ReviewDecisionConnection extends Connection(ReviewDecision) {}

@ObjectType({ description: "Counts of a run's items by current review state." })
export class ReviewSummary {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => Int) flagged!: number;
  @Field(() => Int) undecided!: number;
}

export enum ReviewActivityKind {
  DECISION = "DECISION",
  PRESENCE = "PRESENCE",
  FINALIZED = "FINALIZED",
  RELABEL = "RELABEL",
}
registerEnumType(ReviewActivityKind, { name: "ReviewActivityKind", description: "What a reviewActivity event carries." });

@ObjectType({ description: "Someone looking at the run's review right now." })
export class ReviewPresence {
  @Field(() => ID, { description: "The user's ID." })
  userId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Date, { description: "Last heartbeat seen." })
  seenAt!: Date;
}

@ObjectType({ description: "One reviewActivity event (see PROTOCOL.md)." })
export class ReviewActivityEvent {
  @Field(() => ReviewActivityKind)
  kind!: ReviewActivityKind;

  @Field(() => Int, { nullable: true, description: "Sequence number of stored events (DECISION, FINALIZED); null for PRESENCE, which is never stored." })
  seq!: number | null;

  @Field(() => ID, { description: "The run." })
  runId!: string;

  @Field(() => ReviewDecision, { nullable: true, description: "DECISION: the decision (applied or not)." })
  decision!: ReviewDecision | null;

  @Field(() => ReviewRelabel, { nullable: true, description: "RELABEL: the label correction (applied or not)." })
  relabel!: ReviewRelabel | null;

  @Field(() => ID, { nullable: true, description: "DECISION, RELABEL: the sample decided on." })
  sampleId!: string | null;

  @Field(() => String, { nullable: true, description: "DECISION, RELABEL: the reviewer's name." })
  reviewerName!: string | null;

  @Field(() => ID, { nullable: true, description: "FINALIZED: the new dataset version." })
  datasetVersionId!: string | null;

  @Field(() => [ReviewPresence], { description: "Who is reviewing the run now (PRESENCE; empty on other kinds)." })
  present!: ReviewPresence[];

  // DECISION, RELABEL: the item the event changed, as (run, sample) database ids; the `item` field
  // (ReviewActivityEventResolver) reads it when the event is delivered.
  itemRunId!: number | null;
  itemSampleId!: number | null;
}

// ─── Relabel in review and the queue order (issue 14) ───────────────────────

@ObjectType({ implements: Node, description: "One label correction in a run's append-only review log (reviewRelabel)." })
export class ReviewRelabel extends Node {
  @Field(() => String, { nullable: true, description: "The corrected label; null = the correction was withdrawn (back to the sample's own label)." })
  label!: string | null;

  @Field(() => String, { nullable: true, description: "The item's corrected label before this one (null = the sample's own)." })
  previous!: string | null;

  @Field(() => Boolean, { description: "The request said the label is new to the version (allowNewLabel)." })
  newLabel!: boolean;

  @Field(() => Boolean, { description: "The label is the data-quality report's suggestion for the sample." })
  suggested!: boolean;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Int, { description: "The item's reviewVersion after it (for one that lost a conflict: the version it met)." })
  version!: number;

  @Field(() => Boolean, { description: "False when it lost an optimistic-concurrency conflict: kept here, but the item did not change." })
  applied!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  dbId!: number;
  runId!: number;
  sampleId!: number;
  reviewerId!: number;

  static from(row: RelabelRow): ReviewRelabel {
    return fromRow(ReviewRelabel, "ReviewRelabel", row);
  }
}

@ObjectType({ description: "A page of label corrections." })
export class ReviewRelabelConnection extends Connection(ReviewRelabel) {}

export enum ReviewQueueOrder {
  RANK = "RANK",
  LABEL_ERROR = "LABEL_ERROR",
  OUTLIER = "OUTLIER",
}
registerEnumType(ReviewQueueOrder, {
  name: "ReviewQueueOrder",
  description: "How SelectionRun.reviewQueue orders the items.",
  valuesConfig: {
    RANK: { description: "The run's own order (rank)." },
    LABEL_ERROR: { description: "Most likely mislabelled first: labelErrorScore of the version's latest data-quality report, then rank." },
    OUTLIER: { description: "Most outlying first: outlierRatio (score over its class median, comparable across classes) of the latest report, then rank." },
  },
});

@ObjectType({ description: "One order of the review queue and whether it can be used now." })
export class ReviewQueueOrderOption {
  @Field(() => ReviewQueueOrder)
  order!: ReviewQueueOrder;

  @Field(() => Boolean, { description: "False when the order needs a data-quality report the version does not have." })
  available!: boolean;

  @Field(() => String, { nullable: true, description: "Why it is not available, for people." })
  reason!: string | null;
}

@ObjectType({ description: "An item's findings in the version's latest data-quality report." })
export class ReviewItemQuality {
  @Field(() => ID, { description: "The DataQualityReport they come from." })
  reportId!: string;

  @Field(() => Float, { description: "1 − p̂(its label), out of sample: higher = more likely mislabelled." })
  labelErrorScore!: number;

  @Field(() => String, { description: "The confident class if any, else the most probable one: the label a relabel may take." })
  suggestedLabel!: string;

  @Field(() => Boolean, { description: "Confident learning flags the label." })
  labelIssue!: boolean;

  @Field(() => Float, { nullable: true, description: "Mean distance to its k nearest samples of the same class; null for a class of one." })
  outlierScore!: number | null;

  @Field(() => Float, { nullable: true, description: "outlierScore over the class median." })
  outlierRatio!: number | null;

  @Field(() => Int, { description: "Rank within its class by outlier score, 0 = most outlying." })
  outlierRank!: number;
}

@ObjectType({ description: "A sample whose label a finalised review corrected: the new version holds a corrected copy." })
export class VersionRelabelItem {
  @Field(() => String, { description: "The sample's stable external id." })
  externalId!: string;

  @Field(() => String, { description: "The label in the reviewed version." })
  fromLabel!: string;

  @Field(() => String, { description: "The corrected label in the new version." })
  toLabel!: string;

  @Field(() => Date, { nullable: true, description: "When the correction was made." })
  relabeledAt!: Date | null;

  fromSampleId!: number;
  toSampleId!: number;
  reviewerId!: number | null;
  runId!: number | null;
  relabelId!: number | null;
}

@ObjectType({ description: "A page of relabelled samples, in externalId order." })
export class VersionRelabelConnection extends Connection(VersionRelabelItem) {}
