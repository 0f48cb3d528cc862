import type { ConfounderAnalysis as AnalysisRow, EmbeddingSet as SetRow, Job as Row, SelectionRun as RunRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { auditSql } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { byId, byKey, groupedBy } from "../../graphql/loaders.js";
import { connectionFromArray, paginate, type ConnectionArgs, type ConnectionShape } from "../../graphql/connection.js";
import type { JobKind, RunStatus } from "./job.enums.js";
import { Channel, pump, topics } from "../../events/index.js";
import type { JobAnnouncement, JobEvent } from "../../jobs/index.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { flagShardsCancelled } from "../../jobs/enqueue.js";
import { Job, JobActivityEvent, JobProgressEvent } from "./job.type.js";

export function jobLoader(ctx: Context) {
  return ctx.loader("jobById", () => byId<Row>((ids) => ctx.prisma.job.findMany({ where: { id: { in: ids } } })));
}

/**
 * jobCancel: asks a QUEUED or RUNNING job of any kind to stop. Only the flag is set here; the runner
 * acts on it (a queued job is CANCELLED when claimed, with its run, analysis or set; a running one
 * stops at its next step and rolls back what it had not committed), so every kind ends the same way
 * as selectionRunCancel's runs. CURATOR.
 */
export async function cancelJob(ctx: Context, globalId: string): Promise<Job> {
  const id = decodeId(globalId, "Job", ["jobId"]);
  const row = await jobLoader(ctx).load(id);
  await requireRole(ctx, row?.consortiumId, "CURATOR", ["jobId"], "job");
  const updated = await ctx.app.store.transaction(async (sql) => {
    const r = await sql.query<{ id: number }>(
      `UPDATE "Job" SET "cancelRequested" = true WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
      [id],
    );
    if (r.rows.length) {
      await flagShardsCancelled(sql, id); // a sharded job's shards stop with it
      await auditSql(sql, ctx, "jobCancel", { type: "Job", id, consortiumId: row!.consortiumId }, { kind: row!.kind });
    }
    return r.rows.length > 0;
  });
  const now = await ctx.prisma.job.findUniqueOrThrow({ where: { id } });
  if (!updated) throw new AppError("INVALID_STATE", `only a QUEUED or RUNNING job can be cancelled; this one is ${now.status}`, ["jobId"]);
  return Job.from(now);
}

/** A sharded job's shards (jobs/shards.ts), in the order they were made. */
export function shardsOfJob(ctx: Context) {
  return ctx.loader("shardsByJob", () =>
    groupedBy<number, Row>((ids) => ctx.prisma.job.findMany({ where: { parentId: { in: [...ids] } }, orderBy: { id: "asc" } }), (row) => row.parentId!),
  );
}

export async function visibleJob(ctx: Context, id: number): Promise<Job | null> {
  const row = await jobLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return Job.from(row);
}

/**
 * A page of the consortium's jobs, newest first (createdAt, then id: stable under ties), filtered by status
 * and kind; top-level jobs only unless `shards` (a sharded job's parts are its `shards` field, and its own
 * row carries their summed progress). Someone who is not a member gets an empty page, like any hidden list.
 */
export async function jobsOfConsortium(
  ctx: Context,
  consortiumId: number,
  args: ConnectionArgs & { status?: RunStatus[] | null; kind?: JobKind[] | null; shards?: boolean | null },
): Promise<ConnectionShape<Job>> {
  if (!(await canRead(ctx, consortiumId))) return connectionFromArray<Job>([], args, (job) => job.dbId);
  return paginate({
    args,
    where: {
      consortiumId,
      ...(args.shards ? {} : { parentId: null }),
      ...(args.status ? { status: { in: args.status } } : {}),
      ...(args.kind ? { kind: { in: args.kind } } : {}),
    },
    order: [
      ["createdAt", "desc"],
      ["id", "desc"],
    ],
    findMany: (q) => ctx.prisma.job.findMany(q),
    count: (where) => ctx.prisma.job.count({ where }),
    map: Job.from,
  });
}

// What a job computes: the run, analysis or embedding set whose jobId it is (at most one of them).
export function runOfJob(ctx: Context) {
  return ctx.loader("selectionRunByJob", () =>
    byKey<number, RunRow>((ids) => ctx.prisma.selectionRun.findMany({ where: { jobId: { in: [...ids] } } }), (row) => row.jobId!),
  );
}

export function analysisOfJob(ctx: Context) {
  return ctx.loader("analysisByJob", () =>
    byKey<number, AnalysisRow>((ids) => ctx.prisma.confounderAnalysis.findMany({ where: { jobId: { in: [...ids] } } }), (row) => row.jobId!),
  );
}

export function embeddingSetOfJob(ctx: Context) {
  return ctx.loader("embeddingSetByJob", () =>
    byKey<number, SetRow>((ids) => ctx.prisma.embeddingSet.findMany({ where: { jobId: { in: [...ids] } } }), (row) => row.jobId!),
  );
}

function snapshotOf(row: Row): JobEvent {
  const final = ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status);
  return {
    jobId: row.id,
    consortiumId: row.consortiumId,
    kind: row.kind,
    status: row.status,
    phase: row.phase,
    done: row.done,
    total: row.total,
    rate: row.rate,
    etaSeconds: row.rate > 0 && row.total > 0 ? Math.max(0, (row.total - row.done) / row.rate) : null,
    attempt: row.attempts,
    error: row.error,
    partial: null,
    result: (row.result ?? null) as Record<string, unknown> | null,
    final,
  };
}

/**
 * A sharded job's events carry every shard's state in partial.shards (jobs/shards.ts); a client gets that
 * list only when it asks (jobProgress shards: true), the summed progress and counts always.
 */
function withoutShardList(e: JobEvent): JobEvent {
  if (!e.partial || !("shards" in e.partial)) return e;
  const { shards: _list, ...partial } = e.partial;
  return { ...e, partial };
}

/**
 * jobProgress: with afterSeq, replays stored events after it, then live ones; without, starts with a
 * snapshot of the Job row (seq = the topic's latest) so a client never has to query first. Every event
 * is re-authorized; the stream completes after the final event.
 */
export async function jobProgressStream(ctx: Context, jobId: number | null, afterSeq: number | null, shards = false): Promise<AsyncIterable<JobProgressEvent>> {
  const channel = new Channel<JobProgressEvent>();
  const viewer = ctx.viewer;
  const row = jobId === null ? null : await ctx.prisma.job.findUnique({ where: { id: jobId } });
  if (!row || !viewer || !(await canRead(ctx, row.consortiumId))) {
    channel.end(); // missing and forbidden look the same: an empty stream
    return channel;
  }
  const runtime = runtimeOf(ctx.app);
  const topic = topics.job(row.id);
  const who = { userId: viewer.userId, tokenId: viewer.token?.id ?? null, sessionId: viewer.sessionId };
  let from = afterSeq ?? undefined;
  if (afterSeq === null) {
    const head = await ctx.app.store.sql.query<{ seq: number | null }>(`SELECT max(id) AS seq FROM "StreamEvent" WHERE topic = $1`, [topic]);
    const seq = Number(head.rows[0]?.seq ?? 0);
    const snap = snapshotOf(row);
    channel.push(JobProgressEvent.from(seq, snap));
    if (snap.final) {
      channel.end();
      return channel;
    }
    from = seq;
  }
  // Revocation ends the stream within a second even while no event arrives.
  channel.onClose(runtime.authorizer.watch(who, row.consortiumId, () => channel.end()));
    pump(channel, runtime.bus.subscribe<JobEvent>(topic, { afterSeq: from }), async (event) => {
    if (!(await runtime.authorizer.allows(who, event.payload.consortiumId))) return "end";
    return { value: JobProgressEvent.from(event.seq, shards ? event.payload : withoutShardList(event.payload)), end: event.payload.final };
  });
  return channel;
}

/**
 * jobActivity: the consortium's jobs as they are created and change status or phase (shard jobs only
 * with `shards`). Without afterSeq
 * it starts now (a client reads the list first and refetches it once after a reconnect); with it, stored
 * events after that seq come first. Checked like Consortium.jobs (any member) when it starts, then every
 * event is re-authorized and a revoked member's stream ends within a second; a stranger's ends at once,
 * empty, as a missing consortium's does.
 */
export async function jobActivityStream(ctx: Context, consortiumId: number | null, afterSeq: number | null, shards = false): Promise<AsyncIterable<JobActivityEvent>> {
  const channel = new Channel<JobActivityEvent>();
  const viewer = ctx.viewer;
  if (consortiumId === null || !viewer || !(await canRead(ctx, consortiumId))) {
    channel.end();
    return channel;
  }
  const runtime = runtimeOf(ctx.app);
  const who = { userId: viewer.userId, tokenId: viewer.token?.id ?? null, sessionId: viewer.sessionId };
  channel.onClose(runtime.authorizer.watch(who, consortiumId, () => channel.end()));
  pump(channel, runtime.bus.subscribe<JobAnnouncement>(topics.consortiumJobs(consortiumId), { afterSeq: afterSeq ?? undefined }), async (event) => {
    if (!(await runtime.authorizer.allows(who, event.payload.consortiumId))) return "end";
    // A shard's changes show in its parent's progress; lists that want the shards themselves ask.
    if (!shards && event.payload.parentId != null) return "skip";
    return { value: JobActivityEvent.from(event.seq, event.payload) };
  });
  return channel;
}
