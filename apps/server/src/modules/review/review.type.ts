import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { ReviewDecision as Row } from "@stratum/db";
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

  @Field(() => ID, { nullable: true, description: "DECISION: the sample decided on." })
  sampleId!: string | null;

  @Field(() => String, { nullable: true, description: "DECISION: the reviewer's name." })
  reviewerName!: string | null;

  @Field(() => ID, { nullable: true, description: "FINALIZED: the new dataset version." })
  datasetVersionId!: string | null;

  @Field(() => [ReviewPresence], { description: "Who is reviewing the run now (PRESENCE; empty on other kinds)." })
  present!: ReviewPresence[];
}
