// The raw-SQL DatasetVersion loader returns rows exactly as Prisma does (createdAt included).
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createCoreLoaders } from "./loaders.js";

let store: Store;
beforeAll(async () => {
  store = await openStore(await testStoreOptions());
});
afterAll(async () => {
  await store?.close();
});

it("loaders.datasetVersion (raw SQL) gives the same rows as Prisma, null for a missing id", async () => {
  const one = async (q: string, p: unknown[] = []) => (await store.sql.query<{ id: number }>(q, p)).rows[0]!;
  const c = await one(`INSERT INTO "Consortium" (slug, name) VALUES ('loaders', 'L') RETURNING id`);
  const p = await one(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [c.id]);
  const d = await one(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [p.id]);
  const v1 = await one(`INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 1, 'first "ü"', 'h1', 5) RETURNING id`, [d.id]);
  const v2 = await one(
    `INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount", "parentId") VALUES ($1, 2, 'second', 'h2', 7, $2) RETURNING id`,
    [d.id, v1.id],
  );
  const loaders = createCoreLoaders(store);
  const [a, b, missing] = await Promise.all([v1.id, v2.id, 999_999].map((id) => loaders.datasetVersion.load(id)));
  expect({ ...a }).toEqual(await store.prisma.datasetVersion.findUnique({ where: { id: v1.id } }));
  expect({ ...b }).toEqual(await store.prisma.datasetVersion.findUnique({ where: { id: v2.id } }));
  expect(a!.createdAt).toBeInstanceOf(Date);
  expect(missing).toBeNull();
});
