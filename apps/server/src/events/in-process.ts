// In-process adapter (embedded PGlite default): one process, so delivery is a function call after the
// row is stored. Publishes are serialised so live delivery follows seq order.
import type { Store } from "@stratum/db";
import type { BusEvent, EventBus, SubscribeOptions, Subscription } from "./bus.js";
import { Subscriber, TopicHub } from "./subscriber.js";
import * as table from "./store-events.js";

export class InProcessEventBus implements EventBus {
  readonly kind = "in-process" as const;
  readonly hub = new TopicHub();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Pick<Store, "sql">) {}

  publish<P>(topic: string, payload: P): Promise<number> {
    let json: string;
    try {
      json = table.encodePayload(topic, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.chain.then(async () => {
      const r = await this.store.sql.query<{ id: number; createdAt: Date }>(
        `INSERT INTO "StreamEvent" (topic, payload) VALUES ($1, $2::jsonb) RETURNING id, "createdAt"`,
        [topic, json],
      );
      const row = r.rows[0] as { id: number; createdAt: Date };
      const event: BusEvent = { seq: Number(row.id), topic, payload: JSON.parse(json), at: new Date(row.createdAt) };
      this.hub.dispatch(event);
      return event.seq;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  subscribe<P>(topic: string, options: SubscribeOptions = {}): Subscription<P> {
    const subscriber = new Subscriber({
      topic,
      afterSeq: options.afterSeq,
      maxQueued: options.maxQueued,
      readSince: (t, after, limit) => table.readSince(this.store.sql, t, after, limit),
      readHead: () => table.readHead(this.store.sql),
      onClose: (s) => this.hub.remove(s),
    });
    this.hub.add(subscriber);
    return subscriber as unknown as Subscription<P>;
  }

  async publishEphemeral<P>(topic: string, payload: P): Promise<void> {
    this.hub.dispatchEphemeral(topic, JSON.parse(table.encodePayload(topic, payload)));
  }

  onEphemeral<P>(topic: string, listener: (payload: P) => void): () => void {
    return this.hub.onEphemeral(topic, listener as (p: unknown) => void);
  }

  prune(olderThanMs: number): Promise<number> {
    return table.prune(this.store.sql, olderThanMs);
  }

  async close(): Promise<void> {
    this.hub.closeAll();
    await this.chain;
  }
}
