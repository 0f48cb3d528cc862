import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Role } from "../../graphql/enums.js";
import { canRead } from "../../auth/access.js";
import { Consortium, ConsortiumConnection } from "./consortium.type.js";
import {
  ConsortiumCreateInput,
  ConsortiumCreatePayload,
  ConsortiumUpdateInput,
  ConsortiumUpdatePayload,
} from "./consortium.input.js";
import { createConsortium, updateConsortium, visibleConsortium } from "./consortium.service.js";

registerNode("Consortium", visibleConsortium);

@Resolver(() => Consortium)
export class ConsortiumResolver {
  @Query(() => Consortium, { nullable: true, description: "A consortium you belong to; null otherwise." })
  consortium(@Arg("id", () => ID, { description: "Global ID of a Consortium." }) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Consortium");
    return dbId === null ? null : visibleConsortium(ctx, dbId);
  }

  @Query(() => ConsortiumConnection, { description: "The consortia you belong to (an API token: its own), by id." })
  @Authorized()
  consortia(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const viewer = ctx.viewer!;
    const where = {
      memberships: { some: { userId: viewer.userId } },
      ...(viewer.token ? { id: viewer.token.consortiumId } : {}),
    };
    return paginate({
      args,
      where,
      findMany: (q) => ctx.prisma.consortium.findMany(q),
      count: (w) => ctx.prisma.consortium.count({ where: w }),
      map: Consortium.from,
    });
  }

  @FieldResolver(() => Role, { nullable: true, description: "Your role here (narrowed by your API token, if any)." })
  async viewerRole(@Root() consortium: Consortium, @Ctx() ctx: Context) {
    return (await canRead(ctx, consortium.dbId))?.role ?? null;
  }

  @Mutation(() => ConsortiumCreatePayload, { description: "Creates a consortium; you become its OWNER. People only (not API tokens)." })
  @Authorized()
  consortiumCreate(@InputArg(() => ConsortiumCreateInput) input: ConsortiumCreateInput, @Ctx() ctx: Context) {
    return mutate(ConsortiumCreatePayload, input, () => createConsortium(ctx, input));
  }

  @Mutation(() => ConsortiumUpdatePayload, { description: "Renames a consortium. OWNER." })
  @Authorized()
  consortiumUpdate(@InputArg(() => ConsortiumUpdateInput) input: ConsortiumUpdateInput, @Ctx() ctx: Context) {
    return mutate(ConsortiumUpdatePayload, input, async () => ({ consortium: await updateConsortium(ctx, input) }));
  }
}
