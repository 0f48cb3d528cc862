import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { Site, SiteConnection } from "./site.type.js";
import { SiteCreateInput, SiteCreatePayload, SiteUpdateInput, SiteUpdatePayload } from "./site.input.js";
import { createSite, updateSite, visibleSite } from "./site.service.js";

registerNode("Site", visibleSite);

@Resolver(() => Site)
export class SiteResolver {
  @FieldResolver(() => Consortium, { description: "The consortium the site belongs to." })
  consortium(@Root() site: Site, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, site.consortiumId);
  }

  @Mutation(() => SiteCreatePayload, { description: "Adds a site. OWNER." })
  @Authorized()
  siteCreate(@InputArg(() => SiteCreateInput) input: SiteCreateInput, @Ctx() ctx: Context) {
    return mutate(SiteCreatePayload, input, async () => ({ site: await createSite(ctx, input) }));
  }

  @Mutation(() => SiteUpdatePayload, { description: "Renames a site. OWNER." })
  @Authorized()
  siteUpdate(@InputArg(() => SiteUpdateInput) input: SiteUpdateInput, @Ctx() ctx: Context) {
    return mutate(SiteUpdatePayload, input, async () => ({ site: await updateSite(ctx, input) }));
  }
}

@Resolver(() => Consortium)
export class ConsortiumSitesResolver {
  @FieldResolver(() => SiteConnection, { description: "The consortium's sites, by code." })
  sites(@Root() consortium: Consortium, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { consortiumId: consortium.dbId },
      order: [
        ["code", "asc"],
        ["id", "asc"],
      ],
      findMany: (q) => ctx.prisma.site.findMany(q),
      count: (w) => ctx.prisma.site.count({ where: w }),
      map: Site.from,
    });
  }
}
