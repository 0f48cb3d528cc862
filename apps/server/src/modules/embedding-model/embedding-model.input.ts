import { Field, ID, InputType, ObjectType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import { IsOptional, Length, MaxLength } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { EmbeddingModel } from "./embedding-model.type.js";

@InputType({
  description:
    "Registers an ONNX encoder uploaded with POST /uploads, with its config (name, version, input, preprocess, output; see @stratum/embed ModelConfig). The model is loaded and run on a dummy batch before it is accepted. CURATOR.",
})
export class EmbeddingModelRegisterInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { description: "Upload id of the .onnx file." })
  @Length(1, 100)
  uploadId!: string;

  @Field(() => GraphQLJSONObject, { description: "The model config (JSON object)." })
  config!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: "Shown in the UI (default: from the config)." })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;
}

@ObjectType({ description: "Result of embeddingModelRegister." })
export class EmbeddingModelRegisterPayload extends Payload {
  @Field(() => EmbeddingModel, { nullable: true, description: "The registered model." })
  embeddingModel!: EmbeddingModel | null;
}
