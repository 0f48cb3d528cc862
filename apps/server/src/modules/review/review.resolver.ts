import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, connectionFromArray, decodeCursor, encodeCursor, pageSize, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate, userErrorsOf, validateInput } from "../../graphql/mutation.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { Sample } from "../sample/sample.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { consortiumOfRun, runLoader, visibleRun } from "../run/run.service.js";
import {
  ReviewActivityEvent,
  ReviewDecision,
  ReviewDecisionConnection,
  ReviewItemQuality,
  ReviewQueueOrder,
  ReviewQueueOrderOption,
  ReviewRelabel,
  ReviewRelabelConnection,
  ReviewSummary,
  VersionRelabelConnection,
  VersionRelabelItem,
} from "./review.type.js";
import { ReviewDecideInput, ReviewDecidePayload, ReviewFinalizeInput, ReviewFinalizePayload, ReviewRelabelInput, ReviewRelabelPayload } from "./review.input.js";
import { RelabelConflict, itemQuality, latestReportOf, queueOrders, relabel, reviewQueue } from "./review.relabel.js";
import { SelectionItem, SelectionItemConnection, SelectionRun } from "../run/run.type.js";
import { VersionDiff } from "../dataset-version/dataset-version.diff.js";
import { visibleSample } from "../sample/sample.service.js";
import { ReviewConflict, decide, finalize } from "./review.service.js";
import { reviewActivityStream } from "./review.stream.js";

@Resolver(() => ReviewDecision)
export class ReviewResolver {
  @FieldResolver(() => User, { nullable: true, description: "The reviewer." })
  reviewer(@Root() d: ReviewDecision, @Ctx() ctx: Context) {
    return visibleUser(ctx, d.reviewerId);
  }

  @FieldResolver(() => Sample, { nullable: true, description: "The sample decided on." })
  async sample(@Root() d: ReviewDecision, @Ctx() ctx: Context) {
    const row = await ctx.loaders.sample.load(d.sampleId);
    return row ? Sample.from(row, (await consortiumOfRun(ctx, d.runId)) ?? undefined) : null;
  }

  @Mutation(() => ReviewDecidePayload, {
    description: "Accepts, rejects or flags an item. Optimistic concurrency: a stale expectedVersion gets CONFLICT with the current item; the decision is logged either way. REVIEWER.",
  })
  @Authorized()
  async reviewDecide(@InputArg(() => ReviewDecideInput) input: ReviewDecideInput, @Ctx() ctx: Context): Promise<ReviewDecidePayload> {
    const payload = new ReviewDecidePayload();
    payload.item = null;
    payload.decision = null;
    payload.errors = [];
    try {
      await validateInput(input);
      Object.assign(payload, await decide(ctx, input));
    } catch (error) {
      if (error instanceof ReviewConflict) Object.assign(payload, { item: error.item, decision: error.decision });
      const errors = userErrorsOf(error);
      if (!errors) throw error;
      payload.errors = errors;
    }
    return payload;
  }

  @Mutation(() => ReviewRelabelPayload, {
    description:
      "Sets (or withdraws, with label null) an item's corrected label; finalize writes it into the new version. A label the version lacks is refused naming `label` unless allowNewLabel. Optimistic concurrency as reviewDecide (the two share reviewVersion); logged either way. REVIEWER.",
  })
  @Authorized()
  async reviewRelabel(@InputArg(() => ReviewRelabelInput) input: ReviewRelabelInput, @Ctx() ctx: Context): Promise<ReviewRelabelPayload> {
    const payload = new ReviewRelabelPayload();
    payload.item = null;
    payload.relabel = null;
    payload.errors = [];
    try {
      await validateInput(input);
      Object.assign(payload, await relabel(ctx, input));
    } catch (error) {
      if (error instanceof RelabelConflict) Object.assign(payload, { item: error.item, relabel: error.relabel });
      const errors = userErrorsOf(error);
      if (!errors) throw error;
      payload.errors = errors;
    }
    return payload;
  }

  @Mutation(() => ReviewFinalizePayload, { description: "Makes a new dataset version of the run's accepted items, linked to the run. CURATOR." })
  @Authorized()
  reviewFinalize(@InputArg(() => ReviewFinalizeInput) input: ReviewFinalizeInput, @Ctx() ctx: Context) {
    return mutate(ReviewFinalizePayload, input, () => finalize(ctx, input));
  }

