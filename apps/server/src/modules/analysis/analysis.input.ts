import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsInt, IsNumber, IsOptional, IsPositive, Length, Max, Min, ValidateNested } from "class-validator";

// Upper bounds (issue 12, finding 8): the analysis runs inside the API process (or a worker), and some
// parameters set the size of a neighbour graph — nNeighbors or perplexity near n meant an O(n²) graph.
// Absolute bounds here; bounds relative to the embedding set (n, dim) in analysis.service.ts.
export const ANALYSIS_BOUNDS = {
  pcaComponents: 256,
  eps: 1_000,
  minPts: 200,
  perplexity: 100,
  nNeighbors: 100,
} as const;
import { Payload } from "../../graphql/mutation.js";
import type { ReduceMethod } from "@stratum/engine";
import { ReduceMethodEnum } from "../../graphql/contract.js";
import { SeedScalar } from "../../graphql/scalars.js";
import { GroupVerdict } from "../job/job.enums.js";
import { Job } from "../job/job.type.js";
import { ConfounderAnalysis, ConfounderGroup } from "./analysis.type.js";

@InputType({ description: "Discovery parameters; omitted ones take the engine's defaults." })
export class AnalysisParamsInput {
  @Field(() => ReduceMethodEnum, { nullable: true, description: "2-D reduction: UMAP (default), TSNE, PCA or NONE." })
  reduce?: ReduceMethod | null;

  @Field(() => Int, { nullable: true, description: "PCA components before reduction (0 = off; at most 256 and the embedding dimension)." })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ANALYSIS_BOUNDS.pcaComponents)
  pcaComponents?: number | null;

  @Field(() => Float, { nullable: true, description: "DBSCAN radius in layout units (0 < eps ≤ 1000); omit for automatic (k-distance knee)." })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(ANALYSIS_BOUNDS.eps)
  eps?: number | null;

  @Field(() => Int, { nullable: true, description: "DBSCAN minPts (1–200, at most the number of samples)." })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(ANALYSIS_BOUNDS.minPts)
  minPts?: number | null;

  // The Seed scalar checks the engine's range when the request is parsed (as the run's seed).
  @Field(() => SeedScalar, { nullable: true, description: "Seed (default 0)." })
  seed?: number | null;

  @Field(() => Float, { nullable: true, description: "t-SNE perplexity (0 < perplexity ≤ 100, and below n/3 for n samples)." })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(ANALYSIS_BOUNDS.perplexity)
  perplexity?: number | null;

  @Field(() => Int, { nullable: true, description: "UMAP neighbours (2–100, below the number of samples)." })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(ANALYSIS_BOUNDS.nNeighbors)
  nNeighbors?: number | null;
}

@InputType({ description: "Start a confounder analysis (CURATOR). With parentId it is a re-analysis; findings are never overwritten." })
export class AnalysisStartInput {
  @Field(() => ID, { description: "The dataset version." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "A COMPLETE embedding set of that version." })
  embeddingSetId!: string;

  @Field(() => ID, { nullable: true, description: "The analysis this one re-does." })
  parentId?: string | null;

  @Field(() => AnalysisParamsInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  params?: AnalysisParamsInput | null;
}

@ObjectType({ description: "Result of analysisStart." })
export class AnalysisStartPayload extends Payload {
  @Field(() => ConfounderAnalysis, { nullable: true })
  analysis!: ConfounderAnalysis | null;

  @Field(() => Job, { nullable: true, description: "Subscribe to jobProgress with its id." })
  job!: Job | null;
}

@InputType({ description: "A verdict on a candidate confounder group (CURATOR)." })
export class ConfounderGroupSetVerdictInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID, { nullable: true, description: "The analysis the caller is looking at: a group of another analysis is refused (NOT_FOUND)." })
  analysisId?: string | null;

  @Field(() => GroupVerdict, { description: "CONFIRMED, REJECTED or RENAMED (RENAMED needs name)." })
  verdict!: GroupVerdict;

  @Field(() => String, { nullable: true, description: "New name (required for RENAMED)." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;
}

@InputType({ description: "Rename a group (CURATOR): the verdict becomes RENAMED." })
export class ConfounderGroupRenameInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID, { nullable: true, description: "The analysis the caller is looking at: a group of another analysis is refused (NOT_FOUND)." })
  analysisId?: string | null;

  @Field(() => String)
  @Length(1, 200)
  name!: string;
}

@ObjectType({ description: "Result of confounderGroupSetVerdict / confounderGroupRename." })
export class ConfounderGroupPayload extends Payload {
  @Field(() => ConfounderGroup, { nullable: true })
  group!: ConfounderGroup | null;
}
