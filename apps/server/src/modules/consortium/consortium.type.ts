import { Field, ObjectType } from "type-graphql";
import type { Consortium as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "A research consortium: the tenant that owns sites, members, projects and models." })
export class Consortium extends Node {
  @Field(() => String, { description: "URL-safe unique short name." })
  slug!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  dbId!: number;

  static from(row: Row): Consortium {
    return fromRow(Consortium, "Consortium", row);
  }
}

@ObjectType({ description: "A page of consortia." })
export class ConsortiumConnection extends Connection(Consortium) {}
