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

  it("raw SQL and Prisma agree on timestamps (UTC) on a machine that is not set to UTC", async () => {
    const tz = process.env.TZ;
    process.env.TZ = "America/New_York"; // Node applies a changed TZ at once
    const store = await openStore(await testStoreOptions());
    try {
      const at = new Date("2026-01-15T12:00:00.000Z");
      // A Date written by raw SQL, a column default, and Prisma's own write: each read both ways.
      await store.sql.query(`INSERT INTO "Consortium" (slug, name, "createdAt") VALUES ('tz-raw', 'T', $1)`, [at]);
      await store.sql.query(`INSERT INTO "Consortium" (slug, name) VALUES ('tz-default', 'T')`);
      await store.prisma.consortium.create({ data: { slug: "tz-prisma", name: "T", createdAt: at } });
      const raw = await store.sql.query<{ slug: string; createdAt: Date }>(`SELECT slug, "createdAt" FROM "Consortium" WHERE slug LIKE 'tz-%' ORDER BY slug`);
      const viaPrisma = await store.prisma.consortium.findMany({ where: { slug: { startsWith: "tz-" } }, orderBy: { slug: "asc" } });
      expect(raw.rows.map((r) => r.createdAt.toISOString())).toEqual(viaPrisma.map((r) => r.createdAt.toISOString()));
      expect(raw.rows.find((r) => r.slug === "tz-raw")!.createdAt.toISOString()).toBe(at.toISOString());
      expect(raw.rows.find((r) => r.slug === "tz-prisma")!.createdAt.toISOString()).toBe(at.toISOString());
      // The default is "now" in UTC, not the machine's wall-clock time read as UTC.
      expect(Math.abs(raw.rows.find((r) => r.slug === "tz-default")!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      const literal = await store.sql.query<{ t: Date }>(`SELECT TIMESTAMP '2026-01-01 12:00:00' AS t`);
      expect(literal.rows[0]!.t.toISOString()).toBe("2026-01-01T12:00:00.000Z");
    } finally {
      await store.close();
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
