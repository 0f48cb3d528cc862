// Postgres LISTEN/NOTIFY adapter: for several API and worker processes on one database.
// publish() stores the row and NOTIFYs in the same transaction (NOTIFY is delivered on commit, in commit
// order). A per-topic advisory lock makes seq order equal commit order within a topic, so a subscriber
// that skips seq <= last can never skip an event that commits late. Publishes made while a write is in
// flight go out together in the next one (one statement, one commit): commits that NOTIFY are serialised
// by PostgreSQL, so one commit per event capped a process near the commit rate. Small payloads ride in the
// notification; large ones (NOTIFY's limit is 8000 bytes) are read from StreamEvent once per process.
// Every process holds one LISTEN connection (store.listen); when it drops, every subscriber re-reads from
// the table.
import type { NotificationFeed, PgNotificationFeed, Store } from "@stratum/db";
import type { BusEvent, EventBus, SubscribeOptions, Subscription } from "./bus.js";
import { TopicHub } from "./subscriber.js";
import * as table from "./store-events.js";

const CHANNEL = "stratum_events";
const EPHEMERAL_CHANNEL = "stratum_ephemeral";
const TOPIC_LOCK = 727_002; // advisory lock namespace for per-topic publish ordering
const INLINE_PAYLOAD_BYTES = 6_000; // bytes; NOTIFY payloads must stay under 8000
const MAX_BATCH = 500; // events per statement

interface Notice {
  s: number;
  t: string;
  p?: unknown;
  a: string;
}

export class PgNotifyEventBus implements EventBus {
  readonly kind = "pg-notify" as const;
  readonly hub = new TopicHub();
  private feed: NotificationFeed | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pending: table.PendingPublish[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(private readonly store: Pick<Store, "sql">) {}

  static async open(store: Pick<Store, "sql" | "databaseUrl" | "listen">): Promise<PgNotifyEventBus> {
    if (!store.databaseUrl) throw new Error("PgNotifyEventBus: expected a PostgreSQL store, got one without databaseUrl");
    const bus = new PgNotifyEventBus(store);
    // The feed reconnects by itself; whatever was NOTIFYed while it was away is in the table, so a reset
    // makes every subscriber re-read from there.
    bus.feed = await store.listen([CHANNEL, EPHEMERAL_CHANNEL], {
      message: (payload, channel) => bus.onNotification(channel, payload),
      reset: () => bus.hub.resyncAll(),
    });
    return bus;
  }

  private onNotification(channel: string, raw: string | undefined): void {
    if (!raw) return;
    if (channel === EPHEMERAL_CHANNEL) {
      try {
        const { t, p } = JSON.parse(raw) as { t: string; p: unknown };
        this.hub.dispatchEphemeral(t, p);
      } catch (error) {
        console.error("events: bad ephemeral notification", error);
      }
      return;
    }
    let notice: Notice;
    try {
      notice = JSON.parse(raw) as Notice;
    } catch (error) {
      console.error("events: bad notification", error);
      return;
    }
    if (!this.hub.has(notice.t)) return;
    // Keep delivery in arrival (= commit) order even when a payload has to be fetched.
    this.chain = this.chain.then(async () => {
      let event: BusEvent | undefined;
      if ("p" in notice && notice.p !== null) {
        // "createdAt" is a UTC timestamp without zone; JSON carries it without an offset.
        event = { seq: notice.s, topic: notice.t, payload: notice.p, at: new Date(`${notice.a}Z`) };
      } else {
        event = await table.readOne(this.store.sql, notice.s).catch(() => undefined);
      }
      if (event) this.hub.dispatch(event);
    });
  }

  publish<P>(topic: string, payload: P): Promise<number> {
    return table.enqueuePublish(this.pending, topic, payload, () => {
      this.flushing ??= this.flush();
    });
  }

  /**
   * Writes what is pending, one statement (its own transaction) per batch, until nothing is left.
   * The statement first takes the advisory lock of every topic in the batch, in hash order (so two
   * processes' batches cannot deadlock), and only then draws ids (the INSERT reads its rows through the
   * locking subquery; OFFSET 0 keeps the planner from flattening it), in arrival order; NOTIFYs are
   * queued in id order and sent at commit. A payload rides in the notification when its stored text
   * is at most INLINE_PAYLOAD_BYTES, else subscribers' processes read it from the table.
   */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          const r = await this.store.sql.query<{ id: number }>(
            `WITH ins AS (
               INSERT INTO "StreamEvent" (topic, payload)
               SELECT u.topic, u.payload::jsonb
               FROM (SELECT count(*) FROM (SELECT DISTINCT hashtext(t) AS h FROM unnest($1::text[]) AS t ORDER BY h OFFSET 0) AS topics
                     WHERE pg_advisory_xact_lock($3, h)::text = '') AS locked,
                    unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(topic, payload, o)
               ORDER BY u.o
               RETURNING id, topic, payload, "createdAt")
             SELECT id, pg_notify($4, json_build_object('s', id, 't', topic,
               'p', CASE WHEN octet_length(payload::text) <= $5 THEN payload END, 'a', "createdAt")::text)
             FROM ins ORDER BY id`,
            [batch.map((b) => b.topic), batch.map((b) => b.json), TOPIC_LOCK, CHANNEL, INLINE_PAYLOAD_BYTES],
          );
          batch.forEach((b, i) => b.resolve(Number((r.rows[i] as { id: number }).id)));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  subscribe<P>(topic: string, options: SubscribeOptions = {}): Subscription<P> {
    return this.hub.subscribe<P>(this.store.sql, topic, options);
  }

  async publishEphemeral<P>(topic: string, payload: P): Promise<void> {
    const raw = JSON.stringify({ t: topic, p: payload });
    if (Buffer.byteLength(raw) > 7_900) throw new RangeError(`ephemeral event for ${topic}: expected ≤ 7900 bytes, got ${raw.length}`);
    await this.store.sql.query(`SELECT pg_notify($1, $2)`, [EPHEMERAL_CHANNEL, raw]);
  }

  onEphemeral<P>(topic: string, listener: (payload: P) => void): () => void {
    return this.hub.onEphemeral(topic, listener as (p: unknown) => void);
  }

  prune(olderThanMs: number): Promise<number> {
    return table.prune(this.store.sql, olderThanMs);
  }

  /** Test hook: drop the LISTEN connection as a network fault would. */
  simulateDisconnect(): void {
    (this.feed as PgNotificationFeed | undefined)?.simulateDisconnect();
  }

  async close(): Promise<void> {
    await this.flushing; // publishes already accepted are written first
    this.hub.closeAll();
    await this.feed?.close();
    this.feed = undefined;
    await this.chain.catch(() => undefined);
  }
}
