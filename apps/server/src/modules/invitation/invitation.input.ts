import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsEmail, IsOptional, Length, Matches, MaxLength, MinLength } from "class-validator";
import { Role } from "../../graphql/enums.js";
import { Payload } from "../../graphql/mutation.js";
import { User } from "../user/user.type.js";
import { Membership } from "../membership/membership.type.js";
import { Invitation } from "./invitation.type.js";

/** inv_ + 32 random bytes in base64url. */
export const INVITATION_TOKEN = /^inv_[A-Za-z0-9_-]{43}$/;

@InputType({ description: "Invites an email to a consortium (OWNER). Nothing is created for the invitee until they accept." })
export class InvitationCreateInput {
  @Field(() => ID, { description: "The consortium." })
  consortiumId!: string;

  @Field(() => String, { description: "The person's email." })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => Role, { description: "Their role once they accept." })
  role!: Role;

  @Field(() => ID, { nullable: true, description: "Narrow them to this site's samples." })
  siteId?: string | null;
}

@ObjectType({ description: "Result of invitationCreate. The same whether or not the email has an account." })
export class InvitationCreatePayload extends Payload {
  @Field(() => Invitation, { nullable: true, description: "The pending invitation." })
  invitation!: Invitation | null;

  @Field(() => String, {
    nullable: true,
    description: "The one-time secret of the link, shown only now (only its hash is kept). Give the link to the person.",
  })
  token!: string | null;

  @Field(() => String, { nullable: true, description: 'The web app\'s accept page for it, e.g. "/invite/inv_…".' })
  acceptPath!: string | null;
}

@InputType({
  description:
    "Accepts an invitation. Signed in with the invited email: just the token. Not signed in: the token, your name and a new password create your account (an email that already has an account must sign in first).",
})
export class InvitationAcceptInput {
  @Field(() => String, { description: "The invitation's token (from the link)." })
  @Matches(INVITATION_TOKEN, { message: "expected an invitation token (inv_…)" })
  token!: string;

  @Field(() => String, { nullable: true, description: "Your display name (new accounts only)." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true, description: "Your new password, at least 8 characters (new accounts only)." })
  @IsOptional()
  @MinLength(8)
  @MaxLength(1024)
  password?: string | null;
}

@ObjectType({ description: "Result of invitationAccept." })
export class InvitationAcceptPayload extends Payload {
  @Field(() => Membership, { nullable: true, description: "Your new membership." })
  membership!: Membership | null;

  @Field(() => User, { nullable: true, description: "Your account (signed in when it was just created)." })
  user!: User | null;
}

@InputType({ description: "Withdraws a pending invitation (OWNER); its link stops working." })
export class InvitationRevokeInput {
  @Field(() => ID, { description: "The invitation." })
  invitationId!: string;
}

@ObjectType({ description: "Result of invitationRevoke." })
export class InvitationRevokePayload extends Payload {
  @Field(() => Invitation, { nullable: true, description: "The revoked invitation." })
  invitation!: Invitation | null;
}
