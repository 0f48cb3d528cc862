// Notifications from the database (LISTEN), for caches that must drop what a commit changed, whichever
// process or code path made the commit (triggers send them: see the run_change_notify migration).
// PostgreSQL: one connection per feed, re-established after a drop. PGlite: the one in-process instance
// delivers a commit's notifications before the committing query returns, so there is nothing to wait for.
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";

export interface NotificationFeed {
  /**
   * Resolves once every notification committed before the call has reached onMessage: a cache that
   * awaits it before answering is as fresh as a query made at that moment.
   */
  sync(): Promise<void>;
  /** False while the connection is down: nothing derived from notifications may be trusted then. */
  readonly live: boolean;
  close(): Promise<void>;
}

export interface FeedHandlers {
  message(payload: string): void;
  /** The connection dropped, or came back: notifications may have been missed in between. */
  reset(): void;
}

const RECONNECT_DELAY_MS = 500; // 0.5 s, doubled after each failed try
const MAX_RECONNECT_DELAY_MS = 10_000; // 10 s

export async function listenPglite(db: PGlite, channel: string, handlers: FeedHandlers): Promise<NotificationFeed> {
  const unlisten = await db.listen(channel, handlers.message);
  return { live: true, sync: () => Promise.resolve(), close: () => unlisten() };
}

export class PgNotificationFeed implements NotificationFeed {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectDelay = RECONNECT_DELAY_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnecting = false;
  private ping: Promise<void> | undefined;
  private nextPing: Promise<void> | undefined;

  private constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly handlers: FeedHandlers,
  ) {}

  static async open(databaseUrl: string, channel: string, handlers: FeedHandlers): Promise<PgNotificationFeed> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new RangeError(`listen: expected a lower-case identifier as channel, got "${channel}"`);
    const feed = new PgNotificationFeed(databaseUrl, channel, handlers);
    await feed.connect();
    return feed;
  }

  get live(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `stratum-listen-${this.channel}` });
    client.on("notification", (msg) => {
      if (msg.channel === this.channel) this.handlers.message(msg.payload ?? "");
    });
    client.on("error", (error) => {
      console.error(`listen ${this.channel}: connection lost (${error.message}); reconnecting`);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.reconnectDelay = RECONNECT_DELAY_MS;
  }

  private lost(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners("end");
    void client.end().catch(() => undefined);
    this.handlers.reset();
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    while (!this.closed) {
      await new Promise((resolve) => (this.reconnectTimer = setTimeout(resolve, this.reconnectDelay)));
      if (this.closed) break;
      try {
        await this.connect();
        this.handlers.reset();
        break;
      } catch (error) {
        console.error(`listen ${this.channel}: reconnect failed (${(error as Error).message})`);
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
    this.reconnecting = false;
  }

  /**
   * A round trip on the listening connection: PostgreSQL sends a connection its pending notifications
   * before it answers the next query, so when the answer arrives every notification committed before
   * the query was sent has been handled. Callers share round trips: one that arrives while a ping is in
   * flight waits for the next one, which starts after it arrived.
   */
  sync(): Promise<void> {
    if (!this.ping) {
      const client = this.client;
      if (!client) return Promise.reject(new Error(`listen ${this.channel}: not connected`));
      this.ping = client.query("SELECT 1").then(
        () => {
          this.ping = undefined;
        },
        (error: unknown) => {
          this.ping = undefined;
          throw error;
        },
      );
      return this.ping;
    }
    this.nextPing ??= this.ping
      .catch(() => undefined)
      .then(() => {
        this.nextPing = undefined;
        return this.sync();
      });
    return this.nextPing;
  }

  /** Test hook: drop the connection as a network fault would. */
  simulateDisconnect(): void {
    this.client?.emit("error", new Error("simulated disconnect"));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
    }
  }
}
