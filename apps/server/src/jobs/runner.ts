// Runs one Job row to its end, whatever queue delivered it. Owns the job's lifecycle:
//   claim (QUEUED → RUNNING, attempts + 1)  →  handler.run(ctx)  →  SUCCEEDED | FAILED | CANCELLED
// The attempt number fences every write: a worker presumed dead whose job was re-queued and claimed
// again finds its updates matching no row and stops (LeaseLostError) without writing anything.
import { NOW_UTC, type JobKind, type RunStatus, type SqlClient, type Store } from "@stratum/db";
import { topics, type EventBus } from "../events/index.js";
import {
  JobCancelledError,
  JobInputError,
  LeaseLostError,
  type JobContext,
  type JobEvent,
  type JobHandler,
  type JobRecord,
} from "./types.js";
import { resolveThreads } from "@stratum/engine/threads";
import { loadConfig, type ServerConfig } from "../env.js";
import { storageOf, type StorageConfig } from "../storage/resolve-uri.js";
import { cancelShards, runShards, type RunShardsOptions, type ShardApi, type ShardSpec } from "./shards.js";
import { announceJob } from "./announce.js";

export interface RunnerOptions {
  /** Least time between two progress writes/events of one job. */
  progressIntervalMs?: number;
  /** How often a running job proves it is alive. */
  heartbeatMs?: number;
  /** Where jobs may read sample files (storage/resolve-uri.ts); default: from the environment. */
  storage?: StorageConfig;
  /** Engine threads per job (ctx.threads), 1..64; default: STRATUM_THREADS, else the cores available. */
  threads?: number;
  /** Rows at or above which handlers shard their work (ctx.shards.minRows); default: see createJobSystem. */
  shardMinRows?: number;
  /** Rows per shard of handlers that split by row range (ctx.shards.rows); default: half of shardMinRows. */
  shardRows?: number;
  /** How often a parent looks at its shards while other workers run them. */
  shardPollMs?: number;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 100; // 0.1 s: at most 10 progress events per second per job
const DEFAULT_HEARTBEAT_MS = 5_000; // 5 s

export type RunOutcome = "SUCCEEDED" | "FAILED" | "CANCELLED" | "SKIPPED" | "LOST";

interface JobRow {
  id: number;
  consortiumId: number;
  kind: JobKind;
  status: RunStatus;
  payload: Record<string, unknown>;
  checkpoint: unknown;
  attempts: number;
  cancelRequested: boolean;
  createdById: number | null;
  parentId: number | null;
}

export class JobRunner {
  private readonly handlers = new Map<JobKind, JobHandler>();
  private readonly progressIntervalMs: number;
  private readonly heartbeatMs: number;
  readonly storage: StorageConfig;
  readonly threads: number;
  shardMinRows: number;
  shardRows: number;
  readonly shardPollMs: number;
  /** Set by createJobSystem: where a parent hands its shards (pg-boss: to every worker). */
  enqueue: ((jobId: number) => Promise<void>) | undefined;

  constructor(
    readonly store: Store,
    readonly bus: EventBus,
    handlers: JobHandler[],
    options: RunnerOptions = {},
  ) {
    for (const h of handlers) this.handlers.set(h.kind, h);
    this.progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    let config: ServerConfig | undefined;
    const env = () => (config ??= loadConfig()); // read once, and only for what the options leave unset
    this.storage = options.storage ?? storageOf(env());
    // An out-of-range option is a programming error: EngineInputError BAD_THREADS naming "threads".
    this.threads = resolveThreads(options.threads ?? env().threads);
    this.shardMinRows = options.shardMinRows ?? Number.POSITIVE_INFINITY;
    this.shardRows = options.shardRows ?? Math.max(1, Math.ceil(this.shardMinRows / 2));
    this.shardPollMs = options.shardPollMs ?? 500;
  }

  kinds(): JobKind[] {
    return [...this.handlers.keys()];
  }

