// STRATUM_THREADS / ctx.threads (issue 13 item 1): the same ANALYZE and SELECT jobs, through the job system,
// on 1 and on 2 engine threads give the same stored analysis (every member's group and layout) and the
// same manifest hash; the thread count is stored nowhere. A different seed is the control: the
// comparison can fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { tmpdir } from "node:os";
import { openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { EngineInputError } from "@stratum/engine";
import { createEventBus, type EventBus } from "../../events/index.js";
import { createJobSystem } from "../index.js";
import { defaultHandlers } from "../handlers/index.js";
import { ConfigError, loadConfig } from "../../env.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

let store: Store;
let bus: EventBus;
let seeded: SeededDataset;
const dir = path.join(tmpdir(), `stratum-threads-${process.pid}`);
const storage = { filesDir: dir, uploadDir: path.join(dir, "uploads"), storageGrants: {} as Record<string, string[]> };

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  bus = await createEventBus(store);
  // Three classes: the threaded path splits per class (one class would run in-process).
  seeded = await seedDataset(store, { n: 240, classes: ["covid", "normal", "pneumonia"], groups: 2 });
});
afterAll(async () => {
  await bus?.close();
  await store?.close();
});

/**
 * Runs `jobIds` to their end on a job system of `threads` engine threads, then closes it. The in-process
 * queue on both stores (pg-boss, PostgreSQL's default, has no idle()): what differs here is ctx.threads.
 */
async function runOn(threads: number, jobIds: number[]) {
  const jobs = await createJobSystem(store, bus, { handlers: defaultHandlers(), storage, threads, queue: "in-process" });
  try {
    expect(jobs.runner.threads).toBe(threads);
    for (const id of jobIds) await jobs.queue.enqueue(id);
    await jobs.queue.idle();
  } finally {
    await jobs.close();
  }
  const rows = await store.prisma.job.findMany({ where: { id: { in: jobIds } }, orderBy: { id: "asc" } });
  for (const job of rows) expect({ id: job.id, status: job.status, error: job.error }).toEqual({ id: job.id, status: "SUCCEEDED", error: null });
}

async function createAnalysis(params: Record<string, unknown>) {
  const job = await store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "ANALYZE", payload: {} } });
  const analysis = await store.prisma.confounderAnalysis.create({
    data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: params as object, jobId: job.id },
  });
  await store.prisma.job.update({ where: { id: job.id }, data: { payload: { analysisId: analysis.id } } });
  return { analysisId: analysis.id, jobId: job.id };
}

/** The stored analysis, without its ids: per member its class, group index, layout and mode. */
async function storedAnalysis(analysisId: number) {
  const a = await store.prisma.confounderAnalysis.findUniqueOrThrow({ where: { id: analysisId } });
  const members = await store.prisma.confounderGroupMember.findMany({ where: { group: { analysisId } }, include: { group: true }, orderBy: { sampleId: "asc" } });
  return {
    results: a.results,
    params: a.params,
    members: members.map((m) => [m.sampleId, m.group.label, m.group.index, m.x, m.y, m.mode]),
  };
}

/** A stored JSON value without the database ids of ConfounderGroup rows (groupId, groupIds) (each pipeline has its own analysis). */
const withoutGroupIds = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === "groupId" || k === "groupIds" ? undefined : v)));

async function storedRun(runId: number) {
  const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
  const items = await store.prisma.selectionItem.findMany({ where: { runId }, orderBy: { rank: "asc" } });
  return {
    manifestHash: run.manifestHash,
    params: withoutGroupIds(run.params),
    metrics: withoutGroupIds(run.metrics),
    warnings: run.warnings,
    items: items.map((i) => [i.rank, i.sampleId, i.label, i.groupKey, i.reason]),
  };
}

/** One analysis (UMAP) and three selections over it: confounder-aware, k-center, and k-center with constraints. */
async function pipeline(threads: number, seed: number) {
  const analysis = await createAnalysis({ reduce: "umap", seed });
  await runOn(threads, [analysis.jobId]);
  const aware = await createSelectRun(store, seeded, { strategy: "confounder-aware", perClass: 10, seed, analysisId: analysis.analysisId, extra: { declared: ["scanner"] } });
  const kcenter = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 12, seed });
  const constrained = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 12, seed });
  // Constraints as the run service records them: 20 samples excluded, 2 must-include.
  await store.prisma.selectionRunSample.createMany({
    data: [
      ...seeded.sampleIds.slice(0, 20).map((sampleId) => ({ runId: constrained.runId, role: "EXCLUDE" as const, sampleId, reason: "test exclusion" })),
      ...seeded.sampleIds.slice(20, 22).map((sampleId) => ({ runId: constrained.runId, role: "INCLUDE" as const, sampleId, reason: "test include" })),
    ],
  });
  await runOn(threads, [aware.jobId, kcenter.jobId, constrained.jobId]);
  return {
    analysis: await storedAnalysis(analysis.analysisId),
    aware: await storedRun(aware.runId),
    kcenter: await storedRun(kcenter.runId),
    constrained: await storedRun(constrained.runId),
  };
}

describe("engine threads in jobs", () => {
  it("ANALYZE and SELECT on 1 and on 2 threads store the same analysis, items and manifest hashes", async () => {
    const one = await pipeline(1, 5);
    const two = await pipeline(2, 5);
    expect(one.analysis.members).toHaveLength(240);
    expect(new Set(one.analysis.members.map((m) => m[1]))).toEqual(new Set(["covid", "normal", "pneumonia"]));
    expect(two.analysis).toEqual(one.analysis);
    for (const run of ["aware", "kcenter", "constrained"] as const) {
      expect(one[run].manifestHash).toMatch(/^[0-9a-f]{64}$|^sha256:/);
      expect(two[run].manifestHash, run).toBe(one[run].manifestHash);
      expect(two[run], run).toEqual(one[run]);
    }
    expect(one.aware.items).toHaveLength(30);
    expect(one.constrained.items.filter((i) => i[3] === "include")).toHaveLength(2);
    // The thread count is not a parameter of the run or the analysis: stored nowhere.
    expect(JSON.stringify([one, two])).not.toMatch(/thread/i);

    // Control: another seed on 2 threads gives other items, so the equality above can fail.
    const other = await pipeline(2, 6);
    expect(other.kcenter.manifestHash).not.toBe(one.kcenter.manifestHash);
  });

  it("STRATUM_THREADS: 1..64, default the cores available; anything else is a ConfigError naming it", () => {
    expect(loadConfig({ STRATUM_THREADS: "1" }).threads).toBe(1);
    expect(loadConfig({ STRATUM_THREADS: " 64 " }).threads).toBe(64);
    expect(loadConfig({}).threads).toBeGreaterThanOrEqual(1);
    for (const bad of ["0", "65", "1.5", "two", "-1"]) {
      expect(() => loadConfig({ STRATUM_THREADS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ STRATUM_THREADS: bad }), bad).toThrow(/STRATUM_THREADS/);
    }
  });

  it("a job system refuses an out-of-range threads option (BAD_THREADS), before any job", async () => {
    const err = await createJobSystem(store, bus, { handlers: defaultHandlers(), storage, threads: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineInputError);
    expect((err as EngineInputError).code).toBe("BAD_THREADS");
    expect((err as EngineInputError).field).toBe("threads");
  });
});
