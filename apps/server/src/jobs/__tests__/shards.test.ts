// Sharded analysis on pg-boss (issue 13, scale-out) with real `node dist/worker.js` processes: two
// workers split an analysis per class and commit it once, equal to the unsharded analysis; a worker
// SIGKILLed while running a shard (and its parent) leaves nothing written, and another worker finishes
// the same analysis with the same result. Needs PostgreSQL and a built dist/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findRepoRoot, openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createEventBus, type EventBus } from "../../events/index.js";
import { createJobSystem, type JobSystem } from "../index.js";
import { defaultHandlers } from "../handlers/index.js";
import { seedDataset, type SeededDataset } from "../../test/fixtures.js";
import { until } from "../../test/wait.js";

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const workerJs = path.join(serverRoot, "dist/worker.js");
const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres) console.warn("shards.test: skipped — set DATABASE_URL to a PostgreSQL server to run the sharded-analysis tests");

let store: Store;
let bus: EventBus;
let jobs: JobSystem;
let seeded: SeededDataset;
let databaseUrl: string;
const children = new Set<ChildProcess>();
const PARAMS = { reduce: "umap", seed: 11 };

function startWorker(env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [workerJs], {
    env: { ...process.env, DATABASE_URL: databaseUrl, STRATUM_JOB_HEARTBEAT_MS: "200", STRATUM_JOB_STALE_MS: "1500", STRATUM_SHARD_MIN_ROWS: "1000", ...env },
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

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

async function createAnalysis(): Promise<{ analysisId: number; jobId: number }> {
  const p = store.prisma;
  const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "ANALYZE", payload: {}, createdById: seeded.userId } });
  const a = await p.confounderAnalysis.create({
    data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: PARAMS, createdById: seeded.userId, jobId: job.id },
  });
  await p.job.update({ where: { id: job.id }, data: { payload: { analysisId: a.id } } });
  return { analysisId: a.id, jobId: job.id };
}

/** The analysis as written, without row ids: groups with their members' layout, and the results. */
async function written(analysisId: number) {
  const p = store.prisma;
  const groups = await p.confounderGroup.findMany({ where: { analysisId }, orderBy: [{ label: "asc" }, { index: "asc" }], include: { members: { orderBy: { sampleId: "asc" } } } });
  const analysis = await p.confounderAnalysis.findUniqueOrThrow({ where: { id: analysisId } });
  return {
    status: analysis.status,
    results: analysis.results,
    groups: groups.map((g) => ({ label: g.label, index: g.index, size: g.size, isNoise: g.isNoise, associations: g.associations, modes: g.modes, members: g.members.map((m) => [m.sampleId, m.x, m.y, m.mode]) })),
  };
}

async function finished(jobId: number) {
  return until(`job ${jobId} to finish`, async () => {
    const j = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
  }, 240_000, 100);
}

describe.runIf(hasPostgres)("an analysis sharded per class across worker processes (PostgreSQL)", () => {
  let reference: Awaited<ReturnType<typeof written>>;

  beforeAll(async () => {
    if (!existsSync(workerJs)) {
      const r = spawnSync(process.execPath, [path.join(findRepoRoot(), "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: serverRoot, stdio: "inherit" });
      if (!existsSync(workerJs)) throw new Error(`could not build ${workerJs} (tsc exited ${r.status})`);
    }
    const options = await testStoreOptions();
    databaseUrl = options.databaseUrl as string;
    store = await openStore(options);
    bus = await createEventBus(store);
    // This process enqueues, and runs the unsharded reference itself (shardMinRows: never).
    jobs = await createJobSystem(store, bus, { handlers: defaultHandlers(), queue: "pg-boss", work: false, shardMinRows: Number.POSITIVE_INFINITY });
    seeded = await seedDataset(store, { n: 3_000, dim: 16, groups: 3 });
    const { analysisId, jobId } = await createAnalysis();
    expect(await jobs.runner.run(jobId)).toBe("SUCCEEDED");
    reference = await written(analysisId);
    expect(reference.groups.length).toBeGreaterThan(2);
    expect(await store.prisma.job.count({ where: { parentId: jobId } })).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const child of [...children]) await stop(child, "SIGKILL");
    await jobs?.close();
    await bus?.close();
    await store?.close();
  });

  it("two workers split it into one shard per class, sum their progress, and commit once: equal to the unsharded analysis", async () => {
    const { analysisId, jobId } = await createAnalysis();
    const workers = [startWorker(), startWorker()];
    await jobs.queue.enqueue(jobId);
    const done = await finished(jobId);
    expect(done.error).toBeNull();
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts).toBe(1);
    expect((done.result as { shards?: number }).shards).toBe(2);
    const shards = await store.prisma.job.findMany({ where: { parentId: jobId }, orderBy: { id: "asc" } });
    expect(shards.map((s) => [(s.payload as { shard: string }).shard, s.status])).toEqual([["normal", "SUCCEEDED"], ["pneumonia", "SUCCEEDED"]]);
    expect(await store.prisma.jobShardOutput.count({ where: { jobId: { in: shards.map((s) => s.id) } } })).toBe(0); // outputs dropped with the commit
    // The parent's progress events summed its shards' (both named, with their states).
    const events = await store.prisma.streamEvent.findMany({ where: { topic: `job:${jobId}` }, orderBy: { id: "asc" } });
    const summed = events.map((e) => e.payload as { phase: string; done: number; total: number; partial: { shards?: { key: string }[] } | null }).filter((e) => e.phase === "shards");
    expect(summed.length).toBeGreaterThan(0);
    expect(summed.at(-1)!.partial!.shards!.map((s) => s.key).sort()).toEqual(["normal", "pneumonia"]);
    expect(summed.every((e) => e.total >= e.done && e.total >= 2)).toBe(true);
    const got = await written(analysisId);
    expect(got.status).toBe("SUCCEEDED");
    expect(got.groups).toEqual(reference.groups);
    expect(got.results).toEqual(reference.results);
    for (const w of workers) await stop(w, "SIGTERM");
  }, 300_000);

  it("a worker killed while running a shard leaves nothing written; another worker retries it and commits the same analysis once", async () => {
    const { analysisId, jobId } = await createAnalysis();
    const first = startWorker();
    await jobs.queue.enqueue(jobId);
    // The parent runs its first shard itself: kill the worker once a shard is running.
    await until("a shard to be running", async () => (await store.prisma.job.count({ where: { parentId: jobId, status: "RUNNING" } })) > 0);
    await stop(first, "SIGKILL");
    expect(await store.prisma.confounderGroup.count({ where: { analysisId } })).toBe(0);
    expect((await store.prisma.confounderAnalysis.findUniqueOrThrow({ where: { id: analysisId } })).status).not.toBe("SUCCEEDED");

    const second = startWorker();
    const done = await finished(jobId);
    expect(done.error).toBeNull();
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts).toBe(2);
    const shards = await store.prisma.job.findMany({ where: { parentId: jobId } });
    expect(shards).toHaveLength(2); // the retried parent found its shards, it made no new ones
    expect(shards.every((s) => s.status === "SUCCEEDED")).toBe(true);
    expect(Math.max(...shards.map((s) => s.attempts))).toBe(2); // the killed shard ran again
    const got = await written(analysisId);
    expect(got.groups).toEqual(reference.groups);
    expect(got.results).toEqual(reference.results);
    await stop(second, "SIGTERM");
  }, 300_000);
});
