import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { Sample } from "../sample/sample.type.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { Job } from "../job/job.type.js";
import { visibleJob } from "../job/job.service.js";
import { EmbeddingSet } from "../embedding-set/embedding-set.type.js";
import { visibleSet } from "../embedding-set/embedding-set.service.js";
import { ConfounderAnalysis, ConfounderAnalysisConnection, ConfounderGroup, LayoutPoint, LayoutPointConnection } from "./analysis.type.js";
import {
  AnalysisStartInput,
  AnalysisStartPayload,
  ConfounderGroupPayload,
  ConfounderGroupRenameInput,
  ConfounderGroupSetVerdictInput,
} from "./analysis.input.js";
import { renameGroup, setGroupVerdict, startAnalysis, visibleAnalysis, visibleGroup } from "./analysis.service.js";

registerNode("ConfounderAnalysis", visibleAnalysis);
registerNode("ConfounderGroup", visibleGroup);

@Resolver(() => ConfounderAnalysis)
export class AnalysisResolver {
  @Query(() => ConfounderAnalysis, { nullable: true, description: "An analysis you can see; null otherwise." })
  analysis(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "ConfounderAnalysis");
    return dbId === null ? null : visibleAnalysis(ctx, dbId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  datasetVersion(@Root() a: ConfounderAnalysis, @Ctx() ctx: Context) {
    return visibleVersion(ctx, a.datasetVersionId);
  }

  @FieldResolver(() => EmbeddingSet, { nullable: true })
  embeddingSet(@Root() a: ConfounderAnalysis, @Ctx() ctx: Context) {
    return visibleSet(ctx, a.embeddingSetId);
  }

  @FieldResolver(() => ConfounderAnalysis, { nullable: true, description: "The analysis this one re-does." })
  parent(@Root() a: ConfounderAnalysis, @Ctx() ctx: Context) {
    return a.parentId === null ? null : visibleAnalysis(ctx, a.parentId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who started it." })
  createdBy(@Root() a: ConfounderAnalysis, @Ctx() ctx: Context) {
    return a.createdById === null ? null : visibleUser(ctx, a.createdById);
  }

  @FieldResolver(() => Job, { nullable: true })
  job(@Root() a: ConfounderAnalysis, @Ctx() ctx: Context) {
    return a.jobId === null ? null : visibleJob(ctx, a.jobId);
  }

  @FieldResolver(() => [ConfounderGroup], { description: "Groups, by class then index (noise last in its class); optionally one class." })
  async groups(@Root() a: ConfounderAnalysis, @Arg("label", () => String, { nullable: true }) label: string | null, @Ctx() ctx: Context) {
    const rows = await ctx.prisma.confounderGroup.findMany({
      where: { analysisId: a.dbId, ...(label != null ? { label } : {}) },
      orderBy: [{ label: "asc" }, { isNoise: "asc" }, { index: "asc" }],
    });
    return rows.map(ConfounderGroup.from);
  }

  @FieldResolver(() => LayoutPointConnection, { description: "The 2-D layout: every sample's x, y and group, by group then sample; optionally one class." })
  async layout(
    @Root() a: ConfounderAnalysis,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("label", () => String, { nullable: true }) label: string | null,
    @Ctx() ctx: Context,
  ) {
    const consortiumId = (await consortiumOfVersion(ctx, a.datasetVersionId)) ?? undefined;
    return paginate({
      args,
      where: { group: { analysisId: a.dbId, ...(label != null ? { label } : {}) } },
      order: [
        ["groupId", "asc"],
        ["sampleId", "asc"],
      ],
      findMany: (q) => ctx.prisma.confounderGroupMember.findMany({ ...q, include: { sample: true, group: true } }),
      count: (w) => ctx.prisma.confounderGroupMember.count({ where: w }),
      map: (row) => Object.assign(new LayoutPoint(), { x: row.x, y: row.y, mode: row.mode, sample: Sample.from(row.sample, consortiumId), group: ConfounderGroup.from(row.group) }),
    });
  }

  @Mutation(() => AnalysisStartPayload, { description: "Starts a confounder analysis job. CURATOR." })
  @Authorized()
  analysisStart(@InputArg(() => AnalysisStartInput) input: AnalysisStartInput, @Ctx() ctx: Context) {
    return mutate(AnalysisStartPayload, input, () => startAnalysis(ctx, input));
  }
}

@Resolver(() => ConfounderGroup)
export class ConfounderGroupResolver {
  @FieldResolver(() => User, { nullable: true, description: "Who gave the verdict." })
  verdictBy(@Root() g: ConfounderGroup, @Ctx() ctx: Context) {
    return g.verdictById === null ? null : visibleUser(ctx, g.verdictById);
  }

  @FieldResolver(() => ConfounderAnalysis, { nullable: true })
  analysis(@Root() g: ConfounderGroup, @Ctx() ctx: Context) {
    return visibleAnalysis(ctx, g.analysisId);
  }

  @Mutation(() => ConfounderGroupPayload, { description: "Confirms, rejects or renames a candidate confounder group, recording who. CURATOR." })
  @Authorized()
  confounderGroupSetVerdict(@InputArg(() => ConfounderGroupSetVerdictInput) input: ConfounderGroupSetVerdictInput, @Ctx() ctx: Context) {
    return mutate(ConfounderGroupPayload, input, async () => ({ group: await setGroupVerdict(ctx, input) }));
  }

  @Mutation(() => ConfounderGroupPayload, { description: "Renames a group (verdict RENAMED), recording who. CURATOR." })
  @Authorized()
  confounderGroupRename(@InputArg(() => ConfounderGroupRenameInput) input: ConfounderGroupRenameInput, @Ctx() ctx: Context) {
    return mutate(ConfounderGroupPayload, input, async () => ({ group: await renameGroup(ctx, input) }));
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionAnalysesResolver {
  @FieldResolver(() => ConfounderAnalysisConnection, { description: "Analyses of this version, newest first." })
  analyses(@Root() version: DatasetVersion, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { datasetVersionId: version.dbId },
      order: [
        ["createdAt", "desc"],
        ["id", "desc"],
      ],
      findMany: (q) => ctx.prisma.confounderAnalysis.findMany(q),
      count: (w) => ctx.prisma.confounderAnalysis.count({ where: w }),
      map: ConfounderAnalysis.from,
    });
  }
}
