import { Field, ObjectType, registerEnumType } from "type-graphql";
import type { Invitation as Row } from "@stratum/db";
import { Role } from "../../graphql/enums.js";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";

export enum InvitationStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
}

registerEnumType(InvitationStatus, {
  name: "InvitationStatus",
  description: "Where an invitation stands. Only a PENDING one can be accepted.",
});

export function statusOf(row: Pick<Row, "acceptedAt" | "revokedAt" | "expiresAt">, now = new Date()): InvitationStatus {
  if (row.acceptedAt) return InvitationStatus.ACCEPTED;
  if (row.revokedAt) return InvitationStatus.REVOKED;
  if (row.expiresAt.getTime() <= now.getTime()) return InvitationStatus.EXPIRED;
  return InvitationStatus.PENDING;
}

// Deliberately no link to the invitee's account: what an inviter sees must not depend on whether the
// email already has one.
@ObjectType({ implements: Node, description: "An offer of a membership, sent to an email; nothing exists for the invitee until they accept." })
export class Invitation extends Node {
  @Field(() => String, { description: "The invited email (normalised)." })
  email!: string;

  @Field(() => Role, { description: "The role the membership will have." })
  role!: Role;

  @Field(() => InvitationStatus, { description: "Pending, accepted, revoked or expired." })
  status!: InvitationStatus;

  @Field(() => Date, { description: "After this the link no longer works." })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it was accepted." })
  acceptedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When it was revoked." })
  revokedAt!: Date | null;

  @Field(() => Date, { description: "When it was made." })
  createdAt!: Date;

  dbId!: number;
  consortiumId!: number;
  siteId!: number | null;
  invitedById!: number | null;
  acceptedById!: number | null;

  static from(row: Row): Invitation {
    const { tokenHash: _secret, ...rest } = row; // the token's hash never reaches a GraphQL object
    return Object.assign(fromRow(Invitation, "Invitation", { ...rest }), { status: statusOf(row) });
  }
}

@ObjectType({ description: "A page of invitations." })
export class InvitationConnection extends Connection(Invitation) {}

@ObjectType({ description: "What the holder of an invitation link may see before accepting it." })
export class InvitationPreview {
  @Field(() => String, { description: "The consortium's name." })
  consortiumName!: string;

  @Field(() => String, { description: "The invited email: accept as this account, or create it." })
  email!: string;

  @Field(() => Role, { description: "The role on acceptance." })
  role!: Role;

  @Field(() => String, { nullable: true, description: "The site the membership is narrowed to, if any (its code)." })
  siteCode!: string | null;

  @Field(() => InvitationStatus, { description: "Only PENDING can be accepted." })
  status!: InvitationStatus;

  @Field(() => Date, { description: "When the link stops working." })
  expiresAt!: Date;

  @Field(() => Boolean, { description: "You are signed in (as a person) with the invited email: accept without a password." })
  signedInAsInvitee!: boolean;

  @Field(() => String, { nullable: true, description: "The email you are signed in with, if any." })
  signedInAs!: string | null;
}
