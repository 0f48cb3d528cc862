import { describe, it, expect } from "vitest";
import { openStore, applyMigrations } from "../index.js";
import { testStoreOptions } from "../testing.js";

describe("openStore()", () => {
  it("applies every migration once and serves Prisma queries", async () => {
    const store = await openStore(await testStoreOptions());
    try {
      expect(await applyMigrations(store)).toEqual([]); // already applied by openStore
      const c = await store.prisma.consortium.create({ data: { slug: "c1", name: "C1" } });
      expect(c.id).toBeGreaterThan(0);
      const rows = await store.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM "Consortium"');
      expect(rows.rows[0]?.n).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("transaction(fn) rolls back everything when fn throws", async () => {
    const store = await openStore(await testStoreOptions());
    try {
      await expect(
        store.transaction(async (sql) => {
          await sql.query(`INSERT INTO "Consortium" (slug, name) VALUES ('x', 'X')`);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.prisma.consortium.count({ where: { slug: "x" } })).toBe(0);
    } finally {
      await store.close();
    }
  });
});
