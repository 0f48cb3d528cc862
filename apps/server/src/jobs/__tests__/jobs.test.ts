import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createEventBus, topics, type BusEvent, type EventBus } from "../../events/index.js";
import {
  createJobSystem,
  JobRunner,
  reapStaleJobs,
  requestCancel,
  type JobContext,
  type JobEvent,
  type JobHandler,
  type JobSystem,
} from "../index.js";
import { selectHandler } from "../handlers/index.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";
import { waitJob } from "../../test/harness.js";

let store: Store;
let bus: EventBus;
let jobs: JobSystem;
let seeded: SeededDataset;

/** A PROBE-kind stand-in that counts to payload.steps, checkpointing, so runner behaviour can be driven. */
const gate: { release?: () => void; reached?: () => void } = {};
const countingHandler: JobHandler = {
  kind: "PROBE",
  async run(ctx: JobContext) {
    const steps = Number(ctx.job.payload.steps);
    const from = Number((ctx.job.checkpoint as { next?: number } | null)?.next ?? 0);
    for (let i = from; i < steps; i++) {
      if (i === Number(ctx.job.payload.pauseAt)) {
        gate.reached?.();
        await new Promise<void>((resolve) => (gate.release = resolve));
      }
      ctx.progress("counting", i + 1, steps, { last: i });
      await ctx.step({ next: i + 1 });
    }
    await ctx.commit(async (sql) => {
      await sql.query(`UPDATE "Job" SET payload = payload || '{"committed": true}'::jsonb WHERE id = $1`, [ctx.job.id]);
      if (ctx.job.payload.failInCommit) throw new Error("disk full while committing");
      return { counted: steps, resumedFrom: from };
    });
  },
};

/**
 * An IMPORT-kind stand-in that writes in a transaction of its own, as the import does, and commits the
 * job inside it. payload.cancelBefore: a cancel reaches the row before the job is marked (same
 * transaction, so the row lock order is the same as a concurrent cancel's); payload.cancelAfter: a
 * cancel arrives once the handler's transaction has committed. The outcome of that late cancel is kept.
 */
const lateCancels = new Map<number, string>();
const ownTransactionHandler: JobHandler = {
  kind: "IMPORT",
  async run(ctx: JobContext) {
    await ctx.store.transaction(async (sql) => {
      await sql.query(`UPDATE "Job" SET payload = payload || '{"written": true}'::jsonb WHERE id = $1`, [ctx.job.id]);
      if (ctx.job.payload.cancelBefore) await requestCancel(sql, ctx.job.id);
      await ctx.commit(async () => ({ written: true }), sql);
    });
    if (ctx.job.payload.cancelAfter) lateCancels.set(ctx.job.id, await ctx.store.transaction((sql) => requestCancel(sql, ctx.job.id)));
  },
};

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  bus = await createEventBus(store);
  jobs = await createJobSystem(store, bus, { handlers: [selectHandler, countingHandler, ownTransactionHandler], progressIntervalMs: 0 });
  seeded = await seedDataset(store, { n: 120 });
});
afterAll(async () => {
  await jobs?.close();
  await bus?.close();
  await store?.close();
});

const waitForJob = (jobId: number, timeoutMs = 30_000) => waitJob(store, jobId, timeoutMs);

async function collectUntilFinal(sub: AsyncIterator<BusEvent<JobEvent>>): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for (;;) {
    const r = await sub.next();
    if (r.done) return out;
    out.push(r.value.payload);
    if (r.value.payload.final) return out;
  }
}

async function countJob(payload: Record<string, unknown>): Promise<number> {
  const job = await store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "PROBE", payload: payload as object } });
  return job.id;
}

