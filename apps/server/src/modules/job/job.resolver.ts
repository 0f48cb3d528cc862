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
import { Job, JobConnection, JobProgressEvent } from "./job.type.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { JobCancelInput, JobCancelPayload } from "./job.input.js";
import { analysisOfJob, cancelJob, embeddingSetOfJob, jobProgressStream, jobsOfConsortium, runOfJob, visibleJob } from "./job.service.js";

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

  @Subscription(() => JobProgressEvent, {
    description:
      "Progress of a job: phase, done/total, rate, ETA, partial results; completes after the final event. Pass the last seq you saw as afterSeq to resume. See PROTOCOL.md.",
    subscribe: ({ args, context }) =>
      jobProgressStream(context as Context, decodeIdOrNull(String(args.jobId), "Job"), (args.afterSeq as number | null | undefined) ?? null),
  })
  jobProgress(
    @Root() event: JobProgressEvent,
    @Arg("jobId", () => ID, { description: "The job." }) _jobId: string,
    @Arg("afterSeq", () => Int, { nullable: true, description: "Resume after this sequence number." }) _afterSeq: number | null,
  ): JobProgressEvent {
    return event;
  }
}

@ArgsType()
export class JobsArgs extends ConnectionArgs {
  @Field(() => [RunStatus], { nullable: true, description: "Only jobs in one of these states (e.g. [QUEUED, RUNNING])." })
  status?: RunStatus[] | null;

  @Field(() => [JobKind], { nullable: true, description: "Only jobs of these kinds." })
  kind?: JobKind[] | null;
}

@Resolver(() => Consortium)
export class ConsortiumJobsResolver {
  @FieldResolver(() => JobConnection, {
    description: "The consortium's jobs (embedding, analysis, selection, probe), newest first. Any member (VIEWER).",
  })
  jobs(@Root() consortium: Consortium, @Args(() => JobsArgs) args: JobsArgs, @Ctx() ctx: Context) {
    return jobsOfConsortium(ctx, consortium.dbId, args);
  }
}
