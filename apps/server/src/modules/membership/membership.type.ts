import { Field, ObjectType } from "type-graphql";
import type { Membership as Row } from "@stratum/db";
import { Role } from "../../graphql/enums.js";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "A user's role in a consortium, optionally narrowed to one site's samples." })
export class Membership extends Node {
  @Field(() => Role, { description: "The member's role." })
  role!: Role;

  @Field(() => Date, { description: "When the member joined." })
  createdAt!: Date;

  dbId!: number;
  userId!: number;
  consortiumId!: number;
  siteId!: number | null;

  static from(row: Row): Membership {
    return fromRow(Membership, "Membership", row);
  }
}

@ObjectType({ description: "A page of memberships." })
export class MembershipConnection extends Connection(Membership) {}