  /** Jobs this process is running now (the reaper leaves them alone: see reapStaleJobs). */
  readonly running = new Set<number>();

  /** Claims and runs the job; never throws for the job's own failures (they end in the row). */
  async run(jobId: number): Promise<RunOutcome> {
    const claimed = await this.claim(jobId);
    if (claimed === "SKIPPED" || claimed === "CANCELLED") return claimed;
    const { job, handler } = claimed;
    const execution = new Execution(this, job, handler, this.progressIntervalMs, this.heartbeatMs);
    this.running.add(jobId);
    try {
      return await execution.run();
    } finally {
      this.running.delete(jobId);
    }
  }

  private async claim(jobId: number): Promise<"SKIPPED" | "CANCELLED" | { job: JobRecord; handler: JobHandler }> {
    let cancelledJob: JobRecord | undefined;
    const result = await this.store.transaction(async (sql) => {
      const r = await sql.query<JobRow>(`SELECT * FROM "Job" WHERE id = $1 FOR UPDATE`, [jobId]);
      const row = r.rows[0];
      if (!row || row.status !== "QUEUED") return "SKIPPED" as const;
      const handler = this.handlers.get(row.kind);
      const job = toRecord(row, row.attempts);
      if (row.cancelRequested) {
        await sql.query(
          `UPDATE "Job" SET status = 'CANCELLED', phase = 'cancelled', "finishedAt" = ${NOW_UTC} WHERE id = $1`,
          [jobId],
        );
        await handler?.onEnd?.(sql, job, "CANCELLED", null);
        cancelledJob = job;
        return "CANCELLED" as const;
      }
      if (!handler) return "SKIPPED" as const; // this process does not run that kind; another will
      await sql.query(
        `UPDATE "Job" SET status = 'RUNNING', attempts = attempts + 1, phase = 'starting', error = NULL,
           "startedAt" = coalesce("startedAt", ${NOW_UTC}), "heartbeatAt" = ${NOW_UTC} WHERE id = $1`,
        [jobId],
      );
      const claimedJob = toRecord(row, row.attempts + 1);
      await handler.onStart?.(sql, claimedJob);
      return { job: claimedJob, handler };
    });
    if (cancelledJob) await this.publish(cancelledJob, { status: "CANCELLED", phase: "cancelled", final: true });
    return result;
  }

