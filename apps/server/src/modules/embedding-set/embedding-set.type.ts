import { Field, Int, ObjectType } from "type-graphql";
import type { EmbeddingSet as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { EmbeddingSetStatus } from "../job/job.enums.js";
import { Sample } from "../sample/sample.type.js";

@ObjectType({ implements: Node, description: "One embedding model applied to one dataset version." })
export class EmbeddingSet extends Node {
  @Field(() => Int, { description: "Length of each vector." })
  dim!: number;

  @Field(() => EmbeddingSetStatus, { description: "PENDING → RUNNING → COMPLETE | FAILED." })
  status!: EmbeddingSetStatus;

  @Field(() => Int, { description: "Vectors stored so far." })
  count!: number;

  @Field(() => Date, { description: "When it was started." })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it completed." })
  completedAt!: Date | null;

  dbId!: number;
  modelId!: number;
  datasetVersionId!: number;
  jobId!: number | null;

  static from(row: Row): EmbeddingSet {
    return fromRow(EmbeddingSet, "EmbeddingSet", row);
  }
}

@ObjectType({ description: "A page of embedding sets." })
export class EmbeddingSetConnection extends Connection(EmbeddingSet) {}

@ObjectType({ description: "A sample that could not be embedded, with why." })
export class EmbeddingFailure {
  @Field(() => Sample, { nullable: true, description: "The sample." })
  sample!: Sample | null;

  @Field(() => String, { description: 'Why, as "CODE: reason".' })
  reason!: string;

  sampleId!: number;
}

@ObjectType({ description: "A page of embedding failures." })
export class EmbeddingFailureConnection extends Connection(EmbeddingFailure) {}
