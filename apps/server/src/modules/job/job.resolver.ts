import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { registerNode } from "../../graphql/node.js";
import { Job, JobProgressEvent } from "./job.type.js";
import { jobProgressStream, visibleJob } from "./job.service.js";

registerNode("Job", visibleJob);

@Resolver(() => Job)
export class JobResolver {
  @Query(() => Job, { nullable: true, description: "A job you can see; null otherwise." })
  job(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Job");
    return dbId === null ? null : visibleJob(ctx, dbId);
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
