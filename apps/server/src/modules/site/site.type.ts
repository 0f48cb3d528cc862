import { Field, ObjectType } from "type-graphql";
import type { Site as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "A hospital or acquisition site that contributes samples." })
export class Site extends Node {
  @Field(() => String, { description: "Short code, unique within the consortium (e.g. \"H1\")." })
  code!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  dbId!: number;
  consortiumId!: number;

  static from(row: Row): Site {
    return fromRow(Site, "Site", row);
  }
}

@ObjectType({ description: "A page of sites." })
export class SiteConnection extends Connection(Site) {}
