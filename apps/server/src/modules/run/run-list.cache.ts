// Pages of DatasetVersion.runs kept between requests. Every open screen polls its version's run list,
// and most polls find nothing new: serving them from memory saves the query and its row parsing.
// Freshness comes from the database, not from timers: a trigger NOTIFYs the version of every run row
// written (prisma/migrations/*_run_change_notify), whichever process or code path wrote it, and each
// read first waits for the feed to catch up with everything committed before it (NotificationFeed.sync),
// so a cached page is as fresh as a query made at that moment. Without a live feed it reads through.
import type { NotificationFeed, SelectionRun as Row, Store } from "@stratum/db";

export const RUN_CHANGES_CHANNEL = "stratum_run_changes";
const MAX_VERSIONS = 1_000; // versions with cached pages, least recently read dropped first
const MAX_PAGES_PER_VERSION = 32; // (page size, cursor) pairs per version

export interface RunPage {
  /** Up to `first` rows, newest first. */
  rows: Row[];
  /** The cursor of each row. */
  cursors: string[];
  hasNextPage: boolean;
  /** The version's number of runs, when the query could count it alongside the rows. */
  totalCount: number | undefined;
}

interface Load {
  /** Set when the version changed while the load was reading: its page must not be kept. */
  stale: boolean;
}

export class RunListCache {
  private readonly versions = new Map<number, Map<string, RunPage>>(); // in order of last use
  private readonly loading = new Map<number, Set<Load>>();
  private feed: NotificationFeed | undefined;
  /** Reads served from memory and reads that queried, since start (for tests and benchmarks). */
  readonly stats = { hits: 0, misses: 0 };

  /** Listens for run changes; `enabled: false` gives a cache that always reads through. */
  static async open(store: Pick<Store, "listen">, enabled = true): Promise<RunListCache> {
    const cache = new RunListCache();
    if (enabled) {
      cache.feed = await store.listen(RUN_CHANGES_CHANNEL, {
        message: (payload) => (payload === "*" ? cache.dropAll() : cache.drop(Number(payload))),
        reset: () => cache.dropAll(),
      });
    }
    return cache;
  }

  /** The page for (version, key): from memory when nothing changed since it was read, else from load(). */
  async page(versionId: number, key: string, load: () => Promise<RunPage>): Promise<RunPage> {
    const feed = this.feed;
    if (!feed?.live) return load();
    try {
      await feed.sync();
    } catch {
      return load(); // the feed's connection just dropped: its reset will clear the cache
    }
    const pages = this.versions.get(versionId);
    const hit = pages?.get(key);
    if (hit) {
      this.stats.hits++;
      this.versions.delete(versionId); // most recently used last
      this.versions.set(versionId, pages!);
      return hit;
    }
    this.stats.misses++;
    const pending: Load = { stale: false };
    let loads = this.loading.get(versionId);
    if (!loads) this.loading.set(versionId, (loads = new Set()));
    loads.add(pending);
    try {
      const page = await load();
      if (!pending.stale && feed.live) this.keep(versionId, key, page);
      return page;
    } finally {
      loads.delete(pending);
      if (loads.size === 0) this.loading.delete(versionId);
    }
  }

  private keep(versionId: number, key: string, page: RunPage): void {
    let pages = this.versions.get(versionId);
    if (pages) this.versions.delete(versionId);
    else pages = new Map();
    if (pages.size >= MAX_PAGES_PER_VERSION) pages.clear();
    pages.set(key, page);
    this.versions.set(versionId, pages);
    if (this.versions.size > MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value!);
  }

  private drop(versionId: number): void {
    if (!Number.isInteger(versionId)) return this.dropAll();
    this.versions.delete(versionId);
    for (const load of this.loading.get(versionId) ?? []) load.stale = true;
  }

  private dropAll(): void {
    this.versions.clear();
    for (const loads of this.loading.values()) for (const load of loads) load.stale = true;
  }

  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
    this.dropAll();
  }
}
