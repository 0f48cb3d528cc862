// pg-boss 10 queue (PostgreSQL): `npm run worker` processes on any machine take jobs from one queue;
// the API process can work too. pg-boss only carries {jobId}; it never retries by itself
// (retryLimit 0): the Job row and our heartbeat reaper decide what a dead worker's job becomes.
import PgBoss from "pg-boss";
import type { Store } from "@stratum/db";
import { reapStaleJobs, type ReaperOptions, DEFAULT_STALE_MS } from "./reaper.js";
import { NOW_UTC } from "@stratum/db";
import type { JobRunner } from "./runner.js";
import type { JobHandler, JobQueue } from "./types.js";

export const QUEUE_NAME = "stratum-jobs";
const EXPIRE_SECONDS = 23 * 3600; // 23 h: pg-boss's ceiling is 24 h; our heartbeat detects death far sooner
const POLL_SECONDS = 0.5; // pg-boss's smallest polling interval
const ORPHAN_AFTER_MS = 30_000; // 30 s: a QUEUED row with no pg-boss job this old is sent again

export interface PgBossQueueOptions extends ReaperOptions {
  /** Take jobs in this process (workers: true; an API process: configurable). */
  work: boolean;
  /** Jobs this process runs at once. */
  concurrency?: number;
  /** How often this process looks for dead workers' jobs. */
  reapIntervalMs?: number;
}

export class PgBossJobQueue implements JobQueue {
  readonly kind = "pg-boss" as const;
  private reapTimer: NodeJS.Timeout | undefined;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly store: Store,
    private readonly runner: JobRunner,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly options: PgBossQueueOptions,
  ) {}

  static async open(
    store: Store,
    runner: JobRunner,
    handlers: ReadonlyMap<string, JobHandler>,
    options: PgBossQueueOptions,
  ): Promise<PgBossJobQueue> {
    if (!store.databaseUrl) throw new Error("PgBossJobQueue: expected a PostgreSQL store (DATABASE_URL), got PGlite");
    const boss = new PgBoss({
      connectionString: store.databaseUrl,
      application_name: options.work ? "stratum-worker" : "stratum-api",
      max: 4,
      schedule: false,
      supervise: options.work,
    });
    boss.on("error", (error) => console.error(`jobs: pg-boss: ${error.message}`));
    await boss.start();
    await boss.createQueue(QUEUE_NAME, { name: QUEUE_NAME, retryLimit: 0, expireInSeconds: EXPIRE_SECONDS });
    const queue = new PgBossJobQueue(boss, store, runner, handlers, options);
    if (options.work) await queue.startWorking();
    return queue;
  }

  private async startWorking(): Promise<void> {
    const concurrency = this.options.concurrency ?? 1;
    for (let i = 0; i < concurrency; i++) {
      await this.boss.work<{ jobId: number }>(
        QUEUE_NAME,
        { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS },
        async (jobs) => {
          for (const job of jobs) {
            const jobId = Number(job.data?.jobId);
            if (!Number.isInteger(jobId)) {
              console.error(`jobs: pg-boss job ${job.id}: expected data.jobId to be an integer, got ${JSON.stringify(job.data)}`);
              continue;
            }
            this.active++;
            try {
              await this.runner.run(jobId);
            } finally {
              this.active--;
              if (this.active === 0) this.idleWaiters.splice(0).forEach((w) => w());
            }
          }
        },
      );
    }
    const staleMs = this.options.staleMs ?? DEFAULT_STALE_MS;
    const every = this.options.reapIntervalMs ?? Math.max(1_000, Math.floor(staleMs / 3));
    this.reapTimer = setInterval(() => void this.maintain().catch((e: Error) => console.error(`jobs: reaper: ${e.message}`)), every);
    this.reapTimer.unref();
    await this.maintain();
  }

  /** Re-queues dead workers' jobs and re-sends QUEUED rows whose pg-boss job went missing. */
  async maintain(): Promise<void> {
    if (this.closed) return;
    const { requeued } = await reapStaleJobs(this.store, this.runner, this.handlers as never, this.options);
    for (const id of requeued) await this.enqueue(id);
    const orphans = await this.store.sql.query<{ id: number }>(
      `SELECT j.id FROM "Job" j WHERE j.status = 'QUEUED' AND j."createdAt" < ${NOW_UTC} - make_interval(secs => $1)
         AND NOT EXISTS (SELECT 1 FROM pgboss.job b WHERE b.name = $2 AND b.state < 'completed' AND (b.data->>'jobId')::int = j.id)`,
      [ORPHAN_AFTER_MS / 1000, QUEUE_NAME],
    );
    for (const row of orphans.rows) await this.enqueue(row.id);
  }

  async enqueue(jobId: number): Promise<void> {
    await this.boss.send(QUEUE_NAME, { jobId }, { retryLimit: 0, expireInSeconds: EXPIRE_SECONDS });
  }

  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reapTimer) clearInterval(this.reapTimer);
    // graceful: running handlers finish (their job rows end properly) before the pool closes.
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