  /**
   * Publishes one job event; failures to publish never fail the job (the row is the truth). With
   * `announce` (status or phase changed) the consortium's job topic hears of it too.
   */
  async publish(job: JobRecord, fields: Partial<JobEvent>, announce = true): Promise<void> {
    const event: JobEvent = {
      jobId: job.id,
      consortiumId: job.consortiumId,
      kind: job.kind,
      status: "RUNNING",
      phase: "",
      done: 0,
      total: 0,
      rate: 0,
      etaSeconds: null,
      attempt: job.attempt,
      error: null,
      partial: null,
      result: null,
      final: false,
      ...fields,
    };
    try {
      await this.bus.publish(topics.job(job.id), event);
    } catch (error) {
      console.error(`jobs: could not publish event for job ${job.id}: ${(error as Error).message}`);
    }
    if (announce) await announceJob(this.bus, { jobId: job.id, consortiumId: job.consortiumId, kind: "UPDATED", status: event.status, parentId: job.parentId });
  }
}

function toRecord(row: JobRow, attempt: number): JobRecord {
  return {
    id: row.id,
    consortiumId: row.consortiumId,
    kind: row.kind,
    status: row.status,
    payload: (row.payload ?? {}) as Record<string, unknown>,
    checkpoint: row.checkpoint ?? null,
    attempt,
    createdById: row.createdById,
    parentId: row.parentId ?? null,
  };
}

/** One attempt of one job. */
class Execution implements JobContext {
  readonly store: Store;
  readonly bus: EventBus;
  readonly storage: StorageConfig;
  readonly threads: number;
  private readonly controller = new AbortController();
  private phase = "starting";
  private done = 0;
  private total = 0;
  private partial: Record<string, unknown> | null = null;
  private phaseStartedAt = Date.now();
  private phaseStartDone = 0;
  private lastWriteAt = 0;
  private writing: Promise<void> | undefined;
  private writeAgain = false;
  private publishChain: Promise<void> = Promise.resolve();
  /** status|phase of the last event announced on the consortium's job topic. */
  private announced = "";
  private cancelSeen = false;
  private leaseLost = false;
  private committed = false;
  /** The result marked SUCCEEDED inside the handler's own transaction; final once the handler returns. */
  private committedWithin: Record<string, unknown> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly runner: JobRunner,
    readonly job: JobRecord,
    private readonly handler: JobHandler,
    private readonly progressIntervalMs: number,
    private readonly heartbeatMs: number,
  ) {
    this.store = runner.store;
    this.bus = runner.bus;
    this.storage = runner.storage;
    this.threads = runner.threads;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get shards(): ShardApi {
    const key = this.job.parentId !== null && typeof this.job.payload.shard === "string" ? this.job.payload.shard : null;
    return {
      minRows: this.runner.shardMinRows,
      rows: this.runner.shardRows,
      key,
      run: (specs: ShardSpec[], options?: RunShardsOptions) =>
        runShards(
          {
            store: this.store,
            job: this.job,
            enqueue: async (id) => {
              await this.runner.enqueue?.(id);
            },
            runHere: async (id) => (await this.runner.run(id)) !== "SKIPPED",
            progress: (phase, done, total, partial) => this.progress(phase, done, total, partial),
            step: () => this.step(),
            pollMs: this.runner.shardPollMs,
          },
          specs,
          options,
        ),
      commitOutput: async (data: Uint8Array, result: Record<string, unknown> = {}) => {
        if (key === null) throw new Error(`job ${this.job.id} is not a shard; commitOutput is for shards`);
        await this.commit(async (tx) => {
          await tx.query(
            `INSERT INTO "JobShardOutput" ("jobId", data) VALUES ($1, $2) ON CONFLICT ("jobId") DO UPDATE SET data = EXCLUDED.data`,
            [this.job.id, data],
          );
          return { shard: key, bytes: data.byteLength, ...result };
        });
      },
    };
  }

  async run(): Promise<RunOutcome> {
    this.queuePublish({ status: "RUNNING", phase: "starting" });
    this.heartbeat = setInterval(() => void this.write(undefined).catch(() => undefined), this.heartbeatMs);
    this.heartbeat.unref();
    try {
      await this.handler.run(this);
      // The handler's transaction, which marked the job, has committed: progress writes waiting on it
      // go out, then the final event.
      if (!this.committed && this.committedWithin) {
        await this.writing?.catch(() => undefined);
        this.finishCommit(this.committedWithin);
      }
      if (!this.committed) throw new Error(`handler for ${this.job.kind} returned without committing its result`);
      return "SUCCEEDED";
    } catch (error) {
      if (error instanceof LeaseLostError || this.leaseLost) {
        console.error(`jobs: job ${this.job.id} attempt ${this.job.attempt} lost its lease; stopping without writing`);
        return "LOST";
      }
      const cancelled = error instanceof JobCancelledError || this.cancelSeen;
      const message = cancelled ? null : describe(error);
      if (!cancelled && !(error instanceof JobInputError) && !INPUT_ERRORS.has((error as Error)?.name)) console.error(`jobs: job ${this.job.id} (${this.job.kind}) failed`, error);
      return this.end(cancelled ? "CANCELLED" : "FAILED", message);
    } finally {
      clearInterval(this.heartbeat);
      await this.writing?.catch(() => undefined);
      await this.publishChain;
    }
  }

  progress(phase: string, done: number, total: number, partial?: Record<string, unknown>): void {
    const now = Date.now();
    const phaseChanged = phase !== this.phase;
    if (phaseChanged) {
      this.phase = phase;
      this.phaseStartedAt = now;
      this.phaseStartDone = done;
    }
    this.done = done;
    this.total = total;
    if (partial) this.partial = partial;
    if (phaseChanged || now - this.lastWriteAt >= this.progressIntervalMs) void this.write(undefined).catch(() => undefined);
  }

  async step(checkpoint?: unknown): Promise<void> {
    if (checkpoint !== undefined || Date.now() - this.lastWriteAt >= this.progressIntervalMs) {
      await this.write(checkpoint);
    }
    this.throwIfStopped();
  }

  private throwIfStopped(): void {
    if (this.leaseLost) throw new LeaseLostError(`job ${this.job.id}: another worker owns attempt > ${this.job.attempt}`);
    if (this.cancelSeen) throw new JobCancelledError(`job ${this.job.id} was cancelled`);
  }

  /** Writes progress (and the checkpoint) to the row, learns about cancellation, publishes an event. */
  private async write(checkpoint: unknown): Promise<void> {
    if (this.writing) {
      if (checkpoint === undefined) {
        this.writeAgain = true;
        return this.writing;
      }
      await this.writing.catch(() => undefined);
    }
    this.writing = this.doWrite(checkpoint).finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    if (this.writeAgain) {
      this.writeAgain = false;
      await this.write(undefined);
    }
  }

  private async doWrite(checkpoint: unknown): Promise<void> {
    if (this.committed || this.leaseLost) return;
    this.lastWriteAt = Date.now();
    const snapshot = { phase: this.phase, done: this.done, total: this.total, rate: this.rate(), partial: this.partial };
    const params: unknown[] = [this.job.id, this.job.attempt, snapshot.phase, snapshot.done, snapshot.total, snapshot.rate];
    let setCheckpoint = "";
    if (checkpoint !== undefined) {
      params.push(JSON.stringify(checkpoint));
      setCheckpoint = `, checkpoint = $7::jsonb`;
    }
    const r = await this.store.sql.query<{ cancelRequested: boolean }>(
      `UPDATE "Job" SET phase = $3, done = $4, total = $5, rate = $6, "heartbeatAt" = ${NOW_UTC}${setCheckpoint}
       WHERE id = $1 AND attempts = $2 AND status = 'RUNNING' RETURNING "cancelRequested"`,
      params,
    );
    const row = r.rows[0];
    if (!row) {
      // With committedWithin the handler's own transaction marked the job SUCCEEDED (on PGlite this write
      // waited for it): ours, not lost, and its progress still goes out, unless the final event has.
      if (this.committedWithin) {
        if (this.committed) return;
      } else {
        this.leaseLost = true;
        this.controller.abort(new LeaseLostError("lease lost"));
        return;
      }
    } else if (row.cancelRequested && !this.cancelSeen) {
      this.cancelSeen = true;
      this.controller.abort(new JobCancelledError("cancelled"));
    }
    this.queuePublish({
      status: "RUNNING",
      phase: snapshot.phase,
      done: snapshot.done,
      total: snapshot.total,
      rate: snapshot.rate,
      etaSeconds: eta(snapshot.done, snapshot.total, snapshot.rate),
      partial: snapshot.partial,
    });
  }

  private rate(): number {
    const seconds = (Date.now() - this.phaseStartedAt) / 1000;
    if (seconds <= 0) return 0;
    return Math.max(0, (this.done - this.phaseStartDone) / seconds);
  }

  private queuePublish(fields: Partial<JobEvent>): void {
    // Lists hear of a job when its status or phase changes (a few times per job), not at every
    // progress step (up to 10 a second): those stay on the job's own topic.
    const key = `${fields.status ?? ""}|${fields.phase ?? ""}`;
    const announce = key !== this.announced;
    this.announced = key;
    this.publishChain = this.publishChain.then(() => this.runner.publish(this.job, fields, announce));
  }

  async commit<T extends Record<string, unknown>>(fn: (sql: SqlClient) => Promise<T>, within?: SqlClient): Promise<T> {
    if (within) {
      // Not waiting for progress writes: on PGlite they queue behind the transaction we are inside.
      this.throwIfStopped();
      const value = await this.markSucceeded(within, fn);
      this.committedWithin = value;
      return value;
    }
    await this.writing?.catch(() => undefined);
    this.throwIfStopped();
    const result = await this.store.transaction((sql) => this.markSucceeded(sql, fn));
    this.finishCommit(result);
    return result;
  }

  /** In `sql`'s transaction: checks the job is still ours and not cancelled (row lock), runs fn, marks it SUCCEEDED. */
  private async markSucceeded<T extends Record<string, unknown>>(sql: SqlClient, fn: (sql: SqlClient) => Promise<T>): Promise<T> {
    const r = await sql.query<{ status: RunStatus; attempts: number; cancelRequested: boolean }>(
      `SELECT status, attempts, "cancelRequested" FROM "Job" WHERE id = $1 FOR UPDATE`,
      [this.job.id],
    );
    const row = r.rows[0];
    if (!row || row.attempts !== this.job.attempt || row.status !== "RUNNING") {
      this.leaseLost = true;
      throw new LeaseLostError(`job ${this.job.id}: not ours to commit (attempt ${this.job.attempt})`);
    }
    if (row.cancelRequested) {
      this.cancelSeen = true;
      throw new JobCancelledError(`job ${this.job.id} was cancelled`);
    }
    const value = await fn(sql);
    await sql.query(
      `UPDATE "Job" SET status = 'SUCCEEDED', phase = 'done', done = greatest(done, total), result = $2::jsonb,
         "finishedAt" = ${NOW_UTC}, "heartbeatAt" = ${NOW_UTC}, error = NULL WHERE id = $1`,
      [this.job.id, JSON.stringify(value)],
    );
    return value;
  }

  private finishCommit(result: Record<string, unknown>): void {
    this.committed = true;
    this.queuePublish({
      status: "SUCCEEDED",
      phase: "done",
      done: Math.max(this.done, this.total),
      total: this.total,
      rate: this.rate(),
      etaSeconds: 0,
      partial: this.partial,
      result,
      final: true,
    });
  }

  private async end(status: "FAILED" | "CANCELLED", error: string | null): Promise<RunOutcome> {
    await this.writing?.catch(() => undefined);
    const ended = await this.store.transaction(async (sql) => {
      const r = await sql.query(
        `UPDATE "Job" SET status = $3, phase = $4, error = $5, "finishedAt" = ${NOW_UTC}, "heartbeatAt" = ${NOW_UTC}
         WHERE id = $1 AND attempts = $2 AND status = 'RUNNING' RETURNING id`,
        [this.job.id, this.job.attempt, status, status === "FAILED" ? "failed" : "cancelled", error],
      );
      if (!r.rows[0]) return false;
      await cancelShards(sql, this.job.id);
      await this.handler.onEnd?.(sql, this.job, status, error);
      return true;
    });
    if (!ended) return "LOST";
    this.queuePublish({ status, phase: status === "FAILED" ? "failed" : "cancelled", done: this.done, total: this.total, error, final: true });
    return status;
  }
}

function eta(done: number, total: number, rate: number): number | null {
  if (!(rate > 0) || total <= 0) return null;
  return Math.max(0, (total - done) / rate);
}

/** Errors about a job's input (not faults): reported as "CODE: message", not logged as crashes. */
const INPUT_ERRORS = new Set(["EngineInputError", "EmbeddingMatrixError"]);

function describe(error: unknown): string {
  if (error instanceof JobInputError) return `${error.code}: ${error.message}`;
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  if (e && typeof e.code === "string" && typeof e.message === "string" && INPUT_ERRORS.has(e.name as string)) {
    return `${e.code}: ${e.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
