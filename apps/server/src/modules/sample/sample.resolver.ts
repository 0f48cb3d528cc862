import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { registerNode } from "../../graphql/node.js";
import { canRead, seesSite } from "../../auth/access.js";
import { consortiumOfDataset } from "../../auth/scope.js";
import { Site } from "../site/site.type.js";
import { visibleSite } from "../site/site.service.js";
import { Dataset } from "../dataset/dataset.type.js";
import { visibleDataset } from "../dataset/dataset.service.js";
import { Sample } from "./sample.type.js";
import { visibleSample } from "./sample.service.js";

registerNode("Sample", visibleSample);

async function accessFor(ctx: Context, sample: Sample) {
  const consortiumId = sample.consortiumId ?? (await consortiumOfDataset(ctx, sample.datasetId));
  return canRead(ctx, consortiumId);
}

@Resolver(() => Sample)
export class SampleResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: "Where the image is (URI or path). Null for a site-scoped member looking at another site's sample.",
  })
  async uri(@Root() sample: Sample, @Ctx() ctx: Context) {
    if (sample.rawUri === null) return null;
    return seesSite(await accessFor(ctx, sample), sample.siteId) ? sample.rawUri : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Path of the image endpoint (GET, same auth as the API) when you may see the URI; null otherwise.",
  })
  async imageUrl(@Root() sample: Sample, @Ctx() ctx: Context) {
    if (sample.rawUri === null) return null;
    return seesSite(await accessFor(ctx, sample), sample.siteId) ? `/samples/${sample.id}/image` : null;
  }

  @FieldResolver(() => Site, { nullable: true, description: "The contributing site, when known." })
  site(@Root() sample: Sample, @Ctx() ctx: Context) {
    return sample.siteId === null ? null : visibleSite(ctx, sample.siteId);
  }

  @FieldResolver(() => Dataset, { description: "The dataset the sample belongs to." })
  dataset(@Root() sample: Sample, @Ctx() ctx: Context) {
    return visibleDataset(ctx, sample.datasetId);
  }
}
