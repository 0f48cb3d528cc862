import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { DataQualityReport as Row, DataQualityDuplicateSet as SetRow } from "@stratum/db";
import { DuplicateKind } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { toGlobalId } from "../../graphql/ids.js";
import { RunStatus } from "../job/job.enums.js";
import { Sample } from "../sample/sample.type.js";

registerEnumType(DuplicateKind, { name: "DuplicateKind", description: "EXACT: the same image bytes (sha256); NEAR: cosine distance at most the report's threshold." });

/** The engine's closed sets of the QUALITY job, as GraphQL enums whose values are the engine's strings. */
export const OutlierMetricEnum = { EUCLIDEAN: "euclidean", COSINE: "cosine" } as const;
export const LabelErrorMethodEnum = { KNN: "knn", PROBE: "probe" } as const;
registerEnumType(OutlierMetricEnum, { name: "OutlierMetric", description: "Distance of the per-class outlier score (engine classOutliers)." });
registerEnumType(LabelErrorMethodEnum, {
  name: "LabelErrorMethod",
  description: "Out-of-sample class probabilities for label errors: KNN (leave-one-out neighbour votes) or PROBE (k-fold logistic regression).",
});

export { DuplicateKind };

@ObjectType({
  implements: Node,
  description: "One data-quality pass over a version's embedding set: duplicate sets, outliers per class, likely label errors. A new pass is a new report.",
})
export class DataQualityReport extends Node {
  @Field(() => GraphQLJSON, { description: "Parameters with defaults filled in: threshold (null = engine default), k, outlierK, outlierMetric, labelErrors, seed, crossVersions." })
  params!: unknown;

  @Field(() => RunStatus, { description: "QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED." })
  status!: RunStatus;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "When SUCCEEDED: threshold used and its rule (given/default), medianNearest, counts per kind and flag, per-class outlier medians, label-error thresholds, versions compared.",
  })
  results!: unknown;

  @Field(() => Float, { nullable: true, description: "The near-duplicate threshold used (cosine distance 1 − cos); null until SUCCEEDED." })
  threshold!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  dbId!: number;
  datasetVersionId!: number;
  embeddingSetId!: number;
  createdById!: number | null;
  jobId!: number | null;

  static from(row: Row): DataQualityReport {
    const r = fromRow(DataQualityReport, "DataQualityReport", row);
    const results = row.results as { threshold?: number } | null;
    r.threshold = typeof results?.threshold === "number" ? results.threshold : null;
    return r;
  }
}

@ObjectType({ description: "A page of data-quality reports." })
export class DataQualityReportConnection extends Connection(DataQualityReport) {}

@ObjectType({ description: "One member of a duplicate set: a sample and the version it was found in." })
export class DuplicateMember {
  @Field(() => Sample)
  sample!: Sample;

  @Field(() => ID, { description: "The DatasetVersion the sample was found in (the report's, or another version of the consortium)." })
  versionId!: string;

  @Field(() => Boolean, { description: "The sample is in the report's own version." })
  inVersion!: boolean;

  versionDbId!: number;
}

@ObjectType({ description: "Samples that are the same image (EXACT) or nearly (NEAR), with what makes it matter in a pooled set." })
export class DuplicateSet {
  @Field(() => ID)
  id!: string;

  @Field(() => DuplicateKind)
  kind!: DuplicateKind;

  @Field(() => Int, { description: "0, 1, … within the report and kind." })
  index!: number;

  @Field(() => Int)
  size!: number;

  @Field(() => Float, { description: "Largest cosine distance of a found pair in the set (0 for EXACT)." })
  maxDistance!: number;

  @Field(() => Boolean, { description: "Members at two or more sites (e.g. one patient referred between hospitals)." })
  crossSite!: boolean;

  @Field(() => Boolean, { description: "Members in this version and another version of the consortium: leakage into an evaluation split." })
  crossSplit!: boolean;

  @Field(() => Boolean, { description: "Members under two or more labels." })
  conflictingLabels!: boolean;

  @Field(() => [String], { description: "Distinct site codes of the members." })
  sites!: string[];

  @Field(() => [String], { description: "Distinct labels of the members." })
  labels!: string[];

  dbId!: number;

  static from(row: SetRow): DuplicateSet {
    return Object.assign(new DuplicateSet(), {
      id: toGlobalId("DuplicateSet", row.id),
      dbId: row.id,
      kind: row.kind,
      index: row.index,
      size: row.size,
      maxDistance: row.maxDistance,
      crossSite: row.crossSite,
      crossSplit: row.crossSplit,
      conflictingLabels: row.conflictingLabels,
      sites: (row.sites as string[]) ?? [],
      labels: (row.labels as string[]) ?? [],
    });
  }
}

@ObjectType({ description: "A page of duplicate sets." })
export class DuplicateSetConnection extends Connection(DuplicateSet) {}

@ObjectType({ description: "One sample's data-quality findings in a report." })
export class SampleQuality {
  @Field(() => Sample)
  sample!: Sample;

  @Field(() => String, { description: "Its label in the version." })
  label!: string;

  @Field(() => Float, { nullable: true, description: "Mean distance to its k nearest samples of the same class (higher = more outlying); null for a class of one." })
  outlierScore!: number | null;

  @Field(() => Float, { nullable: true, description: "outlierScore over the class median." })
  outlierRatio!: number | null;

  @Field(() => Int, { description: "Rank within its class by outlier score, 0 = most outlying." })
  outlierRank!: number;

  @Field(() => String, { description: "Why it ranks where it does, in words." })
  outlierReason!: string;

  @Field(() => Float, { description: "1 − p̂(its label), out of sample: higher = more likely mislabelled." })
  labelErrorScore!: number;

  @Field(() => String, { description: "The confident class if any, else the most probable one." })
  suggestedLabel!: string;

  @Field(() => Boolean, { description: "Confident learning flags the label (a confident class other than the given one)." })
  labelIssue!: boolean;
}

@ObjectType({ description: "A page of per-sample findings." })
export class SampleQualityConnection extends Connection(SampleQuality) {}

@ObjectType({ description: "One class's outlier summary." })
export class OutlierClass {
  @Field(() => String)
  label!: string;

  @Field(() => Int)
  size!: number;

  @Field(() => Float, { nullable: true, description: "Median outlier score of the class." })
  medianScore!: number | null;

  @Field(() => Int, { description: "Neighbours averaged in this class." })
  k!: number;
}

@ObjectType({ description: "A sample like the query, with its cosine similarity." })
export class SimilarSample {
  @Field(() => Sample)
  sample!: Sample;

  @Field(() => Float, { description: "Cosine similarity to the query (1 = same direction)." })
  score!: number;
}

@ObjectType({ description: "The answer of similarSamples." })
export class SimilarSamplesResult {
  @Field(() => [SimilarSample], { description: "Most similar first; the query sample left out." })
  items!: SimilarSample[];

  @Field(() => String, { description: '"exact" (every vector compared) or "index" (the embedding set\'s approximate index).' })
  method!: string;

  @Field(() => Int, { description: "Vectors compared for this query." })
  evaluated!: number;

  @Field(() => Boolean, { description: "The index was already built in this process." })
  warm!: boolean;
}
