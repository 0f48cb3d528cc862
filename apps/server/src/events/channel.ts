// A small async channel that subscription resolvers return to graphql-ws: producers push, the socket
// pulls. `pump()` moves a bus subscription into the channel with per-event authorization and mapping,
// pulling the next event only when the channel has room, so a slow socket never makes the server
// buffer more than `capacity` events per subscription (the bus re-reads the rest from StreamEvent).
import type { BusEvent, Subscription } from "./bus.js";

const DEFAULT_CAPACITY = 256; // events queued per subscription before the pump waits

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private roomWaiter: (() => void) | undefined;
  private done = false;
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  push(value: T): void {
    if (this.done) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ done: false, value });
    } else this.queue.push(value);
  }

  /** Ends the stream after the queued values (graphql-ws then sends `complete`). */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.queue.length === 0) this.finish();
  }

  onClose(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  get closed(): boolean {
    return this.done;
  }

  async waitForRoom(): Promise<void> {
    while (!this.done && this.queue.length >= this.capacity) await new Promise<void>((r) => (this.roomWaiter = r));
  }

  async next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    const r = this.roomWaiter;
    this.roomWaiter = undefined;
    r?.();
    if (value !== undefined) {
      if (this.done && this.queue.length === 0) this.finish();
      return { done: false, value };
    }
    if (this.done) return { done: true, value: undefined };
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    this.done = true;
    this.queue.length = 0;
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finished = false;
  private finish(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ done: true, value: undefined });
    const r = this.roomWaiter;
    this.roomWaiter = undefined;
    r?.();
    if (this.finished) return;
    this.finished = true;
    for (const fn of this.cleanups.splice(0)) {
      Promise.resolve()
        .then(fn)
        .catch((error: Error) => console.error(`subscription cleanup failed: ${error.message}`));
    }
  }
}

/** What pump() does with one event: deliver this value, skip it, or end the stream. */
export type PumpStep<T> = { value: T; end?: boolean } | "skip" | "end";

/** Moves events from a bus subscription into the channel until either side ends. */
export function pump<P, T>(channel: Channel<T>, source: Subscription<P>, step: (event: BusEvent<P>) => Promise<PumpStep<T>>): void {
  channel.onClose(() => source.close());
  void (async () => {
    try {
      for (;;) {
        await channel.waitForRoom();
        if (channel.closed) break;
        const r = await source.next();
        if (r.done || channel.closed) break;
        const out = await step(r.value);
        if (out === "skip") continue;
        if (out === "end") break;
        channel.push(out.value);
        if (out.end) break;
      }
    } catch (error) {
      console.error("subscription pump failed", error);
    } finally {
      channel.end();
      source.close();
    }
  })();
}
