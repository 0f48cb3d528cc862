import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { accessTo } from "../../auth/access.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { User } from "../user/user.type.js";
import { ApiToken, ApiTokenConnection } from "./api-token.type.js";
import { ApiTokenCreateInput, ApiTokenCreatePayload, ApiTokenRevokeInput, ApiTokenRevokePayload } from "./api-token.input.js";
import { createApiToken, revokeApiToken, visibleApiToken } from "./api-token.service.js";

registerNode("ApiToken", visibleApiToken);

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @FieldResolver(() => User, { description: "Whose token it is." })
  async user(@Root() token: ApiToken, @Ctx() ctx: Context) {
    const row = await ctx.loaders.user.load(token.userId);
    return row ? User.from(row) : null;
  }

  @FieldResolver(() => Consortium, { description: "Where it works." })
  consortium(@Root() token: ApiToken, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, token.consortiumId);
  }

  @Mutation(() => ApiTokenCreatePayload, { description: "Creates an API token for you; the secret is returned once." })
  @Authorized()
  apiTokenCreate(@InputArg(() => ApiTokenCreateInput) input: ApiTokenCreateInput, @Ctx() ctx: Context) {
    return mutate(ApiTokenCreatePayload, input, () => createApiToken(ctx, input));
  }

  @Mutation(() => ApiTokenRevokePayload, { description: "Revokes a token (yours, or any if you are OWNER)." })
  @Authorized()
  apiTokenRevoke(@InputArg(() => ApiTokenRevokeInput) input: ApiTokenRevokeInput, @Ctx() ctx: Context) {
    return mutate(ApiTokenRevokePayload, input, async () => ({ apiToken: await revokeApiToken(ctx, input) }));
  }
}

@Resolver(() => Consortium)
export class ConsortiumApiTokensResolver {
  @FieldResolver(() => ApiTokenConnection, {
    nullable: true,
    description: "API tokens: yours, or everyone's if you are OWNER. Newest first. Secrets are never shown.",
  })
  async apiTokens(@Root() consortium: Consortium, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const access = await accessTo(ctx, consortium.dbId);
    if (!access) return null;
    const where = {
      consortiumId: consortium.dbId,
      ...(access.role === "OWNER" ? {} : { userId: ctx.viewer!.userId }),
    };
    return paginate({
      args,
      where,
      order: [["id", "desc"]],
      findMany: (q) => ctx.prisma.apiToken.findMany(q),
      count: (w) => ctx.prisma.apiToken.count({ where: w }),
      map: ApiToken.from,
    });
  }
}
