import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsOptional, ValidateNested } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { SeedScalar } from "../../graphql/scalars.js";
import { Job } from "../job/job.type.js";
import { DataQualityReport, LabelErrorMethodEnum, OutlierMetricEnum } from "./data-quality.type.js";

/** Ranges of the QUALITY job's parameters, checked in data-quality.service.ts (typed errors naming the field). */
export const QUALITY_BOUNDS = {
  /** Cosine distance 1 − cos lives in [0, 2]; 0 would match exact copies only (EXACT sets do that). */
  threshold: { min: 0, max: 2 },
  k: { min: 1, max: 100 },
  outlierK: { min: 1, max: 100 },
} as const;

@InputType({ description: "Data-quality parameters; omitted ones take the engine's defaults." })
export class DataQualityParamsInput {
  @Field(() => Float, {
    nullable: true,
    description: "Near-duplicate threshold: cosine distance 1 − cos, 0 < threshold ≤ 2. Omit for the engine's default from the nearest-neighbour distances.",
  })
  threshold?: number | null;

  @Field(() => Int, { nullable: true, description: "Neighbours per sample for near-duplicates and kNN label errors (1–100, default 10)." })
  k?: number | null;

  @Field(() => Int, { nullable: true, description: "Same-class neighbours of the outlier score (1–100, default 10)." })
  outlierK?: number | null;

  @Field(() => OutlierMetricEnum, { nullable: true, description: "Distance of the outlier score (default EUCLIDEAN)." })
  outlierMetric?: "euclidean" | "cosine" | null;

  @Field(() => LabelErrorMethodEnum, { nullable: true, description: "Out-of-sample probabilities for label errors (default KNN)." })
  labelErrors?: "knn" | "probe" | null;

  @Field(() => SeedScalar, { nullable: true, description: "Seed of the approximate graph and folds (default 0)." })
  seed?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Also look for duplicates in the latest version of the consortium's other datasets embedded with the same model (default true).",
  })
  crossVersions?: boolean | null;
}

@InputType({ description: "Start a data-quality pass (CURATOR): a QUALITY job writing a new report." })
export class DataQualityStartInput {
  @Field(() => ID, { description: "The dataset version." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => DataQualityParamsInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  params?: DataQualityParamsInput | null;
}

@ObjectType({ description: "Result of dataQualityStart." })
export class DataQualityStartPayload extends Payload {
  @Field(() => DataQualityReport, { nullable: true })
  report!: DataQualityReport | null;

  @Field(() => Job, { nullable: true, description: "Subscribe to jobProgress with its id." })
  job!: Job | null;
}
