import { Field, ObjectType } from "type-graphql";
import type { User as UserRow } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { toGlobalId } from "../../graphql/ids.js";

@ObjectType({ implements: Node, description: "A person (or a machine account) who can sign in." })
export class User extends Node {
  @Field(() => String, { description: "Sign-in email, unique." })
  email!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => Date, { description: "When the account was created." })
  createdAt!: Date;

  dbId!: number;

  static from(row: Pick<UserRow, "id" | "email" | "name" | "createdAt">): User {
    // Explicit: the password hash never reaches a GraphQL object.
    return Object.assign(new User(), {
      id: toGlobalId("User", row.id),
      dbId: row.id,
      email: row.email,
      name: row.name,
      createdAt: row.createdAt,
    });
  }
}