  @Subscription(() => ReviewActivityEvent, {
    description:
      "A run's review as it happens: DECISION and FINALIZED events (stored; pass the last seq as afterSeq to resume) and PRESENCE (who is reviewing now; not stored). See PROTOCOL.md.",
    subscribe: ({ args, context }) =>
      reviewActivityStream(context as Context, decodeIdOrNull(String(args.runId), "SelectionRun"), (args.afterSeq as number | null | undefined) ?? null),
  })
  reviewActivity(
    @Root() event: ReviewActivityEvent,
    @Arg("runId", () => ID) _runId: string,
    @Arg("afterSeq", () => Int, { nullable: true, description: "Resume after this sequence number." }) _afterSeq: number | null,
  ): ReviewActivityEvent {
    return event;
  }
}

@Resolver(() => ReviewActivityEvent)
export class ReviewActivityEventResolver {
  @FieldResolver(() => SelectionItem, {
    nullable: true,
    description:
      "DECISION, RELABEL: the item the event is about, as it is when the event is delivered (reviewDecision, reviewComment, reviewLabel, reviewVersion; a replayed event carries the current state too). Select its `id` and a client's normalised cache (Apollo, urql) updates the item in every list that holds it.",
  })
  async item(@Root() e: ReviewActivityEvent, @Ctx() ctx: Context): Promise<SelectionItem | null> {
    if (e.itemRunId == null || e.itemSampleId == null) return null;
    // Read fresh on every delivery (no request-scoped loader: a subscription's context lives as long
    // as the subscription, so a cached row would go stale after the first event). One primary-key read.
    const row = await ctx.app.store.prisma.selectionItem.findUnique({ where: { runId_sampleId: { runId: e.itemRunId, sampleId: e.itemSampleId } } });
    return row ? SelectionItem.from(row) : null;
  }
}

@Resolver(() => ReviewRelabel)
export class ReviewRelabelResolver {
  @FieldResolver(() => User, { nullable: true, description: "The reviewer." })
  reviewer(@Root() d: ReviewRelabel, @Ctx() ctx: Context) {
    return visibleUser(ctx, d.reviewerId);
  }
}

@Resolver(() => SelectionItem)
export class SelectionItemReviewResolver {
  @FieldResolver(() => String, { nullable: true, description: "The corrected label a reviewer set (null = the sample's own); reviewFinalize writes it into the new version." })
  reviewLabel(@Root() item: SelectionItem & { reviewLabel?: string | null }) {
    return item.reviewLabel ?? null;
  }

  @FieldResolver(() => ReviewItemQuality, { nullable: true, description: "Its findings in the latest data-quality report of the run's version (label-error score, suggested label, outlier score); null without one." })
  async quality(@Root() item: SelectionItem, @Ctx() ctx: Context) {
    const run = await runLoader(ctx).load(item.runId);
    const reportId = run ? await latestReportOf(ctx, run.datasetVersionId) : null;
    return reportId === null ? null : itemQuality(ctx, reportId, item.sampleId);
  }
}

@Resolver(() => SelectionRun)
export class RunReviewResolver {
  @FieldResolver(() => SelectionItemConnection, {
    description:
      "The items to review in the chosen order (default RANK). LABEL_ERROR and OUTLIER use the version's latest data-quality report; without one they are an INVALID_STATE error naming `order` (reviewQueueOrders says so beforehand).",
  })
  reviewQueue(
    @Root() run: SelectionRun,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("order", () => ReviewQueueOrder, { nullable: true, description: "Default RANK." }) order: ReviewQueueOrder | null,
    @Ctx() ctx: Context,
  ) {
    return reviewQueue(ctx, run, order ?? ReviewQueueOrder.RANK, args);
  }

  @FieldResolver(() => [ReviewQueueOrderOption], { description: "The queue's orders, each with whether it can be used now and why not." })
  reviewQueueOrders(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    return queueOrders(ctx, run.datasetVersionId);
  }

