/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// The run-list cache: its bookkeeping against a feed the test drives, then a live server whose run rows
// are changed behind the API's back (raw SQL, and on PostgreSQL a second connection pool standing in for
// another replica or a worker): every read right after a write must already show it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "@apollo/client";
import { openStore, type FeedHandlers, type NotificationFeed, type Store } from "@stratum/db";
import { RunListCache, RUN_CHANGES_CHANNEL, type RunPage } from "../run-list.cache.js";
import { seedUser, signIn, startTestServer, type TestClient, type TestServer } from "../../../test/harness.js";
import { seedDataset, type SeededDataset } from "../../../jobs/__tests__/fixtures.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";

/** A feed whose notifications, resets and liveness the test controls. */
function fakeStore() {
  const state = { handlers: undefined as FeedHandlers | undefined, live: true };
  const feed: NotificationFeed = {
    get live() {
      return state.live;
    },
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const store: Pick<Store, "listen"> = {
    listen: async (channel, handlers) => {
      expect(channel).toBe(RUN_CHANGES_CHANNEL);
      state.handlers = handlers;
      return feed;
    },
  };
  return { store, state };
}

const pageOf = (n: number): RunPage => ({ rows: [], cursors: [], hasNextPage: false, totalCount: n });

describe("RunListCache bookkeeping", () => {
  it("serves a kept page until its version changes; other versions stay cached", async () => {
    const { store, state } = fakeStore();
    const cache = await RunListCache.open(store);
    let reads = 0;
    const load = (n: number) => async () => (reads++, pageOf(n));
    expect((await cache.page(1, "k", load(1))).totalCount).toBe(1);
    expect((await cache.page(1, "k", load(2))).totalCount).toBe(1);
    expect((await cache.page(2, "k", load(5))).totalCount).toBe(5);
    state.handlers!.message("1");
    expect((await cache.page(1, "k", load(3))).totalCount).toBe(3);
    expect((await cache.page(2, "k", load(6))).totalCount).toBe(5);
    state.handlers!.message("*");
    expect((await cache.page(2, "k", load(7))).totalCount).toBe(7);
    expect(reads).toBe(4);
    expect(cache.stats).toEqual({ hits: 2, misses: 4 });
  });

  it("does not keep a page read while its version changed, or while the feed reset", async () => {
    const { store, state } = fakeStore();
    const cache = await RunListCache.open(store);
    for (const signal of [() => state.handlers!.message("9"), () => state.handlers!.reset()]) {
      let release!: () => void;
      const slow = cache.page(9, "k", async () => {
        await new Promise<void>((r) => (release = r));
        return pageOf(1); // read before the change committed
      });
      await new Promise((r) => setImmediate(r));
      signal();
      release();
      expect((await slow).totalCount).toBe(1);
      expect((await cache.page(9, "k", async () => pageOf(2))).totalCount).toBe(2);
      state.handlers!.message("9");
    }
  });

  it("reads through while the feed is down, and when it is disabled", async () => {
    const { store, state } = fakeStore();
    const cache = await RunListCache.open(store);
    state.live = false;
    await cache.page(1, "k", async () => pageOf(1));
    expect((await cache.page(1, "k", async () => pageOf(2))).totalCount).toBe(2);
    const off = await RunListCache.open(store, false);
    await off.page(1, "k", async () => pageOf(1));
    expect((await off.page(1, "k", async () => pageOf(2))).totalCount).toBe(2);
    expect(off.stats).toEqual({ hits: 0, misses: 0 });
  });
});

describe("run list served from the cache stays fresh", () => {
  let server: TestServer;
  let seeded: SeededDataset;
  let viewer: TestClient;
  let replica: Store | undefined; // PostgreSQL: writes from another process's connections
  const LIST = gql`query ($id: ID!, $first: Int) { datasetVersion(id: $id) { runs(first: $first) { totalCount nodes { id status phase } } } }`;

  beforeAll(async () => {
    server = await startTestServer();
    seeded = await seedDataset(server.store, { n: 40, groups: 1, slug: "run-cache" });
    const user = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "cache-viewer");
    viewer = await signIn(server, user.email);
    if (server.store.databaseUrl) replica = await openStore({ databaseUrl: server.store.databaseUrl, migrate: false });
  });
  afterAll(async () => {
    await replica?.close();
    await server?.close();
  });

  async function listed(first = 5) {
    const r = await viewer.query(LIST, { id: gid("DatasetVersion", seeded.versionId), first });
    expect(r.errors).toEqual([]);
    return r.data.datasetVersion.runs as { totalCount: number; nodes: Array<{ id: string; status: string; phase: string }> };
  }
  async function stored(first = 5) {
    const rows = await server.store.prisma.selectionRun.findMany({
      where: { datasetVersionId: seeded.versionId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    return { totalCount: rows.length, nodes: rows.slice(0, first).map((r) => ({ id: gid("SelectionRun", r.id), status: r.status, phase: r.phase })) };
  }

  it("shows every insert, update and delete on the very next read, from any connection", async () => {
    const writers = [server.store, ...(replica ? [replica] : [])];
    const cache = server.app.services.runListCache;
    const before = { ...cache.stats };
    const ids: number[] = [];
    for (let i = 0; i < 24; i++) {
      const sql = writers[i % writers.length]!.sql;
      expect(await listed()).toEqual(await stored());
      expect(await listed()).toEqual(await stored()); // the second read of an unchanged list is a hit
      if (i % 4 === 3 && ids.length > 1) {
        await sql.query(`DELETE FROM "SelectionRun" WHERE id = $1`, [ids.shift()]);
      } else if (i % 2 === 1 && ids.length > 0) {
        await sql.query(`UPDATE "SelectionRun" SET status = 'RUNNING', phase = $2 WHERE id = $1`, [ids.at(-1), `step ${i}`]);
      } else {
        const r = await sql.query<{ id: number }>(
          `INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass", "createdById")
           VALUES ($1, 'random', '{}', $2, 5, $3) RETURNING id`,
          [seeded.versionId, i, seeded.userId],
        );
        ids.push(r.rows[0]!.id);
      }
      expect(await listed()).toEqual(await stored()); // right after the write, no waiting
    }
    expect(cache.stats.hits - before.hits).toBeGreaterThanOrEqual(24);
  });
});
