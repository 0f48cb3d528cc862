import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { GraphQLError } from "graphql";
import type { Context } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { Project } from "../project/project.type.js";
import { Sample, SampleConnection } from "../sample/sample.type.js";
import { SelectionRun } from "../run/run.type.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { AppError } from "../../graphql/errors.js";
import { QualityRulesInput, SubsetCreateInput, SubsetDeleteInput, SubsetDeletePayload, SubsetPayload, SubsetRenameInput } from "./subset.input.js";
import { createSubset, deleteSubset, qualityMatches, renameSubset, visibleSubset } from "./subset.service.js";
import { runConstraints } from "./run-constraints.js";
import { QualityExclusionPreview, RunConstraints, RunConstraintSample, RunConstraintSampleConnection, RunSampleRole, Subset, SubsetConnection } from "./subset.type.js";

registerNode("Subset", visibleSubset);

function subsetList(ctx: Context, args: ConnectionArgs, where: Record<string, unknown>) {
  return paginate({
    args,
    where,
    order: [
      ["createdAt", "desc"],
      ["id", "desc"],
    ],
    findMany: (q) => ctx.prisma.subset.findMany(q),
    count: (w) => ctx.prisma.subset.count({ where: w }),
    map: Subset.from,
  });
}

@Resolver(() => Subset)
export class SubsetResolver {
  @Query(() => Subset, { nullable: true, description: "A saved subset you can see; null otherwise." })
  subset(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Subset");
    return dbId === null ? null : visibleSubset(ctx, dbId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  datasetVersion(@Root() s: Subset, @Ctx() ctx: Context) {
    return visibleVersion(ctx, s.datasetVersionId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who saved it." })
  createdBy(@Root() s: Subset, @Ctx() ctx: Context) {
    return s.createdById === null ? null : visibleUser(ctx, s.createdById);
  }

  @FieldResolver(() => SampleConnection, { description: "The members by sample id. A site-scoped member sees only their site's members." })
  async members(@Root() s: Subset, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    const consortiumId = await consortiumOfVersion(ctx, s.datasetVersionId);
    const access = await canRead(ctx, consortiumId);
    const where = { subsetId: s.dbId, ...(access?.siteId != null ? { sample: { siteId: access.siteId } } : {}) };
    return paginate({
      args,
      where,
      order: [["sampleId", "asc"]],
      findMany: (q) => ctx.prisma.subsetMember.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.subsetMember.count({ where: w }),
      map: (row) => Sample.from(row.sample, consortiumId ?? undefined),
    });
  }

  @Mutation(() => SubsetPayload, {
    description:
      "Saves a named subset of a version (CURATOR): from sampleIds (a lasso, a search result, a list), quality rules (QUALITY_FILTER) or a metadata filter (METADATA_FILTER). Name unique in the project.",
  })
  @Authorized()
  subsetCreate(@InputArg(() => SubsetCreateInput) input: SubsetCreateInput, @Ctx() ctx: Context) {
    return mutate(SubsetPayload, input, async () => ({ subset: await createSubset(ctx, input) }));
  }

  @Mutation(() => SubsetPayload, { description: "Renames a subset (CURATOR)." })
  @Authorized()
  subsetRename(@InputArg(() => SubsetRenameInput) input: SubsetRenameInput, @Ctx() ctx: Context) {
    return mutate(SubsetPayload, input, async () => ({ subset: await renameSubset(ctx, input) }));
  }

  @Mutation(() => SubsetDeletePayload, { description: "Deletes a subset (CURATOR). Runs that used it keep the samples they recorded." })
  @Authorized()
  subsetDelete(@InputArg(() => SubsetDeleteInput) input: SubsetDeleteInput, @Ctx() ctx: Context) {
    return mutate(SubsetDeletePayload, input, async () => ({ deletedSubsetId: await deleteSubset(ctx, input) }));
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionSubsetsResolver {
  @FieldResolver(() => SubsetConnection, { description: "Saved subsets of this version, newest first." })
  subsets(@Root() version: DatasetVersion, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return subsetList(ctx, args, { datasetVersionId: version.dbId });
  }

  @FieldResolver(() => QualityExclusionPreview, {
    nullable: true,
    description: "What these quality rules would leave out of a run started now (the report given, else the newest SUCCEEDED one); null when the version has none.",
  })
  async qualityExclusionPreview(@Root() version: DatasetVersion, @Arg("rules", () => QualityRulesInput) rules: QualityRulesInput, @Ctx() ctx: Context) {
    try {
      const q = await qualityMatches(ctx, version.dbId, rules, ["rules"]);
      return Object.assign(new QualityExclusionPreview(), { reportId: toGlobalId("DataQualityReport", q.reportId), ...q.counts, duplicateSets: q.duplicateSets });
    } catch (error) {
      if (error instanceof AppError && error.code === "INVALID_STATE" && error.field?.length === 1) return null; // no report yet
      if (error instanceof AppError) throw new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT", argumentName: (error.field ?? ["rules"]).join(".") } });
      throw error;
    }
  }
}

@Resolver(() => Project)
export class ProjectSubsetsResolver {
  @FieldResolver(() => SubsetConnection, { description: "Saved subsets of every version of the project, newest first." })
  subsets(@Root() project: Project, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return subsetList(ctx, args, { projectId: project.dbId });
  }
}

@ArgsType()
class ConstraintSamplesArgs extends ConnectionArgs {
  @Field(() => RunSampleRole, { nullable: true, description: "Only POOL, EXCLUDE or INCLUDE rows." })
  role?: RunSampleRole | null;
}

@Resolver(() => SelectionRun)
export class RunConstraintsResolver {
  @FieldResolver(() => RunConstraints, { nullable: true, description: "The pool subset, exclusions and must-include rows the run was started with; null when none." })
  constraints(@Root() run: SelectionRun) {
    return runConstraints(run);
  }
}

@Resolver(() => RunConstraints)
export class RunConstraintsFieldsResolver {
  @FieldResolver(() => RunConstraintSampleConnection, { description: "The samples, with why, by role then sample. A site-scoped member sees only their site's." })
  async samples(@Root() c: RunConstraints, @Args(() => ConstraintSamplesArgs) args: ConstraintSamplesArgs, @Ctx() ctx: Context) {
    const run = await ctx.prisma.selectionRun.findUnique({ where: { id: c.runDbId } });
    const consortiumId = run ? await consortiumOfVersion(ctx, run.datasetVersionId) : null;
    const access = await canRead(ctx, consortiumId);
    const where = {
      runId: c.runDbId,
      ...(args.role != null ? { role: args.role } : {}),
      ...(access?.siteId != null ? { sample: { siteId: access.siteId } } : {}),
    };
    return paginate({
      args,
      where,
      order: [
        ["role", "asc"],
        ["sampleId", "asc"],
      ],
      findMany: (q) => ctx.prisma.selectionRunSample.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.selectionRunSample.count({ where: w }),
      map: (row) => Object.assign(new RunConstraintSample(), { role: row.role, reason: row.reason, sample: Sample.from(row.sample, consortiumId ?? undefined) }),
    });
  }
}

