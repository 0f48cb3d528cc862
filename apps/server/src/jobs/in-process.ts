// In-process queue (embedded default): jobs run inside the API process, `concurrency` at a time, in
// the order they were queued. On start it re-queues orphans of a previous process (every RUNNING job:
// there is no other worker) and picks up QUEUED rows, so a restart resumes where it stopped.
import type { Store } from "@stratum/db";
import { DEFAULT_MAX_ATTEMPTS, queuedJobIds, reapStaleJobs, type ReaperOptions } from "./reaper.js";
import type { JobRunner } from "./runner.js";
import type { JobHandler, JobQueue } from "./types.js";

export interface InProcessQueueOptions extends ReaperOptions {
  /** Jobs run at once (default 1: CPU-bound engine work shares the API's event loop). */
  concurrency?: number;
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = "in-process" as const;
  private readonly waiting: number[] = [];
  private readonly queued = new Set<number>();
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;

  private constructor(
    private readonly store: Store,
    private readonly runner: JobRunner,
    options: InProcessQueueOptions,
  ) {
    this.concurrency = options.concurrency ?? 1;
  }

  static async open(
    store: Store,
    runner: JobRunner,
    handlers: ReadonlyMap<string, JobHandler>,
    options: InProcessQueueOptions = {},
  ): Promise<InProcessJobQueue> {
    const queue = new InProcessJobQueue(store, runner, options);
    await reapStaleJobs(store, runner, handlers as never, { all: true, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
    for (const id of await queuedJobIds(store, runner.kinds())) await queue.enqueue(id);
    return queue;
  }

  async enqueue(jobId: number): Promise<void> {
    if (this.closed) throw new Error(`job queue is closed; job ${jobId} stays QUEUED and runs at the next start`);
    if (this.queued.has(jobId)) return;
    this.queued.add(jobId);
    this.waiting.push(jobId);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.waiting.length > 0) {
      const jobId = this.waiting.shift() as number;
      this.running++;
      // Let the caller's response go out before CPU-bound work starts.
      setImmediate(() => {
        this.runner
          .run(jobId)
          .catch((error: Error) => console.error(`jobs: job ${jobId} crashed the runner`, error))
          .finally(() => {
            this.queued.delete(jobId);
            this.running--;
            this.pump();
            this.checkIdle();
          });
      });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.running === 0 && (this.waiting.length === 0 || this.closed)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking jobs and waits for the running ones; waiting ones stay QUEUED in the table. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await this.idle();
  }
}
