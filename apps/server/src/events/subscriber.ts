// One subscriber's delivery state, shared by every adapter. The stored StreamEvent rows are the truth;
// the live queue only saves a read. When a consumer is slower than its producers and the queue passes
// `maxQueued`, the queue is dropped and the subscriber re-reads from the table from its last seq, so
// memory stays bounded and nothing is lost (backpressure by catch-up, not by dropping).
import type { SqlClient } from "@stratum/db";
import type { BusEvent, SubscribeOptions, Subscription } from "./bus.js";
import * as table from "./store-events.js";

export type ReadSince = (topic: string, afterSeq: number, limit: number) => Promise<BusEvent[]>;
/** The highest stored seq right now (any topic): where a live-only subscription starts. */
export type ReadHead = () => Promise<number>;

export interface SubscriberOptions {
  topic: string;
  afterSeq: number | undefined;
  readSince: ReadSince;
  readHead: ReadHead;
  onClose: (subscriber: Subscriber) => void;
  /** Live events held per subscriber before it switches to reading from the table. */
  maxQueued?: number;
  /** Rows read per catch-up query. */
  catchUpBatch?: number;
}

const DEFAULT_MAX_QUEUED = 2_000; // events
const DEFAULT_CATCH_UP_BATCH = 500; // rows

export class Subscriber implements Subscription {
  readonly topic: string;
  /** The last seq handed to the consumer (or the resume point); unknown (-1) until the first next() when live-only. */
  private lastSeq: number;
  private liveOnly: boolean;
  private pending: BusEvent[] = [];
  private ready: BusEvent[] = [];
  private needCatchUp: boolean;
  private closed = false;
  private waiter: (() => void) | undefined;
  private readonly readSince: ReadSince;
  private readonly readHead: ReadHead;
  private readonly onClose: (s: Subscriber) => void;
  private readonly maxQueued: number;
  private readonly catchUpBatch: number;
  /** Counters for tests and the benchmark. */
  readonly stats = { delivered: 0, catchUps: 0, overflows: 0 };

  constructor(options: SubscriberOptions) {
    this.topic = options.topic;
    this.readSince = options.readSince;
    this.readHead = options.readHead;
    this.onClose = options.onClose;
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.catchUpBatch = options.catchUpBatch ?? DEFAULT_CATCH_UP_BATCH;
    this.liveOnly = options.afterSeq === undefined;
    this.lastSeq = options.afterSeq ?? -1;
    this.needCatchUp = !this.liveOnly;
  }

  /** Called by the adapter for every live event of the topic, in seq order. */
  push(event: BusEvent): void {
    if (this.closed || event.seq <= this.lastSeq) return;
    this.pending.push(event);
    if (this.pending.length > this.maxQueued) {
      if (this.liveOnly) {
        // Resume from just before the oldest event we held: the table still has it.
        const first = this.pending[0] as BusEvent;
        this.lastSeq = first.seq - 1;
        this.liveOnly = false;
      }
      this.pending = [];
      this.needCatchUp = true;
      this.stats.overflows++;
    }
    this.wake();
  }

  /** The adapter lost its live feed (e.g. the LISTEN connection dropped): re-read from the table. */
  resync(): void {
    if (this.closed) return;
    // A live-only subscriber without a resume point yet gets one at its first next().
    if (!this.liveOnly) this.needCatchUp = true;
    this.wake();
  }

  async next(): Promise<IteratorResult<BusEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      if (this.liveOnly) {
        // "From now": everything stored before the head is history; everything pushed since we
        // registered (pending) is live, even if it was stored before we read the head.
        const head = await this.readHead();
        if (this.liveOnly) {
          const first = this.pending[0];
          this.lastSeq = first ? Math.min(head, first.seq - 1) : head;
          this.liveOnly = false;
        }
        continue;
      }
      const fromTable = this.ready.shift();
      if (fromTable) return this.hand(fromTable);
      if (this.needCatchUp) {
        this.needCatchUp = false;
        this.stats.catchUps++;
        const rows = await this.readSince(this.topic, this.lastSeq, this.catchUpBatch);
        if (rows.length === this.catchUpBatch) this.needCatchUp = true;
        this.ready = rows.filter((r) => r.seq > this.lastSeq);
        continue;
      }
      const live = this.pending.shift();
      if (live) {
        if (live.seq <= this.lastSeq) continue;
        return this.hand(live);
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private hand(event: BusEvent): IteratorResult<BusEvent> {
    this.lastSeq = event.seq;
    this.liveOnly = false;
    this.stats.delivered++;
    return { done: false, value: event };
  }

  async return(): Promise<IteratorResult<BusEvent>> {
    this.close();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<BusEvent>> {
    this.close();
    throw error;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.ready = [];
    this.onClose(this);
    this.wake();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** topic → live subscribers, and ephemeral listeners; the part both adapters share. */
export class TopicHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly ephemeral = new Map<string, Set<(payload: unknown) => void>>();

  /** A live subscriber on this hub that catches up (and resyncs) from the StreamEvent table. */
  subscribe<P>(sql: SqlClient, topic: string, options: SubscribeOptions = {}): Subscription<P> {
    const subscriber = new Subscriber({
      topic,
      afterSeq: options.afterSeq,
      maxQueued: options.maxQueued,
      readSince: (t, after, limit) => table.readSince(sql, t, after, limit),
      readHead: () => table.readHead(sql),
      onClose: (s) => this.remove(s),
    });
    this.add(subscriber);
    return subscriber as unknown as Subscription<P>;
  }

  add(subscriber: Subscriber): void {
    let set = this.subscribers.get(subscriber.topic);
    if (!set) this.subscribers.set(subscriber.topic, (set = new Set()));
    set.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    const set = this.subscribers.get(subscriber.topic);
    set?.delete(subscriber);
    if (set && set.size === 0) this.subscribers.delete(subscriber.topic);
  }

  has(topic: string): boolean {
    return this.subscribers.has(topic);
  }

  dispatch(event: BusEvent): void {
    const set = this.subscribers.get(event.topic);
    if (set) for (const s of set) s.push(event);
  }

  resyncAll(): void {
    for (const set of this.subscribers.values()) for (const s of set) s.resync();
  }

  closeAll(): void {
    for (const set of [...this.subscribers.values()]) for (const s of [...set]) s.close();
    this.ephemeral.clear();
  }

  onEphemeral(topic: string, listener: (payload: unknown) => void): () => void {
    let set = this.ephemeral.get(topic);
    if (!set) this.ephemeral.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.ephemeral.delete(topic);
    };
  }

  dispatchEphemeral(topic: string, payload: unknown): void {
    const set = this.ephemeral.get(topic);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`events: ephemeral listener for ${topic} threw`, error);
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }
}
