import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { registerNode } from "../../graphql/node.js";
import { ConnectionArgs } from "../../graphql/connection.js";
import { Consortium } from "../consortium/consortium.type.js";
import { SelectionRun } from "../run/run.type.js";
import { ConfounderAnalysis } from "../analysis/analysis.type.js";
import { EmbeddingSet } from "../embedding-set/embedding-set.type.js";
import { JobKind, RunStatus } from "./job.enums.js";
import { Job, JobActivityEvent, JobConnection, JobProgressEvent } from "./job.type.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { JobCancelInput, JobCancelPayload } from "./job.input.js";
import { analysisOfJob, cancelJob, embeddingSetOfJob, jobActivityStream, jobLoader, jobProgressStream, jobsOfConsortium, runOfJob, shardsOfJob, visibleJob } from "./job.service.js";

registerNode("Job", visibleJob);

@Resolver(() => Job)
export class JobResolver {
  @Query(() => Job, { nullable: true, description: "A job you can see; null otherwise." })
  job(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Job");
    return dbId === null ? null : visibleJob(ctx, dbId);
  }

  @Mutation(() => JobCancelPayload, {
    description:
      "Asks a QUEUED or RUNNING job of any kind (import, embedding, analysis, selection, probe) to stop: a queued one ends CANCELLED when a worker picks it up, a running one at its next step, writing nothing it had not committed. CURATOR.",
  })
  @Authorized()
  jobCancel(@InputArg(() => JobCancelInput) input: JobCancelInput, @Ctx() ctx: Context) {
    return mutate(JobCancelPayload, input, async () => ({ job: await cancelJob(ctx, input.jobId) }));
  }

  @FieldResolver(() => SelectionRun, { nullable: true, description: "The selection run this job computes (SELECT)." })
  async selectionRun(@Root() job: Job, @Ctx() ctx: Context) {
    const row = await runOfJob(ctx).load(job.dbId);
    return row ? SelectionRun.from(row) : null;
  }

  @FieldResolver(() => ConfounderAnalysis, { nullable: true, description: "The analysis this job computes (ANALYZE)." })
  async analysis(@Root() job: Job, @Ctx() ctx: Context) {
    const row = await analysisOfJob(ctx).load(job.dbId);
    return row ? ConfounderAnalysis.from(row) : null;
  }

  @FieldResolver(() => EmbeddingSet, { nullable: true, description: "The embedding set this job fills (EMBED)." })
  async embeddingSet(@Root() job: Job, @Ctx() ctx: Context) {
    const row = await embeddingSetOfJob(ctx).load(job.dbId);
    return row ? EmbeddingSet.from(row) : null;
  }

  @FieldResolver(() => [Job], {
    description:
      "A large job's shards: parts (row ranges of an embedding, classes of an analysis) that any worker takes, in the order they were made; empty for a job that is not split. The job's own progress is their sum. Lists leave shards out (Consortium.jobs without shards: true).",
  })
  async shards(@Root() job: Job, @Ctx() ctx: Context): Promise<Job[]> {
    if (job.parentId !== null) return [];
    return (await shardsOfJob(ctx).load(job.dbId)).map(Job.from);
  }

  @FieldResolver(() => Job, { nullable: true, description: "The job this one is a shard of; null for a top-level job." })
  async parent(@Root() job: Job, @Ctx() ctx: Context): Promise<Job | null> {
    if (job.parentId === null) return null;
    const row = await jobLoader(ctx).load(job.parentId);
    return row ? Job.from(row) : null;
  }

  @Subscription(() => JobProgressEvent, {
    description:
      "Progress of a job: phase, done/total, rate, ETA, partial results; completes after the final event. Pass the last seq you saw as afterSeq to resume. A sharded job's events sum its shards' progress (partial.shardsDone / shardCount); the state of each shard (partial.shards) only with shards: true. See PROTOCOL.md.",
    subscribe: ({ args, context }) =>
      jobProgressStream(context as Context, decodeIdOrNull(String(args.jobId), "Job"), (args.afterSeq as number | null | undefined) ?? null, args.shards === true),
  })
  jobProgress(
    @Root() event: JobProgressEvent,
    @Arg("jobId", () => ID, { description: "The job." }) _jobId: string,
    @Arg("afterSeq", () => Int, { nullable: true, description: "Resume after this sequence number." }) _afterSeq: number | null,
    @Arg("shards", () => Boolean, { nullable: true, defaultValue: false, description: "Keep each shard's state (partial.shards) in a sharded job's events. Default false." }) _shards: boolean | null,
  ): JobProgressEvent {
    return event;
  }

  @Subscription(() => JobActivityEvent, {
    description:
      "A consortium's jobs as they are created and change status or phase (not every progress step: follow jobProgress for that). Any member (VIEWER); a stranger's stream ends at once, empty. Select job { id ... } and a normalised cache updates the job in every list; on CREATED, re-read the list you show. Without afterSeq it starts now. Shard jobs' changes only with shards: true (their parent's progress sums them). See PROTOCOL.md.",
    subscribe: ({ args, context }) =>
      jobActivityStream(context as Context, decodeIdOrNull(String(args.consortiumId), "Consortium"), (args.afterSeq as number | null | undefined) ?? null, args.shards === true),
  })
  jobActivity(
    @Root() event: JobActivityEvent,
    @Arg("consortiumId", () => ID, { description: "The consortium." }) _consortiumId: string,
    @Arg("afterSeq", () => Int, { nullable: true, description: "Resume after this sequence number." }) _afterSeq: number | null,
    @Arg("shards", () => Boolean, { nullable: true, defaultValue: false, description: "Also the changes of shard jobs (parts of a sharded job). Default false." }) _shards: boolean | null,
  ): JobActivityEvent {
    return event;
  }
}

@Resolver(() => JobActivityEvent)
export class JobActivityEventResolver {
  @FieldResolver(() => Job, { nullable: true, description: "The job as it is when the event is delivered; null once it is gone." })
  async job(@Root() e: JobActivityEvent, @Ctx() ctx: Context): Promise<Job | null> {
    // Read fresh on every delivery (no request-scoped loader: a subscription's context lives as long as
    // the subscription, so a cached row would go stale after the first event). One primary-key read.
    const row = await ctx.app.store.prisma.job.findUnique({ where: { id: e.jobDbId } });
    return row ? Job.from(row) : null;
  }
}

@ArgsType()
export class JobsArgs extends ConnectionArgs {
  @Field(() => [RunStatus], { nullable: true, description: "Only jobs in one of these states (e.g. [QUEUED, RUNNING])." })
  status?: RunStatus[] | null;

  @Field(() => [JobKind], { nullable: true, description: "Only jobs of these kinds." })
  kind?: JobKind[] | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: "Also shard jobs (parts of a sharded job; each job's shards field lists its own). Default false: top-level jobs only." })
  shards?: boolean | null;
}

@Resolver(() => Consortium)
export class ConsortiumJobsResolver {
  @FieldResolver(() => JobConnection, {
    description: "The consortium's jobs (embedding, analysis, selection, probe), newest first; top-level jobs only unless shards: true. Any member (VIEWER).",
  })
  jobs(@Root() consortium: Consortium, @Args(() => JobsArgs) args: JobsArgs, @Ctx() ctx: Context) {
    return jobsOfConsortium(ctx, consortium.dbId, args);
  }
}
