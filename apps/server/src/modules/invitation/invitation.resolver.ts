import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ArgsType, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { canRead } from "../../auth/access.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { Site } from "../site/site.type.js";
import { visibleSite } from "../site/site.service.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { Invitation, InvitationConnection, InvitationPreview } from "./invitation.type.js";
import {
  InvitationAcceptInput,
  InvitationAcceptPayload,
  InvitationCreateInput,
  InvitationCreatePayload,
  InvitationRevokeInput,
  InvitationRevokePayload,
} from "./invitation.input.js";
import { acceptInvitation, createInvitation, previewInvitation, revokeInvitation, visibleInvitation } from "./invitation.service.js";

registerNode("Invitation", visibleInvitation);

@Resolver(() => Invitation)
export class InvitationResolver {
  @FieldResolver(() => Consortium, { description: "The consortium." })
  consortium(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, invitation.consortiumId);
  }

  @FieldResolver(() => Site, { nullable: true, description: "The site the membership will be narrowed to, if any." })
  site(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return invitation.siteId === null ? null : visibleSite(ctx, invitation.siteId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who invited (null when their account is gone)." })
  invitedBy(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return invitation.invitedById === null ? null : visibleUser(ctx, invitation.invitedById);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who accepted (then a member); null while pending." })
  acceptedBy(@Root() invitation: Invitation, @Ctx() ctx: Context) {
    return invitation.acceptedById === null ? null : visibleUser(ctx, invitation.acceptedById);
  }

  @Query(() => InvitationPreview, {
    nullable: true,
    description: "What an invitation link offers (for its accept page); null for an unknown token. No sign-in needed.",
  })
  invitationPreview(@Arg("token", () => String) token: string, @Ctx() ctx: Context) {
    return previewInvitation(ctx, token);
  }

  @Mutation(() => InvitationCreatePayload, {
    description: "Invites an email; returns the one-time accept link. The answer is the same whether or not the email has an account. OWNER.",
  })
  @Authorized()
  invitationCreate(@InputArg(() => InvitationCreateInput) input: InvitationCreateInput, @Ctx() ctx: Context) {
    return mutate(InvitationCreatePayload, input, () => createInvitation(ctx, input));
  }

  @Mutation(() => InvitationAcceptPayload, {
    description:
      "Accepts an invitation: signed in with the invited email, or (not signed in) creating your account with your own name and password, then signed in. Single-use; INVITATION_EXPIRED / INVITATION_USED / INVITATION_REVOKED otherwise.",
  })
  invitationAccept(@InputArg(() => InvitationAcceptInput) input: InvitationAcceptInput, @Ctx() ctx: Context) {
    return mutate(InvitationAcceptPayload, input, () => acceptInvitation(ctx, input));
  }

  @Mutation(() => InvitationRevokePayload, { description: "Withdraws a pending invitation. OWNER." })
  @Authorized()
  invitationRevoke(@InputArg(() => InvitationRevokeInput) input: InvitationRevokeInput, @Ctx() ctx: Context) {
    return mutate(InvitationRevokePayload, input, async () => ({ invitation: await revokeInvitation(ctx, input) }));
  }
}

@ArgsType()
class InvitationListArgs extends ConnectionArgs {
  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "Only pending ones (default); false: all, newest first." })
  pendingOnly?: boolean | null;
}

@Resolver(() => Consortium)
export class ConsortiumInvitationsResolver {
  @FieldResolver(() => InvitationConnection, {
    nullable: true,
    description: "Invitations, newest first; OWNERs only (null for other roles).",
  })
  async invitations(@Root() consortium: Consortium, @Args(() => InvitationListArgs) args: InvitationListArgs, @Ctx() ctx: Context) {
    if (!(await canRead(ctx, consortium.dbId, "OWNER"))) return null;
    const pending = args.pendingOnly !== false;
    return paginate({
      args,
      where: {
        consortiumId: consortium.dbId,
        ...(pending ? { acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } } : {}),
      },
      order: [["id", "desc"]],
      findMany: (q) => ctx.prisma.invitation.findMany(q),
      count: (w) => ctx.prisma.invitation.count({ where: w }),
      map: Invitation.from,
    });
  }
}
