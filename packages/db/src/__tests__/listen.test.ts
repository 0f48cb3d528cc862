// store.listen(): NOTIFYs reach the handler (on PGlite in-process, on PostgreSQL over a LISTEN
// connection), sync() is a barrier for everything committed before it, the run-change trigger names
// the version of every run written, and a dropped connection resets and comes back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, PgNotificationFeed, type NotificationFeed, type Store } from "../index.js";
import { testStoreOptions } from "../testing.js";

let store: Store;
beforeAll(async () => {
  store = await openStore(await testStoreOptions());
});
afterAll(async () => {
  await store?.close();
});

function recorder() {
  const got: string[] = [];
  let resets = 0;
  return { got, resets: () => resets, handlers: { message: (p: string) => got.push(p), reset: () => resets++ } };
}

describe("store.listen()", () => {
  it("delivers every notification committed before sync() resolves, in commit order", async () => {
    const r = recorder();
    const feed = await store.listen(["stratum_test_feed"], r.handlers);
    try {
      expect(feed.live).toBe(true);
      for (let i = 0; i < 50; i++) {
        await store.sql.query(`SELECT pg_notify('stratum_test_feed', $1)`, [String(i)]);
        await feed.sync();
        expect(r.got.at(-1)).toBe(String(i)); // no waiting beyond the barrier
      }
      await store.transaction(async (sql) => {
        await sql.query(`SELECT pg_notify('stratum_test_feed', 'in-tx')`);
        await sql.query(`SELECT pg_notify('stratum_other_feed', 'elsewhere')`);
      });
      await feed.sync();
      expect(r.got.at(-1)).toBe("in-tx");
      expect(r.got).not.toContain("elsewhere");
      // Concurrent callers share round trips and all resolve.
      await Promise.all(Array.from({ length: 20 }, () => feed.sync()));
    } finally {
      await feed.close();
    }
  });

  it("the change triggers name the version of each run written, each version updated or deleted, and * on TRUNCATE", async () => {
    const r = recorder();
    const feed = await store.listen(["stratum_changes"], r.handlers);
    try {
      const one = async (q: string, p: unknown[] = []) => (await store.sql.query<{ id: number }>(q, p)).rows[0]!.id;
      const c = await one(`INSERT INTO "Consortium" (slug, name) VALUES ('feed', 'F') RETURNING id`);
      const p = await one(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [c]);
      const d = await one(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [p]);
      const v1 = await one(`INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 1, 'm', 'h', 0) RETURNING id`, [d]);
      const v2 = await one(`INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 2, 'm', 'h', 0) RETURNING id`, [d]);
      const run = await one(`INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass") VALUES ($1, 'random', '{}', 0, 1) RETURNING id`, [v1]);
      await store.sql.query(`UPDATE "SelectionRun" SET phase = 'x' WHERE id = $1`, [run]);
      await store.sql.query(`UPDATE "SelectionRun" SET "datasetVersionId" = $2 WHERE id = $1`, [run, v2]); // both versions change
      await store.sql.query(`DELETE FROM "SelectionRun" WHERE id = $1`, [run]);
      await store.sql.query(`UPDATE "DatasetVersion" SET message = 'n' WHERE id = $1`, [v1]);
      await store.sql.query(`DELETE FROM "DatasetVersion" WHERE id = $1`, [v2]);
      await store.sql.exec(`TRUNCATE "SelectionRun" CASCADE`);
      await feed.sync();
      const runs = (v: number) => `runs:${v}`;
      expect(r.got).toEqual([runs(v1), runs(v1), runs(v1), runs(v2), runs(v2), `version:${v1}`, `version:${v2}`, "*"]);
    } finally {
      await feed.close();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)("PgNotificationFeed on PostgreSQL", () => {
  it("a dropped connection resets (down), reconnects, resets again (up) and delivers again", async () => {
    const r = recorder();
    const feed = (await store.listen(["stratum_test_drop"], r.handlers)) as NotificationFeed & PgNotificationFeed;
    try {
      feed.simulateDisconnect();
      expect(feed.live).toBe(false);
      expect(r.resets()).toBe(1);
      await expect(feed.sync()).rejects.toThrow(/not connected/);
      const deadline = Date.now() + 10_000;
      while (!feed.live && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      expect(feed.live).toBe(true);
      expect(r.resets()).toBe(2);
      await store.sql.query(`SELECT pg_notify('stratum_test_drop', 'back')`);
      await feed.sync();
      expect(r.got).toEqual(["back"]);
    } finally {
      await feed.close();
    }
  });

  it("refuses a channel that is not a plain identifier", async () => {
    await expect(PgNotificationFeed.open(store.databaseUrl!, ["bad; DROP"], recorder().handlers)).rejects.toThrow(RangeError);
  });
});
