// The job contract. A Job row is the durable record of long work; a queue (in-process or pg-boss) only
// carries its id. Handlers never see the queue: they get a JobContext and report progress through it.
import type { JobKind, RunStatus, SqlClient, Store } from "@stratum/db";
import type { EventBus } from "../events/index.js";
import type { StorageConfig } from "../storage/resolve-uri.js";
import type { ShardApi } from "./shards.js";

export interface JobRecord {
  id: number;
  consortiumId: number;
  kind: JobKind;
  status: RunStatus;
  payload: Record<string, unknown>;
  checkpoint: unknown;
  /** This execution's attempt number; it fences every write (a stale worker's writes match no row). */
  attempt: number;
  createdById: number | null;
  /** Set on a shard job (jobs/shards.ts): the job it is part of. */
  parentId: number | null;
}

/** The payload of every event on topic `job:<id>` (see PROTOCOL.md). */
export interface JobEvent {
  jobId: number;
  consortiumId: number;
  kind: JobKind;
  status: RunStatus;
  phase: string;
  done: number;
  total: number;
  /** Items per second over the current phase. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
  attempt: number;
  error: string | null;
  /** Handler-specific partial results (e.g. vectors written, classes analysed). */
  partial: Record<string, unknown> | null;
  /** Handler result when SUCCEEDED. */
  result: Record<string, unknown> | null;
  /** True on the last event of the job (SUCCEEDED, FAILED or CANCELLED). */
  final: boolean;
}

/**
 * What a consortium's job topic (topics.consortiumJobs) carries: which job changed, not how. The
 * subscription reads the Job row on delivery, so a client gets the node as it is then and its
 * normalised cache updates the job in every list that holds it.
 */
export interface JobAnnouncement {
  jobId: number;
  consortiumId: number;
  /** CREATED once, when the service that made the row hands it to the queue; UPDATED on each status or phase change. */
  kind: "CREATED" | "UPDATED";
  status: RunStatus;
  /** Set when the job is a shard (jobs/shards.ts): lists leave those out unless they ask for shards. */
  parentId?: number | null;
}

export interface JobContext {
  readonly job: JobRecord;
  readonly store: Store;
  readonly bus: EventBus;
  /** Where this job may read sample files: the server's files folder, uploads and storage grants. */
  readonly storage: StorageConfig;
  /**
   * Engine threads this job may use (STRATUM_THREADS; @stratum/engine/threads). Results do not depend on
   * it: handlers pass it to the engine and never store it with the run.
   */
  readonly threads: number;
  /**
   * Reports progress. Synchronous (engines call it from hot loops); writes to the Job row and
   * publishes at most every `progressIntervalMs`, or at once when the phase changes.
   */
  progress(phase: string, done: number, total: number, partial?: Record<string, unknown>): void;
  /**
   * Flushes progress, saves `checkpoint` (when given) and throws JobCancelledError if cancellation was
   * requested or LeaseLostError if another worker took the job over. Call between batches/steps.
   */
  step(checkpoint?: unknown): Promise<void>;
  /**
   * Runs `fn` in ONE transaction together with marking the job SUCCEEDED, after re-checking that the
   * job is still ours and not cancelled (row lock). Either everything is written or nothing is.
   * A handler whose writes run in a transaction it opened itself (an import) passes that transaction as
   * `within`: the job is marked there, so a cancel cannot land between its data and its status.
   */
  commit<T extends Record<string, unknown>>(fn: (sql: SqlClient) => Promise<T>, within?: SqlClient): Promise<T>;
  /** Aborted when the job is cancelled or its lease is lost; long awaits can listen to it. */
  readonly signal: AbortSignal;
  /** Splitting the job into shards that any worker can take (jobs/shards.ts). */
  readonly shards: ShardApi;
}

export interface JobHandler {
  readonly kind: JobKind;
  /** Does the work; must end with ctx.commit(...). */
  run(ctx: JobContext): Promise<void>;
  /** Marks the domain row (run, analysis, set) RUNNING when an attempt starts. */
  onStart?(sql: SqlClient, job: JobRecord): Promise<void>;
  /** Marks the domain row FAILED or CANCELLED in the same transaction as the Job row. */
  onEnd?(sql: SqlClient, job: JobRecord, status: "FAILED" | "CANCELLED", error: string | null): Promise<void>;
}

export interface JobQueue {
  readonly kind: "in-process" | "pg-boss";
  /** Hands a QUEUED Job row to the queue. Call after the transaction that created the row commits. */
  enqueue(jobId: number): Promise<void>;
  /** Resolves when nothing is running or waiting in this process (in-process queue; tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export class JobCancelledError extends Error {
  override name = "JobCancelledError";
}

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/** An error in the job's inputs (not a crash): the job fails at once, without retries. */
export class JobInputError extends Error {
  override name = "JobInputError";
  constructor(
    readonly code: string,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}
