import { Field, ObjectType } from "type-graphql";
import type { Project as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

@ObjectType({ implements: Node, description: "A curation project: a set of datasets with one purpose." })
export class Project extends Node {
  @Field(() => String, { description: "URL-safe short name, unique within the consortium." })
  slug!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => String, { description: "Free text." })
  description!: string;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  dbId!: number;
  consortiumId!: number;

  static from(row: Row): Project {
    return fromRow(Project, "Project", row);
  }
}

@ObjectType({ description: "A page of projects." })
export class ProjectConnection extends Connection(Project) {}
