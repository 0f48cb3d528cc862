import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { SelectionRun } from "../run/run.type.js";
import { consortiumOfRun } from "../run/run.service.js";
import { ManifestEntry, ManifestEntryConnection } from "./export.type.js";

@Resolver(() => SelectionRun)
export class RunManifestResolver {
  @FieldResolver(() => ManifestEntryConnection, {
    description: "The run's manifest by rank: id, uri, label, sha256. For the whole file in one go: GET /runs/<id>/manifest.jsonl or .csv (carries the manifest hash).",
  })
  async manifest(@Root() run: SelectionRun, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const access = await canRead(ctx, await consortiumOfRun(ctx, run.dbId));
    return paginate({
      args,
      where: { runId: run.dbId },
      order: [["rank", "asc"]],
      findMany: (q) => ctx.prisma.selectionItem.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.selectionItem.count({ where: w }),
      map: (row) =>
        Object.assign(new ManifestEntry(), {
          rank: row.rank,
          id: row.sample.externalId,
          uri: access && (access.siteId === null || access.siteId === row.sample.siteId) ? row.sample.uri : null,
          label: row.label,
          sha256: row.sample.sha256,
        }),
    });
  }
}
