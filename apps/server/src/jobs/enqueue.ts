// The one door from services (modules/) into the job system: write the Job row inside the service's
// own transaction (with its audit row), hand the id to the queue after commit, ask a job to stop.
// It imports no handler and no queue adapter, so a service that enqueues pulls in nothing that
// imports services back.
import type { Store } from "@stratum/db";
import type { EventBus } from "../events/index.js";
import { announceJob } from "./announce.js";
import type { JobQueue } from "./types.js";

export { createJob, flagShardsCancelled, requestCancel, type CreateJobInput } from "./job-rows.js";

/** The part of the queue a service uses. */
export type JobEnqueuer = Pick<JobQueue, "enqueue">;

/** The app's queue (ctx.app), set up by src/live.ts; a clear fault when the app runs without one. */
export function enqueuerOf(app: { extras: Record<string, unknown> }): JobEnqueuer {
  const runtime = app.extras.runtime as { jobs?: { queue?: JobEnqueuer } } | undefined;
  const queue = runtime?.jobs?.queue;
  if (!queue) throw new Error("job queue missing: createApp({ store, ...liveAppOptions(await createRuntime(store)) }) (src/live.ts)");
  return queue;
}

/**
 * After the transaction that created it has committed: the job may start now. Announces it on the
 * consortium's job topic first (one primary-key read for its consortium), so lists show it at once.
 */
export async function enqueueJob(app: { extras: Record<string, unknown>; store: Store }, jobId: number): Promise<void> {
  const queue = enqueuerOf(app);
  const bus = (app.extras.runtime as { bus?: EventBus } | undefined)?.bus;
  const row = bus ? await app.store.prisma.job.findUnique({ where: { id: jobId }, select: { consortiumId: true, status: true } }) : null;
  if (bus && row) await announceJob(bus, { jobId, consortiumId: row.consortiumId, kind: "CREATED", status: row.status });
  await queue.enqueue(jobId);
}
