import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { Subset as Row } from "@stratum/db";
import { RunSampleRole, SubsetKind } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { Sample } from "../sample/sample.type.js";

registerEnumType(SubsetKind, {
  name: "SubsetKind",
  description:
    "What a saved subset was made from: LASSO (a lasso on the map), SEARCH (a 'more like this' result), QUALITY_FILTER (data-quality findings), METADATA_FILTER (metadata values), MANUAL (a list of samples).",
});
registerEnumType(RunSampleRole, {
  name: "RunSampleRole",
  description: "How a run's constraint uses a sample: POOL (the run selects from these only), EXCLUDE (left out), INCLUDE (always selected).",
});

export { SubsetKind, RunSampleRole };

@ObjectType({ implements: Node, description: "A named set of samples of one dataset version (issue 14). Members never change; rename and delete do." })
export class Subset extends Node {
  @Field(() => String, { description: "Unique within the project." })
  name!: string;

  @Field(() => SubsetKind)
  kind!: SubsetKind;

  @Field(() => GraphQLJSONObject, {
    description:
      "What made it: LASSO {lasso: {analysisId, analysisCreatedAt, vertexCount, polygon: [[x, y]…]}} (from input.lasso) and what the client sent; SEARCH {sampleId, embeddingSetId, k}; QUALITY_FILTER {reportId, rules, counts}; METADATA_FILTER {column, values}; MANUAL {} or what the client sent.",
  })
  definition!: Record<string, unknown>;

  @Field(() => Int, { description: "Members (all sites; site-scoped members list only their site's)." })
  memberCount!: number;

  @Field(() => String, { description: '"sha256:<hex>" over the sorted member sample ids; runs record it.' })
  memberHash!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => String, { description: "GET this path for the members as a manifest: add .jsonl or .csv (same columns as a run's manifest)." })
  manifestPath!: string;

  dbId!: number;
  projectId!: number;
  datasetVersionId!: number;
  createdById!: number | null;

  static from(row: Row): Subset {
    const s: Subset = fromRow(Subset, "Subset", row);
    s.definition = (row.definition ?? {}) as Record<string, unknown>;
    s.manifestPath = `/subsets/${s.id}/manifest`;
    return s;
  }
}

@ObjectType({ description: "A page of subsets." })
export class SubsetConnection extends Connection(Subset) {}

@ObjectType({ description: "A subset a run used, as it was when the run was started." })
export class RunSubsetRef {
  @Field(() => ID)
  subsetId!: string;

  @Field(() => String, { description: "Its name then." })
  name!: string;

  @Field(() => String)
  memberHash!: string;

  @Field(() => Int)
  memberCount!: number;
}

@ObjectType({ description: "The data-quality exclusions a run asked for, resolved from one report." })
export class RunQualityExclusions {
  @Field(() => ID)
  reportId!: string;

  @Field(() => Boolean)
  duplicates!: boolean;

  @Field(() => Int, { nullable: true })
  outlierRank!: number | null;

  @Field(() => Float, { nullable: true })
  outlierRatio!: number | null;

  @Field(() => Float, { nullable: true })
  labelErrorScore!: number | null;

  @Field(() => Int, { description: "Samples left out as duplicates (one of each set kept: the lowest sample id)." })
  duplicatesExcluded!: number;

  @Field(() => Int)
  outliersExcluded!: number;

  @Field(() => Int)
  labelErrorsExcluded!: number;
}

@ObjectType({ description: "A run's pool, exclusions and must-include rows as resolved when it was started (what it and its reproductions use)." })
export class RunConstraints {
  @Field(() => RunSubsetRef, { nullable: true, description: "The pool subset; null = the whole version." })
  pool!: RunSubsetRef | null;

  @Field(() => [RunSubsetRef])
  exclude!: RunSubsetRef[];

  @Field(() => [RunSubsetRef])
  include!: RunSubsetRef[];

  @Field(() => RunQualityExclusions, { nullable: true })
  quality!: RunQualityExclusions | null;

  @Field(() => Int, { description: "Samples in the pool (before exclusions)." })
  poolCount!: number;

  @Field(() => Int, { description: "Distinct samples left out (subsets and quality rules; must-include ones are never left out)." })
  excludedCount!: number;

  @Field(() => Int, { description: "Must-include samples." })
  includedCount!: number;

  runDbId!: number;
}

@ObjectType({ description: "One sample a run's constraints name, with why." })
export class RunConstraintSample {
  @Field(() => RunSampleRole)
  role!: RunSampleRole;

  @Field(() => Sample)
  sample!: Sample;

  @Field(() => String, { description: 'E.g. "subset \\"lasso A\\"", "duplicate of sample 12 (kept one of its set)".' })
  reason!: string;
}

@ObjectType({ description: "A page of a run's constrained samples." })
export class RunConstraintSampleConnection extends Connection(RunConstraintSample) {}

@ObjectType({ description: "What quality rules would leave out of a run now: the counts the run form words (\"exclude 12 duplicates, keep one of each\")." })
export class QualityExclusionPreview {
  @Field(() => ID, { description: "The report the rules were read from." })
  reportId!: string;

  @Field(() => Int, { description: "Duplicates left out (all but the lowest sample id of each set)." })
  duplicates!: number;

  @Field(() => Int, { description: "Duplicate sets (overlapping ones merged) that keep one member." })
  duplicateSets!: number;

  @Field(() => Int)
  outliers!: number;

  @Field(() => Int)
  labelErrors!: number;

  @Field(() => Int, { description: "Distinct samples left out." })
  total!: number;
}
