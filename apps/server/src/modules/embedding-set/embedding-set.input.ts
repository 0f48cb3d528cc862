import { Field, ID, InputType, ObjectType } from "type-graphql";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { EmbeddingSet } from "./embedding-set.type.js";

@InputType({ description: "Embed a dataset version with an ONNX model (CURATOR). Restarts a FAILED set, resuming." })
export class EmbeddingSetStartInput {
  @Field(() => ID, { description: "The dataset version." })
  datasetVersionId!: string;

  @Field(() => ID, { description: "An ONNX embedding model of the same consortium." })
  modelId!: string;
}

@ObjectType({ description: "Result of embeddingSetStart." })
export class EmbeddingSetStartPayload extends Payload {
  @Field(() => EmbeddingSet, { nullable: true, description: "The set being filled." })
  embeddingSet!: EmbeddingSet | null;

  @Field(() => Job, { nullable: true, description: "The job doing it; subscribe to jobProgress." })
  job!: Job | null;
}
