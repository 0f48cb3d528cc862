// createSelectionRun on a real store (PGlite, or PostgreSQL when DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelectionRun, openStore, SelectionWriteError, type CreateSelectionRunInput, type PrismaClient, type Store } from "../index.js";
import { testStoreOptions } from "../testing.js";
import { seedSelectionFixture, type SelectionFixture } from "./selection-fixtures.js";

let store: Store;
let f: SelectionFixture;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  f = await seedSelectionFixture(store, "create");
});
afterAll(async () => {
  await store?.close();
});

const base = (): CreateSelectionRunInput => ({
  consortiumId: f.consortiumId,
  datasetVersionId: f.versionId,
  embeddingSetId: null,
  analysisId: null,
  parentId: null,
  name: "first",
  strategy: "random",
  params: { allocation: "equal" },
  seed: 4_000_000_000,
  budgetPerClass: 2,
  createdById: f.userId,
});

const counts = async () => ({
  runs: await store.prisma.selectionRun.count(),
  jobs: await store.prisma.job.count(),
  constraints: await store.prisma.selectionRunSample.count(),
  audit: await store.prisma.auditEvent.count(),
});

describe("createSelectionRun()", () => {
  it("writes the run, its QUEUED SELECT job (payload from its INSERT, never updated) and constraint rows, with the caller's audit row in the same transaction", async () => {
    // Every model write the function makes, in order (a Prisma extension around the store's client).
    const writes: string[] = [];
    const recording = store.prisma.$extends({
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }) {
            if (!/^find|^count|^aggregate|^groupBy/.test(operation)) writes.push(`${model}.${operation}`);
            return query(args);
          },
        },
      },
    }) as unknown as PrismaClient;
    const rows = [
      { role: "POOL" as const, sampleId: f.sampleIds[0]!, reason: "pool subset" },
      { role: "EXCLUDE" as const, sampleId: f.sampleIds[1]!, reason: "duplicate" },
      { role: "INCLUDE" as const, sampleId: f.sampleIds[2]!, reason: "must include" },
    ];
    const created = await createSelectionRun({ prisma: recording }, { ...base(), constraints: rows }, async (tx, c) => {
      await tx.auditEvent.create({ data: { consortiumId: f.consortiumId, actorId: f.userId, action: "selectionRunStart", targetType: "SelectionRun", targetId: String(c.runId), details: { jobId: c.jobId } } });
    });
    expect(writes).toEqual(["Job.create", "SelectionRun.create", "AuditEvent.create"]);
    expect(created.constraintRows).toBe(3);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: created.runId } });
    expect(run).toMatchObject({ status: "QUEUED", jobId: created.jobId, seed: 4_000_000_000n, budgetPerClass: 2, params: { allocation: "equal" }, name: "first", createdById: f.userId, parentId: null });
    const job = await store.prisma.job.findUniqueOrThrow({ where: { id: created.jobId } });
    expect(job).toMatchObject({ kind: "SELECT", status: "QUEUED", consortiumId: f.consortiumId, createdById: f.userId, payload: { runId: created.runId, reproduce: false } });
    const stored = await store.prisma.selectionRunSample.findMany({ where: { runId: created.runId }, orderBy: { role: "asc" } });
    expect(stored.map((r) => [r.role, r.sampleId, r.reason]).sort()).toEqual(rows.map((r) => [r.role, r.sampleId, r.reason]).sort());
    expect(await store.prisma.auditEvent.count({ where: { targetId: String(created.runId) } })).toBe(1);

    // A reproduction copies its parent's rows exactly and says so in its job's payload.
    const child = await createSelectionRun(store, { ...base(), parentId: created.runId, name: "first (reproduction)", constraints: "parent" });
    expect(child.constraintRows).toBe(3);
    expect((await store.prisma.job.findUniqueOrThrow({ where: { id: child.jobId } })).payload).toEqual({ runId: child.runId, reproduce: true });
    const copied = await store.prisma.selectionRunSample.findMany({ where: { runId: child.runId } });
    expect(copied.map((r) => [r.role, r.sampleId, r.reason]).sort()).toEqual(stored.map((r) => [r.role, r.sampleId, r.reason]).sort());
  });

  it("failing halfway writes nothing: a throw in the caller's step, or a constraint row naming no sample, leaves no run, no job and no rows", async () => {
    const before = await counts();
    await expect(
      createSelectionRun(store, { ...base(), constraints: [{ role: "POOL", sampleId: f.sampleIds[3]!, reason: "pool" }] }, async (tx) => {
        await tx.auditEvent.create({ data: { consortiumId: f.consortiumId, action: "selectionRunStart", targetType: "SelectionRun", details: {} } });
        throw new Error("audit failed");
      }),
    ).rejects.toThrow("audit failed");
    expect(await counts()).toEqual(before);
    await expect(createSelectionRun(store, { ...base(), constraints: [{ role: "POOL", sampleId: f.sampleIds[3]!, reason: "ok" }, { role: "POOL", sampleId: 2_000_000_000, reason: "ghost" }] })).rejects.toThrow();
    expect(await counts()).toEqual(before);
    // A version that does not exist fails on the run's INSERT, after the Job row was written: no job remains.
    await expect(createSelectionRun(store, { ...base(), datasetVersionId: 2_000_000_000 })).rejects.toThrow();
    expect(await counts()).toEqual(before);
  });

  it("checks its input before writing: typed errors naming the field", async () => {
    const before = await counts();
    const fails = async (input: unknown, field: string) => {
      const error = await createSelectionRun(store, input as CreateSelectionRunInput).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SelectionWriteError);
      expect(error).toMatchObject({ code: "BAD_INPUT", field });
    };
    await fails({ ...base(), seed: 2 ** 32 }, "seed");
    await fails({ ...base(), seed: -1 }, "seed");
    await fails({ ...base(), budgetPerClass: 0 }, "budgetPerClass");
    await fails({ ...base(), strategy: "" }, "strategy");
    await fails({ ...base(), datasetVersionId: "1" }, "datasetVersionId");
    await fails({ ...base(), constraints: "parent" }, "constraints");
    await fails({ ...base(), constraints: [{ role: "KEEP", sampleId: f.sampleIds[0], reason: "" }] }, "constraints.0.role");
    await fails({ ...base(), constraints: [{ role: "POOL", sampleId: 0, reason: "" }] }, "constraints.0.sampleId");
    expect(await counts()).toEqual(before);
  });
});
