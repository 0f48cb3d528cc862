// Notifications from the database (LISTEN): the event bus's events, and the row changes that caches must
// drop whichever process or code path committed them (triggers send those: the change_notify migration).
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
  message(payload: string, channel: string): void;
  /** The connection dropped, or came back: notifications may have been missed in between. */
  reset(): void;
}

const RECONNECT_DELAY_MS = 500; // 0.5 s, doubled after each failed try
const MAX_RECONNECT_DELAY_MS = 10_000; // 10 s

export async function listenPglite(db: PGlite, channels: string[], handlers: FeedHandlers): Promise<NotificationFeed> {
  const unlisten = await Promise.all(channels.map((channel) => db.listen(channel, (payload) => handlers.message(payload, channel))));
  return {
    live: true,
    sync: () => Promise.resolve(),
    close: async () => {
      for (const stop of unlisten) await stop();
    },
  };
}

export class PgNotificationFeed implements NotificationFeed {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectDelay = RECONNECT_DELAY_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnecting = false;
  private ping: Promise<void> | undefined;
  private nextPing: Promise<void> | undefined;

  private readonly name: string;

  private constructor(
    private readonly databaseUrl: string,
    private readonly channels: string[],
    private readonly handlers: FeedHandlers,
  ) {
    this.name = channels.join("+");
  }

  static async open(databaseUrl: string, channels: string[], handlers: FeedHandlers): Promise<PgNotificationFeed> {
    for (const channel of channels) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new RangeError(`listen: expected a lower-case identifier as channel, got "${channel}"`);
    }
    if (channels.length === 0) throw new RangeError("listen: expected at least one channel");
    const feed = new PgNotificationFeed(databaseUrl, channels, handlers);
    await feed.connect();
    return feed;
  }

  get live(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `stratum-listen-${this.name}`.slice(0, 63) });
    client.on("notification", (msg) => {
      if (this.channels.includes(msg.channel)) this.handlers.message(msg.payload ?? "", msg.channel);
    });
    client.on("error", (error) => {
      console.error(`listen ${this.name}: connection lost (${error.message}); reconnecting`);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
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
        console.error(`listen ${this.name}: reconnect failed (${(error as Error).message})`);
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
      if (!client) return Promise.reject(new Error(`listen ${this.name}: not connected`));
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
