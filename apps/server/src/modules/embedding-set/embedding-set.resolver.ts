import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { canRead } from "../../auth/access.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { EmbeddingModel } from "../embedding-model/embedding-model.type.js";
import { Sample } from "../sample/sample.type.js";
import { Job } from "../job/job.type.js";
import { visibleJob } from "../job/job.service.js";
import { EmbeddingFailure, EmbeddingFailureConnection, EmbeddingSet, EmbeddingSetConnection } from "./embedding-set.type.js";
import { EmbeddingSetStartInput, EmbeddingSetStartPayload } from "./embedding-set.input.js";
import { startEmbeddingSet, visibleSet } from "./embedding-set.service.js";

registerNode("EmbeddingSet", visibleSet);

/**
 * Failures recorded before reasons were made path-free (jobs/handlers/embed.ts publicFailure) may
 * still carry server paths: shown with each absolute path or file URL replaced by "…".
 */
export function redactPaths(reason: string): string {
  return reason.replace(/(?:file:\/\/|npz:|npy:)?\/[^\s"'`,;]+/g, "…");
}

@Resolver(() => EmbeddingSet)
export class EmbeddingSetResolver {
  @Query(() => EmbeddingSet, { nullable: true, description: "An embedding set you can see; null otherwise." })
  embeddingSet(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "EmbeddingSet");
    return dbId === null ? null : visibleSet(ctx, dbId);
  }

  @FieldResolver(() => EmbeddingModel, { nullable: true, description: "The model." })
  async model(@Root() set: EmbeddingSet, @Ctx() ctx: Context) {
    const row = await ctx.loaders.embeddingModel.load(set.modelId);
    return row ? EmbeddingModel.from(row) : null;
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "The dataset version." })
  datasetVersion(@Root() set: EmbeddingSet, @Ctx() ctx: Context) {
    return visibleVersion(ctx, set.datasetVersionId);
  }

  @FieldResolver(() => Job, { nullable: true, description: "The latest job that filled it." })
  job(@Root() set: EmbeddingSet, @Ctx() ctx: Context) {
    return set.jobId === null ? null : visibleJob(ctx, set.jobId);
  }

  @FieldResolver(() => EmbeddingFailureConnection, { description: "Samples that could not be embedded, in sample order." })
  async failures(@Root() set: EmbeddingSet, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const consortiumId = (await consortiumOfVersion(ctx, set.datasetVersionId)) ?? undefined;
    // Site scoping as for samples: a site-scoped member sees the failures of their site's samples only.
    const access = await canRead(ctx, consortiumId);
    const where = !access ? { setId: -1 } : access.siteId === null ? { setId: set.dbId } : { setId: set.dbId, sample: { siteId: access.siteId } };
    return paginate({
      args,
      where,
      order: [["sampleId", "asc"]],
      findMany: (q) => ctx.prisma.embeddingFailure.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.embeddingFailure.count({ where: w }),
      map: (row) => Object.assign(new EmbeddingFailure(), { sample: Sample.from(row.sample, consortiumId), reason: redactPaths(row.reason), sampleId: row.sampleId }),
    });
  }

  @Mutation(() => EmbeddingSetStartPayload, { description: "Starts (or restarts a FAILED) embedding job for a version and an ONNX model. CURATOR." })
  @Authorized()
  embeddingSetStart(@InputArg(() => EmbeddingSetStartInput) input: EmbeddingSetStartInput, @Ctx() ctx: Context) {
    return mutate(EmbeddingSetStartPayload, input, () => startEmbeddingSet(ctx, input));
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionEmbeddingSetsResolver {
  @FieldResolver(() => EmbeddingSetConnection, { description: "Embedding sets of this version, oldest first." })
  embeddingSets(@Root() version: DatasetVersion, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { datasetVersionId: version.dbId },
      findMany: (q) => ctx.prisma.embeddingSet.findMany(q),
      count: (w) => ctx.prisma.embeddingSet.count({ where: w }),
      map: EmbeddingSet.from,
    });
  }
}
