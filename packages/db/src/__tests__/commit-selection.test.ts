// commitSelection on a real store (PGlite, or PostgreSQL when DATABASE_URL is set): all or nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitSelection, openStore, SelectionWriteError, type SelectionItemInput, type Store } from "../index.js";
import { testStoreOptions } from "../testing.js";
import { HASH, insertRun, seedSelectionFixture, type SelectionFixture } from "./selection-fixtures.js";

let store: Store;
let f: SelectionFixture;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  f = await seedSelectionFixture(store, "commit");
});
afterAll(async () => {
  await store?.close();
});

const itemsOf = (sampleIds: number[]): SelectionItemInput[] =>
  sampleIds.map((sampleId, rank) => ({ sampleId, rank, label: f.labels[f.sampleIds.indexOf(sampleId)] ?? "a", groupId: null, groupKey: "k", reason: `draw ${rank}` }));

async function state(runId: number) {
  const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
  const items = await store.prisma.selectionItem.findMany({ where: { runId }, orderBy: { rank: "asc" } });
  return { run, items };
}

describe("commitSelection()", () => {
  it("writes the items and the run's SUCCEEDED state, hash, metrics and warnings in one transaction, with the caller's step inside it", async () => {
    const runId = await insertRun(store, f);
    const seen: number[] = [];
    const out = await commitSelection(
      store,
      { runId, items: itemsOf(f.sampleIds.slice(0, 4)), manifestHash: HASH("a"), metrics: { selected: 4 }, warnings: ["w"], reproducible: null },
      async (sql, written) => {
        // Inside the transaction: the items are visible to it.
        const n = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SelectionItem" WHERE "runId" = $1`, [runId]);
        seen.push(n.rows[0]!.n, written.items);
        return "marked";
      },
    );
    expect(out).toEqual({ runId, manifestHash: HASH("a"), items: 4, reproducible: null, inTransaction: "marked" });
    expect(seen).toEqual([4, 4]);
    const { run, items } = await state(runId);
    expect(run).toMatchObject({ status: "SUCCEEDED", phase: "done", progress: 1, manifestHash: HASH("a"), metrics: { selected: 4 }, warnings: ["w"], error: null });
    expect(run.completedAt).toBeInstanceOf(Date);
    expect(items.map((i) => [i.sampleId, i.rank, i.reason])).toEqual(f.sampleIds.slice(0, 4).map((id, r) => [id, r, `draw ${r}`]));
  });

  it("replaces an earlier attempt's items (a retried job) and records reproducible", async () => {
    const runId = await insertRun(store, f);
    await commitSelection(store, { runId, items: itemsOf(f.sampleIds.slice(0, 3)), manifestHash: HASH("b"), metrics: {}, warnings: [], reproducible: null });
    await commitSelection(store, { runId, items: itemsOf(f.sampleIds.slice(5, 7)), manifestHash: HASH("c"), metrics: {}, warnings: [], reproducible: true });
    const { run, items } = await state(runId);
    expect(items.map((i) => i.sampleId)).toEqual(f.sampleIds.slice(5, 7));
    expect(run).toMatchObject({ manifestHash: HASH("c"), reproducible: true });
  });

  it("failing halfway writes nothing: a throw in the caller's step, or a bad item after the run row was updated, leaves the run and its earlier items as they were", async () => {
    const runId = await insertRun(store, f);
    await commitSelection(store, { runId, items: itemsOf(f.sampleIds.slice(0, 2)), manifestHash: HASH("d"), metrics: { first: true }, warnings: [], reproducible: null });
    const before = await state(runId);
    // 1. Everything is written, then the caller's step (the job's lease check) throws.
    await expect(
      commitSelection(store, { runId, items: itemsOf(f.sampleIds.slice(2, 8)), manifestHash: HASH("e"), metrics: { second: true }, warnings: ["x"], reproducible: null }, async () => {
        throw new Error("lease lost");
      }),
    ).rejects.toThrow("lease lost");
    expect(await state(runId)).toEqual(before);
    // 2. The run row is updated and the old items deleted, then an item names a sample that does not exist.
    const bad = [...itemsOf(f.sampleIds.slice(2, 5)), { sampleId: 2_000_000_000, rank: 3, label: "a", groupId: null, groupKey: null, reason: "ghost" }];
    await expect(commitSelection(store, { runId, items: bad, manifestHash: HASH("f"), metrics: {}, warnings: [], reproducible: null })).rejects.toThrow();
    expect(await state(runId)).toEqual(before);
    // 3. A QUEUED run that fails its first commit stays QUEUED with no items.
    const fresh = await insertRun(store, f);
    await expect(commitSelection(store, { runId: fresh, items: bad, manifestHash: HASH("f"), metrics: {}, warnings: [], reproducible: null })).rejects.toThrow();
    const s = await state(fresh);
    expect(s.run).toMatchObject({ status: "QUEUED", manifestHash: null, metrics: null, completedAt: null });
    expect(s.items).toEqual([]);
  });

  it("checks its input before writing: typed errors naming the field; a missing run is NOT_FOUND", async () => {
    const runId = await insertRun(store, f);
    const ok = { runId, items: itemsOf(f.sampleIds.slice(0, 1)), manifestHash: HASH("a"), metrics: {}, warnings: [], reproducible: null };
    const fails = async (input: unknown, code: string, field: string) => {
      const error = await commitSelection(store, input as typeof ok).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SelectionWriteError);
      expect(error).toMatchObject({ code, field });
    };
    await fails({ ...ok, runId: 1.5 }, "BAD_INPUT", "runId");
    await fails({ ...ok, manifestHash: "md5:x" }, "BAD_INPUT", "manifestHash");
    await fails({ ...ok, items: [{ ...ok.items[0], rank: -1 }] }, "BAD_INPUT", "items.0.rank");
    await fails({ ...ok, items: [{ ...ok.items[0], sampleId: "7" }] }, "BAD_INPUT", "items.0.sampleId");
    await fails({ ...ok, runId: 2_000_000_000 }, "NOT_FOUND", "runId");
    expect((await state(runId)).run.status).toBe("QUEUED");
  });
});
