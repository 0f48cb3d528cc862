import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { Job as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { Connection } from "../../graphql/connection.js";
import { fromRow } from "../../graphql/build.js";
import { toGlobalId } from "../../graphql/ids.js";
import { JobKind, RunStatus } from "./job.enums.js";
import type { JobAnnouncement, JobEvent } from "../../jobs/index.js";

@ObjectType({ implements: Node, description: "Long work (embedding, analysis, selection, probe) and how far it got." })
export class Job extends Node {
  @Field(() => JobKind, { description: "What the job does." })
  kind!: JobKind;

  @Field(() => RunStatus, { description: "Where it stands." })
  status!: RunStatus;

  @Field(() => String, { description: 'Current step, e.g. "loading", "normal: umap", "writing".' })
  phase!: string;

  @Field(() => Int, { description: "Items done in the current phase." })
  done!: number;

  @Field(() => Int, { description: "Items in the current phase; 0 when unknown." })
  total!: number;

  @Field(() => Float, { description: "Items per second over the current phase." })
  rate!: number;

  @Field(() => Float, { nullable: true, description: "Seconds left at the current rate; null when unknown." })
  etaSeconds!: number | null;

  @Field(() => Int, { description: "How many times a worker has started it (a dead worker's job is retried)." })
  attempts!: number;

  @Field(() => Boolean, { description: "Cancellation was asked for; the job stops at its next step." })
  cancelRequested!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it failed, as "CODE: message".' })
  error!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "What it produced, when it SUCCEEDED (ids, counts, hash)." })
  result!: unknown;

  @Field(() => Date, { description: "When it was queued." })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "When a worker first started it." })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When it ended." })
  finishedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "Last sign of life from its worker." })
  heartbeatAt!: Date | null;

  dbId!: number;
  consortiumId!: number;
  /** Set on a shard: the job it is part of (jobs/shards.ts). */
  parentId!: number | null;

  static from(row: Row): Job {
    const job = fromRow(Job, "Job", row);
    job.etaSeconds = row.rate > 0 && row.total > 0 && row.status === "RUNNING" ? Math.max(0, (row.total - row.done) / row.rate) : null;
    return job;
  }
}

@ObjectType({ description: "A page of jobs." })
export class JobConnection extends Connection(Job) {}

@ObjectType({ description: "One progress event of a job (see PROTOCOL.md, jobProgress)." })
export class JobProgressEvent {
  @Field(() => Int, { description: "Sequence number: pass the last one you saw as afterSeq when you reconnect." })
  seq!: number;

  @Field(() => ID, { description: "The job." })
  jobId!: string;

  @Field(() => JobKind)
  kind!: JobKind;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => String)
  phase!: string;

  @Field(() => Int)
  done!: number;

  @Field(() => Int)
  total!: number;

  @Field(() => Float, { description: "Items per second over the current phase." })
  rate!: number;

  @Field(() => Float, { nullable: true, description: "Seconds left at the current rate." })
  etaSeconds!: number | null;

  @Field(() => Int, { description: "Attempt number (a re-queued job starts again at its checkpoint)." })
  attempt!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "Partial results so far (e.g. vectors written, classes analysed)." })
  partial!: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: "The result, on the final SUCCEEDED event." })
  result!: unknown;

  @Field(() => Boolean, { description: "The last event: the subscription completes after it." })
  final!: boolean;

  static from(seq: number, e: JobEvent): JobProgressEvent {
    return Object.assign(new JobProgressEvent(), { ...e, seq, jobId: toGlobalId("Job", e.jobId) });
  }
}

export enum JobActivityKind {
  CREATED = "CREATED",
  UPDATED = "UPDATED",
}
registerEnumType(JobActivityKind, {
  name: "JobActivityKind",
  description: "What a jobActivity event announces: a new job, or a job whose status or phase changed.",
});

@ObjectType({ description: "A job of the consortium was created, or its status or phase changed (jobActivity)." })
export class JobActivityEvent {
  @Field(() => Int, { description: "Sequence number: pass the last one you saw as afterSeq when you reconnect." })
  seq!: number;

  @Field(() => JobActivityKind)
  kind!: JobActivityKind;

  @Field(() => ID, { description: "The job." })
  jobId!: string;

  @Field(() => RunStatus, { description: "Its status when the event was published (job.status is as it is at delivery)." })
  status!: RunStatus;

  /** The job's row id, for the `job` field (read on delivery). */
  jobDbId!: number;

  static from(seq: number, a: JobAnnouncement): JobActivityEvent {
    return Object.assign(new JobActivityEvent(), {
      seq,
      kind: a.kind === "CREATED" ? JobActivityKind.CREATED : JobActivityKind.UPDATED,
      jobId: toGlobalId("Job", a.jobId),
      status: a.status as RunStatus,
      jobDbId: a.jobId,
    });
  }
}
