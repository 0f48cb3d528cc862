import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import { ArrayMaxSize, IsOptional, IsString, Length, ValidateNested } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { Subset, SubsetKind } from "./subset.type.js";

/** Most members one request may name (a lasso over a whole large version is a filter, not a list). */
export const SUBSET_IDS_MAX = 200_000;

@InputType({
  description:
    "Data-quality rules over one report of the version (default: its newest SUCCEEDED report). As run exclusions they leave the matching samples out; as a subset filter they are its members. At least one rule.",
})
export class QualityRulesInput {
  @Field(() => ID, { nullable: true, description: "The report; default the version's newest SUCCEEDED one." })
  reportId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Duplicates (exact and near; overlapping sets merged): every member but the lowest sample id of each set." })
  duplicates?: boolean | null;

  @Field(() => Int, { nullable: true, description: "Outliers: the R most outlying samples of each class (ranks 0..R−1), R ≥ 1." })
  outlierRank?: number | null;

  @Field(() => Float, { nullable: true, description: "Outliers: samples whose outlier score is at least this many times their class median (> 1)." })
  outlierRatio?: number | null;

  @Field(() => Float, { nullable: true, description: "Likely label errors (flagged by confident learning) with a score at least this, in [0, 1]." })
  labelErrorScore?: number | null;
}

@InputType({ description: "Samples whose metadata column (or site, by code) has one of the values." })
export class MetadataFilterInput {
  @Field(() => String)
  @Length(1, 200)
  column!: string;

  @Field(() => [String])
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  values!: string[];
}

/** Vertex bounds of a lasso polygon (the web thins a longer stroke to this many before saving). */
export const LASSO_VERTICES = { min: 3, max: 2000 } as const;

@InputType({ description: "LASSO: the polygon as drawn on an analysis's map, recorded in the subset's definition (the members are still sampleIds)." })
export class LassoInput {
  @Field(() => ID, { description: "The confounder analysis (of this version) whose layout the polygon was drawn on." })
  analysisId!: string;

  @Field(() => [[Float]], { description: `Vertices [x, y] in that layout's coordinates, in drawing order; ${LASSO_VERTICES.min}–${LASSO_VERTICES.max} of them, finite numbers.` })
  polygon!: number[][];
}

@InputType({ description: "Save a subset of a dataset version (CURATOR). Members: sampleIds, or the quality rules / metadata filter evaluated now." })
export class SubsetCreateInput {
  @Field(() => ID)
  datasetVersionId!: string;

  @Field(() => String, { description: "1–200 characters, unique within the project." })
  @Length(1, 200)
  name!: string;

  @Field(() => SubsetKind)
  kind!: SubsetKind;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "What made it (lasso polygon, search query and k, …), at most 64 KiB of JSON." })
  definition?: Record<string, unknown> | null;

  @Field(() => [ID], { nullable: true, description: "The members (LASSO, SEARCH, MANUAL): samples of this version." })
  @IsOptional()
  @ArrayMaxSize(SUBSET_IDS_MAX)
  sampleIds?: string[] | null;

  @Field(() => QualityRulesInput, { nullable: true, description: "QUALITY_FILTER: the members are the samples these rules match." })
  @IsOptional()
  @ValidateNested()
  quality?: QualityRulesInput | null;

  @Field(() => LassoInput, { nullable: true, description: "LASSO: the polygon and the analysis it was drawn on, stored in the definition (definition.lasso)." })
  lasso?: LassoInput | null;

  @Field(() => MetadataFilterInput, { nullable: true, description: "METADATA_FILTER: the members are the samples with these values." })
  @IsOptional()
  @ValidateNested()
  metadata?: MetadataFilterInput | null;
}

@InputType({ description: "Rename a subset (CURATOR)." })
export class SubsetRenameInput {
  @Field(() => ID)
  subsetId!: string;

  @Field(() => String)
  @Length(1, 200)
  name!: string;
}

@InputType({ description: "Delete a subset (CURATOR). Runs that used it keep what they recorded." })
export class SubsetDeleteInput {
  @Field(() => ID)
  subsetId!: string;
}

@ObjectType({ description: "Result of subsetCreate / subsetRename." })
export class SubsetPayload extends Payload {
  @Field(() => Subset, { nullable: true })
  subset!: Subset | null;
}

@ObjectType({ description: "Result of subsetDelete." })
export class SubsetDeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedSubsetId!: string | null;
}