  @FieldResolver(() => ReviewRelabelConnection, { description: "The run's label corrections, oldest first (applied or not)." })
  relabels(@Root() run: SelectionRun, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { runId: run.dbId },
      findMany: (q) => ctx.prisma.reviewRelabel.findMany(q),
      count: (w) => ctx.prisma.reviewRelabel.count({ where: w }),
      map: ReviewRelabel.from,
    });
  }

  @FieldResolver(() => ReviewDecisionConnection, { description: "The run's review log, oldest first (applied or not)." })
  decisions(@Root() run: SelectionRun, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { runId: run.dbId },
      findMany: (q) => ctx.prisma.reviewDecision.findMany(q),
      count: (w) => ctx.prisma.reviewDecision.count({ where: w }),
      map: ReviewDecision.from,
    });
  }

  @FieldResolver(() => ReviewSummary, { description: "Items by current review state." })
  async reviewSummary(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    const rows = await ctx.prisma.selectionItem.groupBy({ by: ["reviewDecision"], where: { runId: run.dbId }, _count: { _all: true } });
    const n = (k: string | null) => rows.find((r) => r.reviewDecision === k)?._count._all ?? 0;
    return Object.assign(new ReviewSummary(), { accepted: n("ACCEPT"), rejected: n("REJECT"), flagged: n("FLAG"), undecided: n(null) });
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "The version its finalised review produced." })
  async reviewedVersion(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    const row = await ctx.prisma.datasetVersion.findUnique({ where: { sourceRunId: run.dbId }, select: { id: true } });
    return row ? visibleVersion(ctx, row.id) : null;
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionSourceRunResolver {
  @FieldResolver(() => SelectionRun, { nullable: true, description: "The selection run whose review produced this version." })
  async sourceRun(@Root() version: DatasetVersion, @Ctx() ctx: Context) {
    if (version.sourceRunId === null) return null;
    return visibleRun(ctx, version.sourceRunId);
  }
}

@Resolver(() => VersionDiff)
export class VersionDiffRelabelResolver {
  @FieldResolver(() => Int, { description: "Samples of `from` whose label a finalised review corrected in `to` (each also counts as changed)." })
  async relabelled(@Root() diff: VersionDiff, @Ctx() ctx: Context) {
    if (diff.fromId === null) return 0;
    // Relabels of `to` whose original sample is in `from`.
    return ctx.prisma.versionRelabel.count({ where: { versionId: diff.toId, fromSample: { versions: { some: { versionId: diff.fromId } } } } });
  }

  @FieldResolver(() => VersionRelabelConnection, { description: "The relabelled samples (from → to, who), in externalId order." })
  async relabels(@Root() diff: VersionDiff, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    if (diff.fromId === null) return connectionFromArray<VersionRelabelItem>([], args, (x) => x.externalId);
    const first = pageSize(args);
    const after = args.after ? String(decodeCursor(args.after, 1)[0]) : null;
    const found = await ctx.prisma.versionRelabel.findMany({
      where: { versionId: diff.toId, fromSample: { versions: { some: { versionId: diff.fromId } } }, ...(after !== null ? { sample: { externalId: { gt: after } } } : {}) },
      orderBy: { sample: { externalId: "asc" } },
      take: first + 1,
      select: {
        fromLabel: true,
        toLabel: true,
        fromSampleId: true,
        sampleId: true,
        relabelId: true,
        sample: { select: { externalId: true } },
        relabel: { select: { reviewerId: true, runId: true, createdAt: true } },
      },
    });
    const rows = found.slice(0, first).map((v) =>
      Object.assign(new VersionRelabelItem(), {
        externalId: v.sample.externalId,
        fromLabel: v.fromLabel,
        toLabel: v.toLabel,
        fromSampleId: v.fromSampleId,
        toSampleId: v.sampleId,
        relabelId: v.relabelId,
        reviewerId: v.relabel?.reviewerId ?? null,
        runId: v.relabel?.runId ?? null,
        relabeledAt: v.relabel?.createdAt ?? null,
      }),
    );
    const edges = rows.map((node) => ({ cursor: encodeCursor([node.externalId]), node }));
    return {
      edges,
      nodes: rows,
      pageInfo: { hasNextPage: found.length > first, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
      totalCount: this.relabelled(diff, ctx),
    };
  }
}

@Resolver(() => VersionRelabelItem)
export class VersionRelabelItemResolver {
  @FieldResolver(() => Sample, { nullable: true, description: "The sample as the older version held it." })
  before(@Root() item: VersionRelabelItem, @Ctx() ctx: Context) {
    return visibleSample(ctx, item.fromSampleId);
  }

  @FieldResolver(() => Sample, { nullable: true, description: "The corrected copy the newer version holds." })
  after(@Root() item: VersionRelabelItem, @Ctx() ctx: Context) {
    return visibleSample(ctx, item.toSampleId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who set the label (null when unknown)." })
  reviewer(@Root() item: VersionRelabelItem, @Ctx() ctx: Context) {
    return item.reviewerId === null ? null : visibleUser(ctx, item.reviewerId);
  }

  @FieldResolver(() => SelectionRun, { nullable: true, description: "The run whose review made the correction." })
  run(@Root() item: VersionRelabelItem, @Ctx() ctx: Context) {
    return item.runId === null ? null : visibleRun(ctx, item.runId);
  }
}
