import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { Site } from "../site/site.type.js";
import { visibleSite } from "../site/site.service.js";
import { User } from "../user/user.type.js";
import { Viewer } from "../user/viewer.resolver.js";
import { Membership, MembershipConnection } from "./membership.type.js";
import {
  MembershipRemoveInput,
  MembershipRemovePayload,
  MembershipUpdateInput,
  MembershipUpdatePayload,
} from "./membership.input.js";
import { removeMember, updateMember, visibleMembership } from "./membership.service.js";

registerNode("Membership", visibleMembership);

@Resolver(() => Membership)
export class MembershipResolver {
  @FieldResolver(() => User, { description: "The member." })
  async user(@Root() membership: Membership, @Ctx() ctx: Context) {
    const row = await ctx.loaders.user.load(membership.userId);
    return row ? User.from(row) : null;
  }

  @FieldResolver(() => Consortium, { description: "The consortium." })
  consortium(@Root() membership: Membership, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, membership.consortiumId);
  }

  @FieldResolver(() => Site, { nullable: true, description: "The site the member is narrowed to, if any." })
  site(@Root() membership: Membership, @Ctx() ctx: Context) {
    return membership.siteId === null ? null : visibleSite(ctx, membership.siteId);
  }

  @Mutation(() => MembershipUpdatePayload, { description: "Changes a member's role or site scope. OWNER." })
  @Authorized()
  membershipUpdate(@InputArg(() => MembershipUpdateInput) input: MembershipUpdateInput, @Ctx() ctx: Context) {
    return mutate(MembershipUpdatePayload, input, async () => ({ membership: await updateMember(ctx, input) }));
  }

  @Mutation(() => MembershipRemovePayload, { description: "Removes a member and revokes their tokens here. OWNER." })
  @Authorized()
  membershipRemove(@InputArg(() => MembershipRemoveInput) input: MembershipRemoveInput, @Ctx() ctx: Context) {
    return mutate(MembershipRemovePayload, input, async () => ({ removedMembershipId: await removeMember(ctx, input) }));
  }
}

@Resolver(() => Consortium)
export class ConsortiumMembersResolver {
  @FieldResolver(() => MembershipConnection, { description: "The consortium's members, oldest first." })
  members(@Root() consortium: Consortium, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { consortiumId: consortium.dbId },
      findMany: (q) => ctx.prisma.membership.findMany(q),
      count: (w) => ctx.prisma.membership.count({ where: w }),
      map: Membership.from,
    });
  }
}

@Resolver(() => Viewer)
export class ViewerMembershipsResolver {
  @FieldResolver(() => MembershipConnection, { description: "Your memberships (an API token: its consortium's only)." })
  memberships(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const viewer = ctx.viewer!;
    return paginate({
      args,
      where: { userId: viewer.userId, ...(viewer.token ? { consortiumId: viewer.token.consortiumId } : {}) },
      findMany: (q) => ctx.prisma.membership.findMany(q),
      count: (w) => ctx.prisma.membership.count({ where: w }),
      map: Membership.from,
    });
  }
}
