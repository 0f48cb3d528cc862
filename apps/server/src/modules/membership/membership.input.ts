import { Field, ID, InputType, ObjectType } from "type-graphql";
import { Role } from "../../graphql/enums.js";
import { Payload } from "../../graphql/mutation.js";
import { Membership } from "./membership.type.js";

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
