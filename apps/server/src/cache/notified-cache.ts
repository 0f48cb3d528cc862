// Caches whose freshness comes from the database, not from timers. Triggers NOTIFY "stratum_changes"
// with "<kind>:<id>" for every row change a cache depends on, whichever process or code path made it
// (prisma/migrations/*_change_notify). One ChangeFeed per process listens; each NotifiedCache keeps
// values for one kind and drops an id's values when its notification arrives. A read first waits for
// the feed to catch up with everything committed before it (NotificationFeed.sync), so a cached value is
// as fresh as a query made at that moment. While the feed is down, or when caching is off, reads go to
// the database.
import type { NotificationFeed, Store } from "@stratum/db";

export const CHANGES_CHANNEL = "stratum_changes";

interface Subscriber {
  change(id: number): void;
  reset(): void;
}

export class ChangeFeed {
  private readonly subscribers = new Map<string, Subscriber[]>();
  private feed: NotificationFeed | undefined;

  /** `enabled: false` gives a feed that is never live: every NotifiedCache on it reads through. */
  static async open(store: Pick<Store, "listen">, enabled = true): Promise<ChangeFeed> {
    const changes = new ChangeFeed();
    if (enabled) {
      changes.feed = await store.listen([CHANGES_CHANNEL], {
        message: (payload) => changes.dispatch(payload),
        reset: () => changes.resetAll(),
      });
    }
    return changes;
  }

  get live(): boolean {
    return this.feed?.live ?? false;
  }

  sync(): Promise<void> {
    return this.feed ? this.feed.sync() : Promise.reject(new Error("change feed is off"));
  }

  subscribe(kind: string, subscriber: Subscriber): void {
    const list = this.subscribers.get(kind);
    if (list) list.push(subscriber);
    else this.subscribers.set(kind, [subscriber]);
  }

  private dispatch(payload: string): void {
    const colon = payload.indexOf(":");
    const id = Number(payload.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(id)) return this.resetAll(); // "*", or a payload we do not know
    for (const subscriber of this.subscribers.get(payload.slice(0, colon)) ?? []) subscriber.change(id);
  }

  private resetAll(): void {
    for (const list of this.subscribers.values()) for (const subscriber of list) subscriber.reset();
  }

  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
    this.resetAll();
  }
}

export interface NotifiedCacheOptions<V> {
  /** Ids with cached values; the least recently read is dropped first. */
  maxIds: number;
  /** Values per id (e.g. pages of a list); all of an id's values are dropped when full. */
  maxPerId: number;
  /**
   * Which loaded values may be kept. Triggers report updates and deletes, so a "not found" must not be
   * kept where an insert could later make the id exist.
   */
  keepIf?: (value: V) => boolean;
}

interface Load {
  /** Set when the id changed while the load was reading: its value must not be kept. */
  stale: boolean;
}

/** Values per (id, key), dropped when the feed reports a change of `kind` for that id. */
export class NotifiedCache<V> {
  private readonly values = new Map<number, Map<string, V>>(); // ids in order of last use
  private readonly loading = new Map<number, Set<Load>>();
  /** Reads served from memory and reads that loaded, since start (for tests and benchmarks). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly feed: ChangeFeed,
    kind: string,
    private readonly options: NotifiedCacheOptions<V>,
  ) {
    feed.subscribe(kind, { change: (id) => this.drop(id), reset: () => this.dropAll() });
  }

  /** The value for (id, key): from memory when nothing changed since it was loaded, else from load(). */
  async get(id: number, key: string, load: () => Promise<V>): Promise<V> {
    if (!this.feed.live) return load();
    try {
      await this.feed.sync();
    } catch {
      return load(); // the connection just dropped: its reset clears the cache
    }
    const forId = this.values.get(id);
    if (forId?.has(key)) {
      this.stats.hits++;
      this.values.delete(id); // most recently used last
      this.values.set(id, forId);
      return forId.get(key)!;
    }
    this.stats.misses++;
    const pending: Load = { stale: false };
    let loads = this.loading.get(id);
    if (!loads) this.loading.set(id, (loads = new Set()));
    loads.add(pending);
    try {
      const value = await load();
      if (!pending.stale && this.feed.live && (this.options.keepIf?.(value) ?? true)) this.keep(id, key, value);
      return value;
    } finally {
      loads.delete(pending);
      if (loads.size === 0) this.loading.delete(id);
    }
  }

  private keep(id: number, key: string, value: V): void {
    let forId = this.values.get(id);
    if (forId) this.values.delete(id);
    else forId = new Map();
    if (forId.size >= this.options.maxPerId) forId.clear();
    forId.set(key, value);
    this.values.set(id, forId);
    if (this.values.size > this.options.maxIds) this.values.delete(this.values.keys().next().value!);
  }

  private drop(id: number): void {
    this.values.delete(id);
    for (const load of this.loading.get(id) ?? []) load.stale = true;
  }

  private dropAll(): void {
    this.values.clear();
    for (const loads of this.loading.values()) for (const load of loads) load.stale = true;
  }
}

/**
 * One cache of `kind` per feed (that is, per app), made on first use: the module that owns the data
 * declares its cache next to the code that reads it.
 */
export function notifiedCache<V>(kind: string, options: NotifiedCacheOptions<V>): (feed: ChangeFeed) => NotifiedCache<V> {
  const byFeed = new WeakMap<ChangeFeed, NotifiedCache<V>>();
  return (feed) => {
    let cache = byFeed.get(feed);
    if (!cache) byFeed.set(feed, (cache = new NotifiedCache<V>(feed, kind, options)));
    return cache;
  };
}
