import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, Length, Matches } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { Consortium } from "./consortium.type.js";
import { Membership } from "../membership/membership.type.js";

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const SLUG_MESSAGE = "expected lowercase letters, digits and dashes (1–63 characters, not starting with a dash)";

@InputType({ description: "A new consortium; the caller becomes its first OWNER." })
export class ConsortiumCreateInput {
  @Field(() => String, { description: "URL-safe unique short name." })
  @Matches(SLUG, { message: SLUG_MESSAGE })
  slug!: string;

  @Field(() => String, { description: "Display name." })
  @Length(1, 200)
  name!: string;
}

@ObjectType({ description: "Result of consortiumCreate." })
export class ConsortiumCreatePayload extends Payload {
  @Field(() => Consortium, { nullable: true, description: "The new consortium." })
  consortium!: Consortium | null;

  @Field(() => Membership, { nullable: true, description: "The caller's OWNER membership." })
  membership!: Membership | null;
}

@InputType({ description: "Changes to a consortium (OWNER)." })
export class ConsortiumUpdateInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { nullable: true, description: "New display name." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;
}

@ObjectType({ description: "Result of consortiumUpdate." })
export class ConsortiumUpdatePayload extends Payload {
  @Field(() => Consortium, { nullable: true, description: "The updated consortium." })
  consortium!: Consortium | null;
}
