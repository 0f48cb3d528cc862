import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, Length } from "class-validator";
import { Role } from "../../graphql/enums.js";
import { Payload } from "../../graphql/mutation.js";
import { ApiToken } from "./api-token.type.js";

@InputType({ description: "A new API token for you in one consortium. People only (not other tokens)." })
export class ApiTokenCreateInput {
  @Field(() => ID, { description: "The consortium the token works in." })
  consortiumId!: string;

  @Field(() => String, { description: "What it is for, e.g. \"training pipeline\"." })
  @Length(1, 100)
  name!: string;

  @Field(() => Role, { description: "Its role; at most yours." })
  role!: Role;

  @Field(() => Date, { nullable: true, description: "When it stops working (must be in the future); omit for never." })
  @IsOptional()
  expiresAt?: Date | null;
}

@ObjectType({ description: "Result of apiTokenCreate." })
export class ApiTokenCreatePayload extends Payload {
  @Field(() => ApiToken, { nullable: true, description: "The token's record." })
  apiToken!: ApiToken | null;

  @Field(() => String, {
    nullable: true,
    description: "The secret (stm_…), shown this once. Send it as `Authorization: Bearer <secret>`.",
  })
  secret!: string | null;
}

@InputType({ description: "Revokes an API token: yours, or any in a consortium you OWN." })
export class ApiTokenRevokeInput {
  @Field(() => ID, { description: "The token." })
  apiTokenId!: string;
}

@ObjectType({ description: "Result of apiTokenRevoke." })
export class ApiTokenRevokePayload extends Payload {
  @Field(() => ApiToken, { nullable: true, description: "The revoked token." })
  apiToken!: ApiToken | null;
}
