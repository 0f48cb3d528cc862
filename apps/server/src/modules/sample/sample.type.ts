import { Field, ObjectType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { Sample as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({
  implements: Node,
  description: "One sample's content. A changed sample is a new Sample (same externalId), so versions never change.",
})
export class Sample extends Node {
  @Field(() => String, { description: "The data provider's id, stable across versions." })
  externalId!: string;

  @Field(() => String, { description: "Class label." })
  label!: string;

  @Field(() => GraphQLJSONObject, { description: "Every other manifest column, as JSON." })
  metadata!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: "sha256 of the image bytes, when known." })
  sha256!: string | null;

  @Field(() => String, { description: "sha256 identifying this exact content." })
  contentHash!: string;

  @Field(() => Date, { description: "When this content was first imported." })
  createdAt!: Date;

  dbId!: number;
  datasetId!: number;
  siteId!: number | null;
  /** Raw URI; exposed through the `uri` field resolver, which applies site scoping. */
  rawUri!: string | null;
  /** Set when known (connections), saves a lookup in field resolvers. */
  consortiumId?: number;

  static from(row: Row, consortiumId?: number): Sample {
    const { uri, ...rest } = row;
    const sample: Sample = fromRow(Sample, "Sample", rest);
    sample.rawUri = uri;
    sample.metadata = (row.metadata ?? {}) as Record<string, unknown>;
    if (consortiumId !== undefined) sample.consortiumId = consortiumId;
    return sample;
  }
}

@ObjectType({ description: "A page of samples." })
export class SampleConnection extends Connection(Sample) {}
