import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { SelectionItem as ItemRow, SelectionRun as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import type * as engine from "@stratum/engine";
import { StrategyEnum } from "../../graphql/contract.js";
import { SeedScalar } from "../../graphql/scalars.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { toCompositeGlobalId } from "../../graphql/ids.js";
import { GroupVerdict, ReviewDecisionKind, RunStatus } from "../job/job.enums.js";

@ObjectType({ description: "A group's verdict and name as a confounder-aware run recorded them when its job started." })
export class RunGroupVerdict {
  @Field(() => ID, { description: "The ConfounderGroup's global ID." })
  groupId!: string;

  @Field(() => String, { description: "The group's class." })
  label!: string;

  @Field(() => Int, { description: "The group's number within its class." })
  index!: number;

  @Field(() => GroupVerdict, { description: "REJECTED: its rows were the class's rest. Others: a confounder group." })
  verdict!: GroupVerdict;

  @Field(() => String, { nullable: true, description: "The curator-given name then; groups of one name (trimmed, any case) were one group." })
  name!: string | null;

}

@ObjectType({ implements: Node, description: "One run of a selection strategy under a budget per class. Same inputs and seed give the same manifest hash." })
export class SelectionRun extends Node {
  @Field(() => String, { description: "Optional display name." })
  name!: string;

  @Field(() => StrategyEnum)
  strategy!: engine.Strategy;

  @Field(() => GraphQLJSON, { description: "allocation, withinGroup, noise, stratifyColumn, kernel… as the engine received them." })
  params!: unknown;

  @Field(() => SeedScalar, { description: "Seed of every random choice." })
  seed!: number;

  @Field(() => Int, { description: "Budget N per class, the name selectionRunStart takes (smaller classes are taken whole)." })
  perClass!: number;

  @Field(() => Int, { description: "Budget N per class.", deprecationReason: "Use perClass, the name selectionRunStart and the engine take." })
  budgetPerClass!: number;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => String, { description: "Current step." })
  phase!: string;

  @Field(() => String, { nullable: true, description: 'Why it failed, as "CODE: message".' })
  error!: string | null;

  @Field(() => String, { nullable: true, description: '"sha256:<hex>" over the canonical manifest (rank, id, label, group); set when SUCCEEDED.' })
  manifestHash!: string | null;

  @Field(() => Boolean, { nullable: true, description: "For a reproduction: whether its manifest hash equals its parent's." })
  reproducible!: boolean | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "Class balance, allocation per group vs pool (TV), coverage, MMD." })
  metrics!: unknown;

  @Field(() => [String], { description: 'Notes such as "class x has 7 samples < N = 10; all taken".' })
  warnings!: string[];

  @Field(() => Date, { nullable: true, description: "When its review was finalised into a dataset version." })
  reviewFinalizedAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  dbId!: number;
  datasetVersionId!: number;
  embeddingSetId!: number | null;
  analysisId!: number | null;
  parentId!: number | null;
  createdById!: number | null;
  jobId!: number | null;

  static from(row: Row): SelectionRun {
    const run: SelectionRun = fromRow(SelectionRun, "SelectionRun", row);
    // seed is a bigint column (0..2^32−1 does not fit int4): Prisma gives a bigint, raw pg a string.
    run.seed = Number(row.seed);
    run.perClass = row.budgetPerClass;
    // Stored rows hold engine strategy names (checked by resolveParams when the run was started).
    run.strategy = row.strategy as engine.Strategy;
    run.warnings = Array.isArray(row.warnings) ? (row.warnings as string[]) : [];
    return run;
  }
}

@ObjectType({ description: "A page of selection runs." })
export class SelectionRunConnection extends Connection(SelectionRun) {}

@ObjectType({ description: "A selected sample in a run, with why it was chosen and its review state." })
export class SelectionItem {
  @Field(() => ID, { description: "Opaque global ID of the item (run × sample); reviewDecide takes it as itemId." })
  id!: string;

  @Field(() => Int, { description: "0.. over the whole run: classes in label order, each in the strategy's pick order." })
  rank!: number;

  @Field(() => String, { description: "The sample's class." })
  label!: string;

