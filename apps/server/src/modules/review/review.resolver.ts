import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate, userErrorsOf, validateInput } from "../../graphql/mutation.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { Sample } from "../sample/sample.type.js";
import { SelectionRun } from "../run/run.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { consortiumOfRun, visibleRun } from "../run/run.service.js";
import { ReviewActivityEvent, ReviewDecision, ReviewDecisionConnection, ReviewSummary } from "./review.type.js";
import { ReviewDecideInput, ReviewDecidePayload, ReviewFinalizeInput, ReviewFinalizePayload } from "./review.input.js";
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

@Resolver(() => SelectionRun)
export class RunReviewResolver {
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
