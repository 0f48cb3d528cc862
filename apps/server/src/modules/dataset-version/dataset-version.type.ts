import { Field, Int, ObjectType } from "type-graphql";
import type { DatasetVersion as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({
  implements: Node,
  description: "An immutable snapshot of a dataset's samples, with its parent, message, author and content hash.",
})
export class DatasetVersion extends Node {
  @Field(() => Int, { description: "1, 2, 3… within the dataset." })
  number!: number;

  @Field(() => String, { description: "What changed, as given at import or review." })
  message!: string;

  @Field(() => String, { description: "sha256 over the samples' content hashes: the same samples give the same hash." })
  contentHash!: string;

  @Field(() => Int, { description: "How many samples it holds." })
  sampleCount!: number;

  @Field(() => Date, { description: "When it was committed." })
  createdAt!: Date;

  dbId!: number;
  datasetId!: number;
  parentId!: number | null;
  authorId!: number | null;
  sourceRunId!: number | null;

  static from(row: Row): DatasetVersion {
    return fromRow(DatasetVersion, "DatasetVersion", row);
  }
}

@ObjectType({ description: "A page of dataset versions." })
export class DatasetVersionConnection extends Connection(DatasetVersion) {}
