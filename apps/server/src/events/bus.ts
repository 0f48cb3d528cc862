// The event bus behind every subscription. Events are persisted in StreamEvent (id = sequence number)
// before anyone sees them, so a client that reconnects with the last seq it saw gets what it missed.
// The transport (in-process for PGlite, Postgres LISTEN/NOTIFY for several processes) is an adapter
// behind this interface; nothing above src/events knows which one runs.

/** One persisted event as subscribers receive it. */
export interface BusEvent<P = unknown> {
  /** Global, strictly increasing within a topic: StreamEvent.id. */
  readonly seq: number;
  readonly topic: string;
  readonly payload: P;
  /** When it was stored. */
  readonly at: Date;
}

/** An event that is never stored (presence heartbeats): delivered live or not at all. */
export interface EphemeralEvent<P = unknown> {
  readonly topic: string;
  readonly payload: P;
}

export interface SubscribeOptions {
  /**
   * Resume point: deliver every stored event of the topic with seq > afterSeq, then live ones.
   * Undefined: live events only, starting now. 0: the topic's whole retained history.
   */
  afterSeq?: number;
  /** Live events held before the subscriber falls back to reading the table (default 2000). */
  maxQueued?: number;
}

/** An async iterator that releases its resources when `return()` is called (graphql-ws does that). */
export type Subscription<P = unknown> = AsyncIterableIterator<BusEvent<P>> & {
  /** Stops delivery; pending `next()` calls resolve with done. */
  close(): void;
};

export interface EventBus {
  readonly kind: "in-process" | "pg-notify";
  /** Persists then delivers; resolves with the event's sequence number once it is durable. */
  publish<P>(topic: string, payload: P): Promise<number>;
  subscribe<P = unknown>(topic: string, options?: SubscribeOptions): Subscription<P>;
  /** Delivers to live listeners in every process without storing (seq-less). */
  publishEphemeral<P>(topic: string, payload: P): Promise<void>;
  /** Live-only listener for ephemeral events; returns an unsubscribe function. */
  onEphemeral<P = unknown>(topic: string, listener: (payload: P) => void): () => void;
  /** Deletes stored events older than `olderThanMs`; returns how many. */
  prune(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Topic names in one place, so publishers and subscribers cannot drift apart. */
export const topics = {
  job: (jobId: number) => `job:${jobId}`,
  /** A consortium's jobs: one event when a job is created and one each time its status or phase changes. */
  consortiumJobs: (consortiumId: number) => `consortium:${consortiumId}:jobs`,
  review: (runId: number) => `run:${runId}:review`,
  presence: (runId: number) => `presence:run:${runId}`,
} as const;
