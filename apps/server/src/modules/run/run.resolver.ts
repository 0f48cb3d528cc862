import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
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
import { ConfounderAnalysis, ConfounderGroup } from "../analysis/analysis.type.js";
import { visibleAnalysis, visibleGroup } from "../analysis/analysis.service.js";
import { MetadataColumn, RunAllocationRow, RunComparison, RunGroupVerdict, SelectionItem, SelectionItemConnection, SelectionRun, SelectionRunConnection } from "./run.type.js";
import { SelectionRunCancelPayload, SelectionRunRefInput, SelectionRunStartInput, SelectionRunStartPayload } from "./run.input.js";
import { isSnapshot } from "../../jobs/handlers/select-groups.js";
import { GroupVerdict } from "../job/job.enums.js";
import { allocationOf, metadataColumnsOf, cancelRun, compareRuns, reproduceRun, runLoader, runsOfVersion, startRun, visibleRun } from "./run.service.js";

registerNode("SelectionRun", visibleRun);

@Resolver(() => SelectionRun)
export class RunResolver {
  @Query(() => SelectionRun, { nullable: true, description: "A selection run you can see; null otherwise." })
  selectionRun(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "SelectionRun");
    return dbId === null ? null : visibleRun(ctx, dbId);
  }

  @Query(() => RunComparison, {
    nullable: true,
    description: "2–4 runs side by side: overlap and pairwise Jaccard, allocation per group beside the pool, metrics and evaluations. Null if any run is missing or hidden.",
  })
  compareRuns(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: Context) {
    return compareRuns(ctx, ids);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "The version it selected from." })
  datasetVersion(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return visibleVersion(ctx, run.datasetVersionId);
  }

  @FieldResolver(() => EmbeddingSet, { nullable: true })
  embeddingSet(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return run.embeddingSetId === null ? null : visibleSet(ctx, run.embeddingSetId);
  }

  @FieldResolver(() => ConfounderAnalysis, { nullable: true, description: "The analysis whose groups it used." })
  analysis(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return run.analysisId === null ? null : visibleAnalysis(ctx, run.analysisId);
  }

  @FieldResolver(() => SelectionRun, { nullable: true, description: "The run this one reproduces." })
  parent(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return run.parentId === null ? null : visibleRun(ctx, run.parentId);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return run.createdById === null ? null : visibleUser(ctx, run.createdById);
  }

  @FieldResolver(() => Job, { nullable: true })
  job(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return run.jobId === null ? null : visibleJob(ctx, run.jobId);
  }

  @FieldResolver(() => [String], {
    description: "confounder-aware: the metadata columns declared as known confounders (balanced across first, then the discovered groups inside each level); empty if none.",
  })
  declaredConfounders(@Root() run: SelectionRun): string[] {
    const d = (run.params as { declared?: unknown } | null)?.declared;
    return Array.isArray(d) ? d.filter((c): c is string => typeof c === "string") : [];
  }

  @FieldResolver(() => [RunGroupVerdict], {
    nullable: true,
    description:
      "confounder-aware with an analysis: the verdicts and names of the analysis' groups when the run's job started, which the run (and any reproduction of it) allocated by. Null before the job starts and for other strategies.",
  })
  groupVerdicts(@Root() run: SelectionRun): RunGroupVerdict[] | null {
    const snap = (run.params as { groupVerdicts?: unknown } | null)?.groupVerdicts;
    if (!isSnapshot(snap)) return null;
    return snap.map((g) =>
      Object.assign(new RunGroupVerdict(), {
        groupId: toGlobalId("ConfounderGroup", g.groupId),
        label: g.label,
        index: g.index,
        verdict: g.verdict as GroupVerdict,
        name: g.name ?? null,
      }),
    );
  }

  @FieldResolver(() => [RunAllocationRow], {
    description:
      "The whole selection per class × group beside the pool (the analysis' groups; per class without one), counted over every item by the database.",
  })
  async allocation(@Root() run: SelectionRun, @Ctx() ctx: Context): Promise<RunAllocationRow[]> {
    const rows = await allocationOf(ctx.app.store, [run.dbId], run.analysisId, run.datasetVersionId);
    return rows.map(({ selected, groupId, ...row }) =>
      Object.assign(new RunAllocationRow(), { ...row, groupId: groupId === null ? null : toGlobalId("ConfounderGroup", groupId), selected: selected[0]! }),
    );
  }

  @FieldResolver(() => SelectionItemConnection, { description: "Selected items by rank." })
  items(@Root() run: SelectionRun, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { runId: run.dbId },
      order: [["rank", "asc"]],
      findMany: (q) => ctx.prisma.selectionItem.findMany(q),
      count: (w) => ctx.prisma.selectionItem.count({ where: w }),
      map: SelectionItem.from,
    });
  }

  @Mutation(() => SelectionRunStartPayload, { description: "Starts a selection run. CURATOR." })
  @Authorized()
  selectionRunStart(@InputArg(() => SelectionRunStartInput) input: SelectionRunStartInput, @Ctx() ctx: Context) {
    return mutate(SelectionRunStartPayload, input, () => startRun(ctx, input));
  }

  @Mutation(() => SelectionRunCancelPayload, { description: "Cancels a QUEUED or RUNNING run; nothing of it is written. CURATOR." })
  @Authorized()
  selectionRunCancel(@InputArg(() => SelectionRunRefInput) input: SelectionRunRefInput, @Ctx() ctx: Context) {
    return mutate(SelectionRunCancelPayload, input, async () => ({ run: await cancelRun(ctx, input) }));
  }

  @Mutation(() => SelectionRunStartPayload, { description: "Runs a SUCCEEDED run again with the same inputs; the new run's `reproducible` says whether the hash matched. CURATOR." })
  @Authorized()
  selectionRunReproduce(@InputArg(() => SelectionRunRefInput) input: SelectionRunRefInput, @Ctx() ctx: Context) {
    return mutate(SelectionRunStartPayload, input, () => reproduceRun(ctx, input));
  }
}

@Resolver(() => SelectionItem)
export class SelectionItemResolver {
  @FieldResolver(() => Sample, { nullable: true, description: "The sample." })
  async sample(@Root() item: SelectionItem, @Ctx() ctx: Context) {
    const row = await ctx.loaders.sample.load(item.sampleId);
    const run = await runLoader(ctx).load(item.runId);
    const consortiumId = run ? ((await consortiumOfVersion(ctx, run.datasetVersionId)) ?? undefined) : undefined;
    return row ? Sample.from(row, consortiumId) : null;
  }

  @FieldResolver(() => ConfounderGroup, { nullable: true, description: "The confounder group it was drawn from (confounder-aware runs)." })
  group(@Root() item: SelectionItem, @Ctx() ctx: Context) {
    return item.groupId === null ? null : visibleGroup(ctx, item.groupId);
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionRunsResolver {
  @FieldResolver(() => SelectionRunConnection, { description: "Selection runs on this version, newest first." })
  runs(@Root() version: DatasetVersion, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return runsOfVersion(ctx, version.dbId, args);
  }

  @FieldResolver(() => [MetadataColumn], {
    description: "The samples' metadata columns with their level counts, site first: the known confounders a selection run may declare.",
  })
  metadataColumns(@Root() version: DatasetVersion, @Ctx() ctx: Context) {
    return metadataColumnsOf(ctx.app.store.sql, version.dbId);
  }
}

