// In-process adapter (embedded PGlite default): one process, so delivery is a function call after the
// row is stored. One writer at a time (publishes in flight are combined into one INSERT), so live
// delivery follows seq order.
import type { Store } from "@stratum/db";
import type { EventBus, SubscribeOptions, Subscription } from "./bus.js";
import { TopicHub } from "./subscriber.js";
import * as table from "./store-events.js";

const MAX_BATCH = 500; // events per INSERT

export class InProcessEventBus implements EventBus {
  readonly kind = "in-process" as const;
  readonly hub = new TopicHub();
  private chain: Promise<unknown> = Promise.resolve();
  private pending: table.PendingPublish[] = [];
  private flushing = false;

  constructor(private readonly store: Pick<Store, "sql">) {}

  publish<P>(topic: string, payload: P): Promise<number> {
    return table.enqueuePublish(this.pending, topic, payload, () => {
      if (!this.flushing) this.chain = this.flush();
    });
  }

  /**
   * Write-combining: publishes that arrive while a write is in flight go out together in one
   * multi-row INSERT (PGlite runs one statement at a time, so this is most of the publish cost).
   * Ids are assigned in arrival order; dispatch follows seq order.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          const r = await this.store.sql.query<{ id: number; createdAt: Date }>(
            `INSERT INTO "StreamEvent" (topic, payload)
             SELECT t, p::jsonb FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, p, o) ORDER BY o
             RETURNING id, "createdAt"`,
            [batch.map((b) => b.topic), batch.map((b) => b.json)],
          );
          const rows = r.rows.map((row) => ({ id: Number(row.id), at: new Date(row.createdAt) })).sort((a, b) => a.id - b.id);
          batch.forEach((b, i) => {
            const row = rows[i] as { id: number; at: Date };
            this.hub.dispatch({ seq: row.id, topic: b.topic, payload: JSON.parse(b.json), at: row.at });
            b.resolve(row.id);
          });
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  subscribe<P>(topic: string, options: SubscribeOptions = {}): Subscription<P> {
    return this.hub.subscribe<P>(this.store.sql, topic, options);
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