describe(`jobs (${process.env.DATABASE_URL ? "pg-boss" : "in-process"})`, () => {
  it("a SELECT job writes every item, the hash and metrics, and publishes progress up to a final event", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "random", perClass: 10, seed: 3 });
    const sub = bus.subscribe<JobEvent>(topics.job(jobId), { afterSeq: 0 });
    await jobs.queue.enqueue(jobId);
    const events = await collectUntilFinal(sub);
    sub.close();
    const job = await waitForJob(jobId);
    expect(job.status).toBe("SUCCEEDED");
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.manifestHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(20);
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, jobId, consortiumId: seeded.consortiumId });
    expect(events.at(-1)?.result).toMatchObject({ manifestHash: run.manifestHash, items: 20 });
    expect(events.some((e) => e.phase === "loading")).toBe(true);
  });

  it("a reproduction with the same seed gets the same manifest hash and says reproducible", async () => {
    const first = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 5, seed: 9 });
    await jobs.queue.enqueue(first.jobId);
    await waitForJob(first.jobId);
    const again = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 5, seed: 9, parentId: first.runId });
    await jobs.queue.enqueue(again.jobId);
    await waitForJob(again.jobId);
    const [a, b] = await Promise.all([
      store.prisma.selectionRun.findUniqueOrThrow({ where: { id: first.runId } }),
      store.prisma.selectionRun.findUniqueOrThrow({ where: { id: again.runId } }),
    ]);
    expect(b.manifestHash).toBe(a.manifestHash);
    expect(b.reproducible).toBe(true);
  });

  it("an engine input error fails the job and the run with its code, and writes no items", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "confounder-aware", perClass: 5 });
    await jobs.queue.enqueue(jobId);
    const job = await waitForJob(jobId);
    expect(job.status).toBe("FAILED");
    expect(job.error).toMatch(/GROUPS_REQUIRED/);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("FAILED");
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
  });

  it("requestCancel() on a QUEUED job cancels it before it runs", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "random", perClass: 3 });
    await store.transaction((sql) => requestCancel(sql, jobId));
    await jobs.queue.enqueue(jobId);
    await jobs.queue.idle();
    const job = await waitForJob(jobId);
    expect(job.status).toBe("CANCELLED");
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
  });

  it("requestCancel() on a RUNNING job stops it at its next step, with nothing committed", async () => {
    const reached = new Promise<void>((resolve) => (gate.reached = resolve));
    const jobId = await countJob({ steps: 10, pauseAt: 4 });
    await jobs.queue.enqueue(jobId);
    await reached;
    expect(await store.transaction((sql) => requestCancel(sql, jobId))).toBe("REQUESTED");
    gate.release?.();
    const job = await waitForJob(jobId);
    expect(job.status).toBe("CANCELLED");
    expect((job.payload as { committed?: boolean }).committed).toBeUndefined();
    expect(job.done).toBeLessThan(10);
  });

  it("commit(fn, within): the job is marked in the handler's own transaction, so a cancel rolls it all back or comes too late", async () => {
    const job = async (payload: Record<string, unknown>) => {
      const row = await store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "IMPORT", payload: payload as object } });
      const sub = bus.subscribe<JobEvent>(topics.job(row.id), { afterSeq: 0 });
      await jobs.queue.enqueue(row.id);
      const done = await waitForJob(row.id);
      const events = await collectUntilFinal(sub);
      sub.close();
      return { done, final: events.at(-1) };
    };
    const late = await job({ cancelAfter: true });
    expect(lateCancels.get(late.done.id)).toBe("SUCCEEDED");
    expect(late.done).toMatchObject({ status: "SUCCEEDED", cancelRequested: false, result: { written: true } });
    expect((late.done.payload as { written?: boolean }).written).toBe(true);
    expect(late.final).toMatchObject({ status: "SUCCEEDED", final: true, result: { written: true } });

    const early = await job({ cancelBefore: true });
    expect(early.done.status).toBe("CANCELLED");
    expect((early.done.payload as { written?: boolean }).written).toBeUndefined();
    expect(early.final).toMatchObject({ status: "CANCELLED", final: true });
  });

  it("a failure inside commit() rolls back everything the handler wrote", async () => {
    const jobId = await countJob({ steps: 3, failInCommit: true });
    await jobs.queue.enqueue(jobId);
    const job = await waitForJob(jobId);
    expect(job.status).toBe("FAILED");
    expect(job.error).toBe("disk full while committing");
    expect((job.payload as { committed?: boolean }).committed).toBeUndefined();
  });

  it("reapStaleJobs() re-queues a job whose worker died and the next attempt resumes from the checkpoint", async () => {
    // A worker claimed the job (attempt 1), checkpointed at 6 of 10, then died: its heartbeat is old.
    const jobId = await countJob({ steps: 10 });
    await store.sql.query(
      `UPDATE "Job" SET status = 'RUNNING', attempts = 1, checkpoint = '{"next": 6}', done = 6, total = 10,
         "heartbeatAt" = (now() AT TIME ZONE 'utc') - interval '10 minutes' WHERE id = $1`,
      [jobId],
    );
    const runner = new JobRunner(store, bus, [countingHandler]);
    const reaped = await reapStaleJobs(store, runner, new Map([["PROBE", countingHandler]]), { staleMs: 60_000, maxAttempts: 3 });
    expect(reaped.requeued).toContain(jobId);
    // The zombie (attempt 1) can no longer write: its fenced update matches no row.
    const zombie = await store.sql.query(`UPDATE "Job" SET done = 99 WHERE id = $1 AND attempts = 1 AND status = 'RUNNING' RETURNING id`, [jobId]);
    expect(zombie.rows).toHaveLength(0);
    await jobs.queue.enqueue(jobId);
    const job = await waitForJob(jobId);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts).toBe(2);
    expect(job.result).toEqual({ counted: 10, resumedFrom: 6 });
  });

  it("reapStaleJobs() leaves alone a job its own process is running, however late its heartbeat", async () => {
    const reached = new Promise<void>((resolve) => (gate.reached = resolve));
    const jobId = await countJob({ steps: 4, pauseAt: 2 });
    await jobs.queue.enqueue(jobId);
    await reached;
    // As if this process had been too busy to beat: the heartbeat is old, but the job is running here.
    await store.sql.query(`UPDATE "Job" SET "heartbeatAt" = (now() AT TIME ZONE 'utc') - interval '10 minutes' WHERE id = $1`, [jobId]);
    expect(jobs.runner.running.has(jobId)).toBe(true);
    const reaped = await reapStaleJobs(store, jobs.runner, new Map([["PROBE", countingHandler]]), { staleMs: 60_000, maxAttempts: 3 });
    expect(reaped.requeued).not.toContain(jobId);
    // Another process (its own runner, running nothing) does reap it.
    const other = new JobRunner(store, bus, [countingHandler]);
    const byOther = await reapStaleJobs(store, other, new Map([["PROBE", countingHandler]]), { staleMs: 60_000, maxAttempts: 3 });
    expect(byOther.requeued).toContain(jobId);
    gate.release?.(); // attempt 1 goes on, finds its lease gone at its next write and stops
    await jobs.queue.idle();
    expect(jobs.runner.running.has(jobId)).toBe(false);
    const job = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: "QUEUED", attempts: 1, done: 2 }); // nothing written after the reap
    expect(await store.transaction((sql) => requestCancel(sql, jobId))).toBe("CANCELLED");
  });

  it("reapStaleJobs() fails a job cleanly once its attempts are used up, with its run", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "random", perClass: 3 });
    await store.sql.query(
      `UPDATE "Job" SET status = 'RUNNING', attempts = 3, "heartbeatAt" = (now() AT TIME ZONE 'utc') - interval '10 minutes' WHERE id = $1`,
      [jobId],
    );
    await store.sql.query(`UPDATE "SelectionRun" SET status = 'RUNNING' WHERE id = $1`, [runId]);
    const runner = new JobRunner(store, bus, [selectHandler]);
    const reaped = await reapStaleJobs(store, runner, new Map([["SELECT", selectHandler]]), { staleMs: 60_000, maxAttempts: 3 });
    expect(reaped.failed).toContain(jobId);
    const job = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status).toBe("FAILED");
    expect(job.error).toMatch(/WORKER_LOST/);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("FAILED");
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
  });
});
