import { Field, ObjectType } from "type-graphql";
import type { ApiToken as Row } from "@stratum/db";
import { Role } from "../../graphql/enums.js";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { toGlobalId } from "../../graphql/ids.js";

@ObjectType({
  implements: Node,
  description: "A bearer token for machines (training pipelines). The secret is shown once, at creation; only its prefix is kept in clear.",
})
export class ApiToken extends Node {
  @Field(() => String, { description: "What the token is for." })
  name!: string;

  @Field(() => String, { description: "The first characters of the secret, to tell tokens apart." })
  prefix!: string;

  @Field(() => Role, { description: "The most the token may do; never more than its user's role." })
  role!: Role;

  @Field(() => Date, { nullable: true, description: "When it stops working; null = never." })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When it was revoked; null = not revoked." })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "Last use, to the minute." })
  lastUsedAt!: Date | null;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  @Field(() => Boolean, { description: "Neither revoked nor expired." })
  active!: boolean;

  dbId!: number;
  userId!: number;
  consortiumId!: number;

  static from(row: Row): ApiToken {
    // Explicit: the token hash never reaches a GraphQL object.
    return Object.assign(new ApiToken(), {
      id: toGlobalId("ApiToken", row.id),
      dbId: row.id,
      userId: row.userId,
      consortiumId: row.consortiumId,
      name: row.name,
      prefix: row.prefix,
      role: row.role,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      lastUsedAt: row.lastUsedAt,
      createdAt: row.createdAt,
      active: !row.revokedAt && (!row.expiresAt || row.expiresAt > new Date()),
    });
  }
}

@ObjectType({ description: "A page of API tokens." })
export class ApiTokenConnection extends Connection(ApiToken) {}
