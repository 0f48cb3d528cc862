import { Field, Int, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { EmbeddingModel as Row } from "@stratum/db";
import { EmbeddingModelKind } from "../../graphql/enums.js";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "An image encoder (ONNX) or a named source of external vectors." })
export class EmbeddingModel extends Node {
  @Field(() => String, { description: "Name, unique per version within the consortium." })
  name!: string;

  @Field(() => String, { description: "Version label." })
  version!: string;

  @Field(() => EmbeddingModelKind, { description: "ONNX (runs here) or EXTERNAL (vectors uploaded)." })
  kind!: EmbeddingModelKind;

  @Field(() => String, { nullable: true, description: "sha256 of the ONNX file; null for external models." })
  sha256!: string | null;

  @Field(() => Int, { description: "Length of each embedding vector." })
  dim!: number;

  @Field(() => GraphQLJSON, { description: "Input layout, preprocessing, output tensor, pooling, normalisation." })
  config!: unknown;

  @Field(() => String, { description: "Shown in the UI; says honestly what the model is." })
  description!: string;

  @Field(() => Date, { description: "When it was registered." })
  createdAt!: Date;

  dbId!: number;
  consortiumId!: number;

  static from(row: Row): EmbeddingModel {
    const model = fromRow(EmbeddingModel, "EmbeddingModel", row);
    delete (model as { filePath?: unknown }).filePath;
    return model;
  }
}

@ObjectType({ description: "A page of embedding models." })
export class EmbeddingModelConnection extends Connection(EmbeddingModel) {}
