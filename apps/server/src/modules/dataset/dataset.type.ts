import { Field, ObjectType } from "type-graphql";
import type { Dataset as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "A named dataset in a project; its content lives in immutable versions." })
export class Dataset extends Node {
  @Field(() => String, { description: "Name, unique within the project." })
  name!: string;

  @Field(() => String, { description: "Free text." })
  description!: string;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  dbId!: number;
  projectId!: number;

  static from(row: Row): Dataset {
    return fromRow(Dataset, "Dataset", row);
  }
}

@ObjectType({ description: "A page of datasets." })
export class DatasetConnection extends Connection(Dataset) {}
