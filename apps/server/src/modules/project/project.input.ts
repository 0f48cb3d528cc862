import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, Length, Matches, MaxLength } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { SLUG, SLUG_MESSAGE } from "../consortium/consortium.input.js";
import { Project } from "./project.type.js";

@InputType({ description: "A new project in a consortium (CURATOR)." })
export class ProjectCreateInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { description: "URL-safe short name, unique in the consortium." })
  @Matches(SLUG, { message: SLUG_MESSAGE })
  slug!: string;

  @Field(() => String, { description: "Display name." })
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: "Free text." })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;
}

@ObjectType({ description: "Result of projectCreate." })
export class ProjectCreatePayload extends Payload {
  @Field(() => Project, { nullable: true, description: "The new project." })
  project!: Project | null;
}

@InputType({ description: "Changes to a project (CURATOR). Omitted fields keep their value." })
export class ProjectUpdateInput {
  @Field(() => ID, { description: "The project." })
  projectId!: string;

  @Field(() => String, { nullable: true, description: "New display name." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true, description: "New description." })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;
}

@ObjectType({ description: "Result of projectUpdate." })
export class ProjectUpdatePayload extends Payload {
  @Field(() => Project, { nullable: true, description: "The updated project." })
  project!: Project | null;
}
