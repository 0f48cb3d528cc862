import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsEmail, IsOptional, Length, MaxLength, MinLength } from "class-validator";
import { Role } from "../../graphql/enums.js";
import { Payload } from "../../graphql/mutation.js";
import { Membership } from "./membership.type.js";
import { User } from "../user/user.type.js";

@InputType({ description: "Adds a person to a consortium (OWNER). Creates their account when the email is new." })
export class MembershipInviteInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { description: "The person's email." })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => String, { nullable: true, description: "Display name for a new account (default: the email's local part)." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => Role, { description: "Their role." })
  role!: Role;

  @Field(() => ID, { nullable: true, description: "Narrow them to this site's samples." })
  siteId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Password for a new account; when omitted a temporary one is generated and returned once.",
  })
  @IsOptional()
  @MinLength(8)
  @MaxLength(1024)
  password?: string | null;
}

@ObjectType({ description: "Result of membershipInvite." })
export class MembershipInvitePayload extends Payload {
  @Field(() => Membership, { nullable: true, description: "The new membership." })
  membership!: Membership | null;

  @Field(() => User, { nullable: true, description: "The member's account." })
  user!: User | null;

  @Field(() => String, {
    nullable: true,
    description: "Set only when a new account was created without a password: give it to the person; it is not stored in clear.",
  })
  temporaryPassword!: string | null;
}

@InputType({ description: "Changes a member's role or site scope (OWNER)." })
export class MembershipUpdateInput {
  @Field(() => ID, { description: "The membership." })
  membershipId!: string;

  @Field(() => Role, { nullable: true, description: "New role; omit to keep." })
  role?: Role | null;

  @Field(() => ID, { nullable: true, description: "New site scope; omit to keep, null to remove the scope." })
  siteId?: string | null;
}

@ObjectType({ description: "Result of membershipUpdate." })
export class MembershipUpdatePayload extends Payload {
  @Field(() => Membership, { nullable: true, description: "The updated membership." })
  membership!: Membership | null;
}

@InputType({ description: "Removes a member from a consortium (OWNER). Their API tokens for it are revoked." })
export class MembershipRemoveInput {
  @Field(() => ID, { description: "The membership." })
  membershipId!: string;
}

@ObjectType({ description: "Result of membershipRemove." })
export class MembershipRemovePayload extends Payload {
  @Field(() => ID, { nullable: true, description: "The ID of the removed membership." })
  removedMembershipId!: string | null;
}