  @Field(() => String, { nullable: true, description: 'Group key, e.g. "pneumonia/g2", "site=A".' })
  groupKey!: string | null;

  @Field(() => String, { description: "Why it was chosen, for people." })
  reason!: string;

  @Field(() => ReviewDecisionKind, { nullable: true, description: "The current review decision; null while undecided." })
  reviewDecision!: ReviewDecisionKind | null;

  @Field(() => String, { nullable: true, description: "The comment of the current decision." })
  reviewComment!: string | null;

  @Field(() => Int, { description: "Bumped on every decision; pass it as expectedVersion to reviewDecide." })
  reviewVersion!: number;

  runId!: number;
  sampleId!: number;
  groupId!: number | null;

  static from(row: ItemRow): SelectionItem {
    return Object.assign(new SelectionItem(), row, { id: toCompositeGlobalId("SelectionItem", [row.runId, row.sampleId]) });
  }
}

@ObjectType({ description: "A page of selection items." })
export class SelectionItemConnection extends Connection(SelectionItem) {}

@ObjectType({ description: "Jaccard similarity of two runs' selected samples." })
export class RunPairOverlap {
  @Field(() => ID)
  a!: string;

  @Field(() => ID)
  b!: string;

  @Field(() => Int, { description: "Samples in both." })
  intersection!: number;

  @Field(() => Float, { description: "|A ∩ B| / |A ∪ B|." })
  jaccard!: number;
}

@ObjectType({ description: "One class × group of a run: how many samples the pool has there and how many the run selected." })
export class RunAllocationRow {
  @Field(() => String, { description: "The class." })
  label!: string;

  @Field(() => String, { description: "The analysis group's name, or the class when the run has no analysis." })
  group!: string;

  @Field(() => ID, { nullable: true, description: "The ConfounderGroup; null for a class." })
  groupId!: string | null;

  @Field(() => Int, { description: "Samples of the pool in this group." })
  pool!: number;

  @Field(() => Int, { description: "Samples the run selected from it (all its items, not a page)." })
  selected!: number;
}

@ObjectType({ description: "One group's pool size beside what each compared run took from it." })
export class GroupAllocationRow {
  @Field(() => String)
  label!: string;

  @Field(() => String, { description: "Group name (the analysis' group, or the class when runs have no analysis)." })
  group!: string;

  @Field(() => Int, { description: "Samples of the pool in this group." })
  pool!: number;

  @Field(() => [Int], { description: "Selected from this group, per run (in the order of runs)." })
  selected!: number[];
}

@ObjectType({ description: "One metric per run (null where a run lacks it)." })
export class MetricRow {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: "For evaluations: the split." })
  split!: string | null;

  @Field(() => [Float], { nullable: "items" })
  values!: (number | null)[];
}

@ObjectType({ description: "2–4 runs side by side." })
export class RunComparison {
  @Field(() => [SelectionRun])
  runs!: SelectionRun[];

  @Field(() => Int, { description: "Samples selected by every run." })
  overlap!: number;

  @Field(() => Int, { description: "Samples selected by any run." })
  union!: number;

  @Field(() => [RunPairOverlap])
  pairwise!: RunPairOverlap[];

  @Field(() => [GroupAllocationRow], { description: "Allocation per group beside the pool." })
  allocation!: GroupAllocationRow[];

  @Field(() => [MetricRow], { description: "Selection metrics side by side." })
  metrics!: MetricRow[];

  @Field(() => [MetricRow], { description: "Evaluations side by side (latest value per metric and split)." })
  evaluations!: MetricRow[];
}

@ObjectType({ description: "A metadata column of a version's samples, as a selection run may declare it a known confounder." })
export class MetadataColumn {
  @Field(() => String, { description: '"site" is the sample\'s site (unless the manifest has a site column of its own); others are manifest columns.' })
  name!: string;

  @Field(() => Int, { description: "Distinct known values among the version's samples." })
  levels!: number;

  @Field(() => Int, { description: "Samples with no value (a level of its own when declared)." })
  missing!: number;

  @Field(() => Boolean, { description: "2 to 64 levels: selectionRunStart accepts it in declaredConfounders." })
  declarable!: boolean;
}
