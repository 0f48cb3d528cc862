import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, Length, Matches } from "class-validator";
import { SITE_CODE, SITE_CODE_RULE } from "@stratum/db";
import { Payload } from "../../graphql/mutation.js";
import { Site } from "./site.type.js";

@InputType({ description: "A new site in a consortium (OWNER)." })
export class SiteCreateInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { description: "Short code, unique in the consortium; manifests name sites by it." })
  @Matches(SITE_CODE, { message: SITE_CODE_RULE })
  code!: string;

  @Field(() => String, { description: "Display name." })
  @Length(1, 200)
  name!: string;
}

@ObjectType({ description: "Result of siteCreate." })
export class SiteCreatePayload extends Payload {
  @Field(() => Site, { nullable: true, description: "The new site." })
  site!: Site | null;
}

@InputType({ description: "Changes to a site (OWNER)." })
export class SiteUpdateInput {
  @Field(() => ID, { description: "The site." })
  siteId!: string;

  @Field(() => String, { nullable: true, description: "New display name." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;
}

@ObjectType({ description: "Result of siteUpdate." })
export class SiteUpdatePayload extends Payload {
  @Field(() => Site, { nullable: true, description: "The updated site." })
  site!: Site | null;
}
