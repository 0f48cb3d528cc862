import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, Length, ValidateNested } from "class-validator";
import * as engine from "@stratum/engine";

import { Payload } from "../../graphql/mutation.js";
import { ParamField, graphqlTypeOf } from "../../graphql/contract.js";
import { GroupVerdict } from "../job/job.enums.js";
import { Job } from "../job/job.type.js";
import { ConfounderAnalysis, ConfounderGroup } from "./analysis.type.js";

// Its fields are the engine's declared analysis parameters offered on the "api" surface
// (ANALYZE_PARAMS, onSurface): type, range, default and description come from there, so a parameter
// added to the declaration with surfaces ["api"] is in the schema without a line here. The notes are
// the bounds relative to the embedding set, checked in analysis.service.ts (checkRelativeBounds).
const RELATIVE_NOTES: Partial<Record<keyof typeof engine.ANALYZE_PARAMS, string>> = {
  pcaComponents: "At most the embedding dimension.",
  eps: "Omit for auto.",
  minPts: "At most the number of samples.",
  perplexity: "Below n/3 for n samples.",
  nNeighbors: "Below the number of samples.",
};

@InputType({ description: "Discovery parameters; omitted ones take the engine's defaults." })
export class AnalysisParamsInput implements Partial<Record<keyof typeof engine.ANALYZE_PARAMS, unknown>> {}

for (const [name, spec] of engine.onSurface(engine.ANALYZE_PARAMS, "api")) {
  ParamField(spec, { note: RELATIVE_NOTES[name], type: graphqlTypeOf(spec) })(AnalysisParamsInput.prototype, name);
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
