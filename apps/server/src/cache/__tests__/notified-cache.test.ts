// Notified caches: their bookkeeping against a feed the test drives, then a live server whose run and
// version rows are changed behind the API's back (raw SQL, and on PostgreSQL a second connection pool
// standing in for another replica or a worker): every read right after a write must already show it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type TypedDocumentNode } from "@apollo/client";
import { openStore, type FeedHandlers, type NotificationFeed, type Store } from "@stratum/db";
import { ChangeFeed, CHANGES_CHANNEL, NotifiedCache } from "../notified-cache.js";
import { runPages } from "../../modules/run/run.service.js";
import { seedToken, seedUser, signIn, startTestServer, TestClient, type TestServer } from "../../test/harness.js";
import { seedDataset, type SeededDataset } from "../../test/fixtures.js";
import { toGlobalId as gid } from "../../graphql/ids.js";

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
    listen: async (channels, handlers) => {
      expect(channels).toEqual([CHANGES_CHANNEL]);
      state.handlers = handlers;
      return feed;
    },
  };
  return { store, state };
}

const OPTIONS = { maxIds: 100, maxPerId: 4 };

async function caches() {
  const fake = fakeStore();
  const feed = await ChangeFeed.open(fake.store);
  return { ...fake, feed, runs: new NotifiedCache<number>(feed, "runs", OPTIONS), versions: new NotifiedCache<number | null>(feed, "version", { ...OPTIONS, keepIf: (v) => v !== null }) };
}

describe("NotifiedCache bookkeeping", () => {
  it("serves a kept value until its id of its kind changes; other ids and kinds stay cached", async () => {
    const { state, runs, versions } = await caches();
    let reads = 0;
    const load = (n: number) => async () => (reads++, n);
    expect(await runs.get(1, "k", load(1))).toBe(1);
    expect(await runs.get(1, "k", load(2))).toBe(1);
    expect(await runs.get(2, "k", load(5))).toBe(5);
    expect(await versions.get(1, "", load(8))).toBe(8);
    state.handlers!.message("runs:1", CHANGES_CHANNEL);
    expect(await runs.get(1, "k", load(3))).toBe(3);
    expect(await runs.get(2, "k", load(6))).toBe(5);
    expect(await versions.get(1, "", load(9))).toBe(8); // another kind with the same id
    state.handlers!.message("*", CHANGES_CHANNEL);
    expect(await runs.get(2, "k", load(7))).toBe(7);
    expect(await versions.get(1, "", load(10))).toBe(10);
    expect(reads).toBe(6);
    expect(runs.stats).toEqual({ hits: 2, misses: 4 });
  });

  it("does not keep a value loaded while its id changed, or while the feed reset", async () => {
    const { state, runs } = await caches();
    for (const signal of [() => state.handlers!.message("runs:9", CHANGES_CHANNEL), () => state.handlers!.reset()]) {
      let release!: () => void;
      const slow = runs.get(9, "k", async () => {
        await new Promise<void>((r) => (release = r));
        return 1; // read before the change committed
      });
      await new Promise((r) => setImmediate(r));
      signal();
      release();
      expect(await slow).toBe(1);
      expect(await runs.get(9, "k", async () => 2)).toBe(2);
      state.handlers!.message("runs:9", CHANGES_CHANNEL);
    }
  });

  it("keeps only what keepIf accepts, and reads through while the feed is down or off", async () => {
    const { state, runs, versions } = await caches();
    await versions.get(3, "", async () => null); // not found: an insert could make it exist
    expect(await versions.get(3, "", async () => 4)).toBe(4);
    state.live = false;
    await runs.get(1, "k", async () => 1);
    expect(await runs.get(1, "k", async () => 2)).toBe(2);
    const off = new NotifiedCache<number>(await ChangeFeed.open(fakeStore().store, false), "runs", OPTIONS);
    await off.get(1, "k", async () => 1);
    expect(await off.get(1, "k", async () => 2)).toBe(2);
    expect(off.stats).toEqual({ hits: 0, misses: 0 });
  });
});

describe("cached run lists and versions stay fresh", () => {
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
    const r = await viewer.query<{ datasetVersion: { runs: { totalCount: number; nodes: Array<{ id: string; status: string; phase: string }> } } }>(LIST, { id: gid("DatasetVersion", seeded.versionId), first });
    expect(r.errors).toEqual([]);
    return r.data.datasetVersion.runs;
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
    const cache = runPages(server.app.services.changes);
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

  it("a version row is served from memory until it is updated or deleted, from any connection", async () => {
    const sql = (replica ?? server.store).sql;
    const id = (
      await server.store.sql.query<{ id: number }>(
        `INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 99, 'first', 'h', 0) RETURNING id`,
        [seeded.datasetId],
      )
    ).rows[0]!.id;
    const VERSION: TypedDocumentNode<{ datasetVersion: { number: number; message: string } | null }, { id: string }> = gql`query ($id: ID!) { datasetVersion(id: $id) { number message } }`;
    const read = async () => (await viewer.query(VERSION, { id: gid("DatasetVersion", id) })).data.datasetVersion;
    expect(await read()).toEqual({ number: 99, message: "first" });
    expect(await read()).toEqual({ number: 99, message: "first" });
    await sql.query(`UPDATE "DatasetVersion" SET message = 'second' WHERE id = $1`, [id]);
    expect(await read()).toEqual({ number: 99, message: "second" });
    await sql.query(`DELETE FROM "DatasetVersion" WHERE id = $1`, [id]);
    expect(await read()).toBeNull();
  });

  it("auth lookups: a token revoked, a session ended or a membership removed on another connection stops working well within the TTL", async () => {
    expect(server.app.services.config.authCacheMs).toBeGreaterThanOrEqual(5_000);
    const sql = (replica ?? server.store).sql;
    const VERSION: TypedDocumentNode<{ datasetVersion: { id: string } | null }, { id: string }> = gql`query ($id: ID!) { datasetVersion(id: $id) { id } }`;
    const versionId = gid("DatasetVersion", seeded.versionId);
    /** Polls for up to 1 s (a notification's trip), far below the 5 s the TTL alone would take. */
    async function soon(check: () => Promise<boolean>) {
      const deadline = Date.now() + 1_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error("not applied within 1 s");
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const user = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "auth-feed");
    const token = await seedToken(server.store, user.id, seeded.consortiumId, "VIEWER");
    const machine = new TestClient(server, token.secret);
    const person = await signIn(server, user.email);
    for (const client of [machine, person]) expect((await client.query(VERSION, { id: versionId })).data.datasetVersion).not.toBeNull();

    await sql.query(`UPDATE "ApiToken" SET "revokedAt" = now() WHERE id = $1`, [token.id]);
    await soon(async () => (await machine.query(VERSION, { id: versionId })).errors[0]?.extensions?.code === "UNAUTHENTICATED");

    await sql.query(`DELETE FROM "Membership" WHERE "userId" = $1`, [user.id]);
    await soon(async () => (await person.query(VERSION, { id: versionId })).data?.datasetVersion === null);

    await sql.query(`DELETE FROM "Session" WHERE "userId" = $1`, [user.id]);
    await soon(async () => (await person.query<{ viewer: { id: string } | null }>(gql`{ viewer { id } }`)).data?.viewer == null);
  });
});
