import { Field, Float, Int, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { ConfounderAnalysis as Row, ConfounderGroup as GroupRow } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { GroupVerdict, RunStatus } from "../job/job.enums.js";
import { Sample } from "../sample/sample.type.js";

@ObjectType({ implements: Node, description: "One confounder-discovery pass over a version's embeddings. A re-analysis is a new one (with parent)." })
export class ConfounderAnalysis extends Node {
  @Field(() => GraphQLJSON, { description: "Parameters as given: reduce, pcaComponents, eps, minPts, seed, perplexity, nNeighbors." })
  params!: unknown;

  @Field(() => RunStatus, { description: "QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED." })
  status!: RunStatus;

  @Field(() => GraphQLJSON, { nullable: true, description: "Per class: chosen eps/minPts, PCA variance, group sizes; all associations." })
  results!: unknown;

  @Field(() => String, { nullable: true, description: "Why it failed." })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  dbId!: number;
  datasetVersionId!: number;
  embeddingSetId!: number;
  parentId!: number | null;
  createdById!: number | null;
  jobId!: number | null;

  static from(row: Row): ConfounderAnalysis {
    return fromRow(ConfounderAnalysis, "ConfounderAnalysis", row);
  }
}

@ObjectType({ description: "A page of analyses." })
export class ConfounderAnalysisConnection extends Connection(ConfounderAnalysis) {}

@ObjectType({ description: "One layout fragment inside a confounder group." })
export class GroupMode {
  @Field(() => Int, { description: "Mode number within the class (LayoutPoint.mode)." })
  mode!: number;

  @Field(() => Int, { description: "Samples in the mode." })
  size!: number;
}

@ObjectType({ implements: Node, description: "A cluster within one class: a candidate confounder (site, scanner, stain…)." })
export class ConfounderGroup extends Node {
  @Field(() => String, { description: "The class." })
  label!: string;

  @Field(() => Int, { description: "Cluster number within the class (largest first); -1 for noise." })
  index!: number;

  @Field(() => Boolean, { description: "The points DBSCAN left unclustered." })
  isNoise!: boolean;

  @Field(() => Int, { description: "Samples in the group." })
  size!: number;

  @Field(() => String, { description: 'Given by a person, else "<label> #<index>" ("<label> noise").' })
  name!: string;

  @Field(() => GraphQLJSON, { description: "Per metadata column: dominant value and its share here, Cramér's V, AMI, p-value." })
  associations!: unknown;

  @Field(() => [GroupMode], {
    description: "The layout fragments (modes) merged into this group, largest first; one mode when nothing was merged, none for noise.",
  })
  modes!: GroupMode[];

  @Field(() => Float, {
    nullable: true,
    description: "How sure the weakest merge into this group was: kNN edges between the merged sides in PCA space over those expected by chance (higher = surer). Null for a group of one mode.",
  })
  mergeConfidence!: number | null;

  @Field(() => GroupVerdict, { description: "PENDING until a person confirms, rejects or renames it." })
  verdict!: GroupVerdict;

  @Field(() => Date, { nullable: true, description: "When the verdict was given." })
  verdictAt!: Date | null;

  dbId!: number;
  analysisId!: number;
  verdictById!: number | null;

  static from(row: GroupRow): ConfounderGroup {
    const g = fromRow(ConfounderGroup, "ConfounderGroup", row);
    g.name = row.name ?? (row.isNoise ? `${row.label} noise` : `${row.label} #${row.index}`);
    // analyses from before modes have none stored: the group is its own single mode
    const modes = Array.isArray(row.modes) ? (row.modes as { mode: number; size: number }[]) : [];
    const group: ConfounderGroup = g;
    group.modes = modes.length || row.isNoise ? modes.map((m) => Object.assign(new GroupMode(), m)) : [Object.assign(new GroupMode(), { mode: row.index, size: row.size })];
    group.mergeConfidence = row.mergeConfidence ?? null;
    return g;
  }
}

@ObjectType({ description: "One sample's place in the 2-D layout of its class, and its group." })
export class LayoutPoint {
  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Sample, { description: "The sample." })
  sample!: Sample;

  @Field(() => ConfounderGroup, { description: "Its group (noise included)." })
  group!: ConfounderGroup;

  @Field(() => Int, { nullable: true, description: "Its mode (layout fragment) within the class; null for noise and for analyses from before modes." })
  mode!: number | null;
}

@ObjectType({ description: "A page of layout points." })
export class LayoutPointConnection extends Connection(LayoutPoint) {}
