// Crash safety against real processes: `node dist/worker.js` on PostgreSQL, SIGKILLed mid-job.
// Needs PostgreSQL (workers share jobs through it) and a built dist/ (turbo's test task builds first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { findRepoRoot, openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { manifestHash } from "@stratum/engine";
import { createEventBus, type EventBus } from "../../events/index.js";
import { createJobSystem, type JobSystem } from "../index.js";
import { defaultHandlers } from "../handlers/index.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const workerJs = path.join(serverRoot, "dist/worker.js");
const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres) console.warn("worker-kill.test: skipped — set DATABASE_URL to a PostgreSQL server to run the kill-a-worker tests");

let store: Store;
let bus: EventBus;
let jobs: JobSystem;
let seeded: SeededDataset;
let databaseUrl: string;
const children = new Set<ChildProcess>();

function startWorker(env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [workerJs], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      STRATUM_JOB_HEARTBEAT_MS: "200",
      STRATUM_JOB_STALE_MS: "1500",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (code !== 0 && signal !== "SIGKILL" && signal !== "SIGTERM") console.error(`worker exited with ${code}:\n${log}`);
  });
  children.add(child);
  return child;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

describe.runIf(hasPostgres)("a worker killed mid-job (PostgreSQL, real processes)", () => {
  beforeAll(async () => {
    if (!existsSync(workerJs)) {
      const r = spawnSync(process.execPath, [path.join(findRepoRoot(), "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: serverRoot, stdio: "inherit" });
      if (!existsSync(workerJs)) throw new Error(`could not build ${workerJs} (tsc exited ${r.status})`);
    }
    const options = await testStoreOptions();
    databaseUrl = options.databaseUrl as string;
    store = await openStore(options);
    bus = await createEventBus(store);
    jobs = await createJobSystem(store, bus, { handlers: defaultHandlers(), queue: "pg-boss", work: false }); // this process only enqueues
    seeded = await seedDataset(store, { n: 8_000, dim: 16, groups: 3 });
  }, 120_000);

  afterAll(async () => {
    for (const child of [...children]) await stop(child, "SIGKILL");
    await jobs?.close();
    await bus?.close();
    await store?.close();
  });

  async function killMidJob(jobId: number) {
    const first = startWorker();
    await jobs.queue.enqueue(jobId);
    await until("the first worker to claim the job", async () => {
      const job = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return job.status === "RUNNING" && job.attempts === 1;
    });
    await stop(first, "SIGKILL");
  }

  it("the job is re-queued by another worker, resumes and writes the whole run exactly once", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 1000, seed: 5 });
    await killMidJob(jobId);
    // Right after the kill: no half-written run.
    const job = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status).toBe("RUNNING");
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
    expect((await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } })).manifestHash).toBeNull();

    const second = startWorker();
    const done = await until("the second worker to finish the job", async () => {
      const j = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    }, 120_000, 100);
    expect(done.error).toBeNull();
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts).toBe(2);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    const items = await store.prisma.selectionItem.findMany({ where: { runId }, include: { sample: true }, orderBy: { rank: "asc" } });
    expect(items).toHaveLength(2000);
    expect(items.map((i) => i.rank)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    // The stored items hash to the stored manifest hash: the run is whole.
    expect(manifestHash(items.map((i) => ({ rank: i.rank, id: i.sample.externalId, label: i.label, group: null })))).toBe(run.manifestHash);
    await stop(second, "SIGTERM");
  }, 180_000);

  it("with no attempts left the job and its run are FAILED cleanly, with no items", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "kcenter", perClass: 1000, seed: 6 });
    await killMidJob(jobId);
    const second = startWorker({ STRATUM_JOB_MAX_ATTEMPTS: "1" });
    const done = await until("the job to be failed", async () => {
      const j = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return j.status === "FAILED" ? j : undefined;
    }, 60_000, 100);
    expect(done.error).toMatch(/WORKER_LOST/);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(/WORKER_LOST/);
    expect(await store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
    await stop(second, "SIGTERM");
  }, 120_000);

  // Shipped in the repository: this test never skips.
  const npz = path.join(findRepoRoot(), "data/demo/pneumoniamnist.npz");
  it("an EMBED job killed after some batches resumes from what is stored and completes the set", async () => {
    const p = store.prisma;
    const demo = path.resolve(findRepoRoot(), "packages/embed/models/demo-cnn");
    const n = 600;
    const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name: "embed-kill" } });
    await p.sample.createMany({
      data: Array.from({ length: n }, (_, i) => ({ datasetId: dataset.id, externalId: `k${i}`, uri: `npz:${npz}#train_images[${i}]`, label: i % 2 ? "pneumonia" : "normal", contentHash: `k${i}` })),
    });
    const samples = await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { id: "asc" } });
    const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "m", contentHash: "c", sampleCount: n } });
    await p.datasetVersionSample.createMany({ data: samples.map((s, position) => ({ versionId: version.id, sampleId: s.id, position })) });
    const model = await p.embeddingModel.create({
      data: { consortiumId: seeded.consortiumId, name: "demo-cnn-kill", kind: "ONNX", dim: 128, filePath: path.join(demo, "model.onnx"), config: JSON.parse(readFileSync(path.join(demo, "model.json"), "utf8")) },
    });
    const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "EMBED", payload: {}, total: n } });
    const set = await p.embeddingSet.create({ data: { modelId: model.id, datasetVersionId: version.id, dim: 128, jobId: job.id } });
    await p.job.update({ where: { id: job.id }, data: { payload: { setId: set.id } } });

    // The samples name the shipped demo arrays: the operator grants that folder to this consortium.
    const { slug } = await p.consortium.findUniqueOrThrow({ where: { id: seeded.consortiumId } });
    const grants = { STRATUM_STORAGE_GRANTS: JSON.stringify({ [slug]: [path.dirname(npz)] }) };
    const first = startWorker(grants);
    await jobs.queue.enqueue(job.id);
    const storedAtKill = await until("a few batches to be stored", async () => {
      const count = await p.embeddingVector.count({ where: { setId: set.id } });
      return count >= 64 ? count : undefined;
    }, 120_000, 20);
    await stop(first, "SIGKILL");
    const afterKill = await p.embeddingVector.count({ where: { setId: set.id } });
    expect(afterKill).toBeGreaterThanOrEqual(storedAtKill);
    expect(afterKill).toBeLessThan(n); // killed mid-job
    expect((await p.embeddingSet.findUniqueOrThrow({ where: { id: set.id } })).status).not.toBe("COMPLETE");

    const second = startWorker(grants);
    const done = await until("the second worker to finish embedding", async () => {
      const j = await p.job.findUniqueOrThrow({ where: { id: job.id } });
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    }, 180_000, 100);
    expect(done.error).toBeNull();
    expect(done.attempts).toBe(2);
    const result = done.result as { count: number; resumedFrom: number };
    expect(result.resumedFrom).toBeGreaterThanOrEqual(afterKill); // the second attempt skipped what was stored
    expect(result.count).toBe(n);
    const after = await p.embeddingSet.findUniqueOrThrow({ where: { id: set.id } });
    expect(after).toMatchObject({ status: "COMPLETE", count: n });
    await stop(second, "SIGTERM");
  }, 300_000);
});
