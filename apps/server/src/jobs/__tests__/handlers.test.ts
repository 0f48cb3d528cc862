import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { tmpdir } from "node:os";
import { findRepoRoot, openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createEventBus, type EventBus } from "../../events/index.js";
import { createJobSystem, type JobSystem } from "../index.js";
import { defaultHandlers } from "../handlers/index.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

let store: Store;
let bus: EventBus;
let jobs: JobSystem;
let seeded: SeededDataset;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  bus = await createEventBus(store);
  jobs = await createJobSystem(store, bus, { handlers: defaultHandlers(), storage });
  seeded = await seedDataset(store, { n: 160, groups: 2 });
  // The EMBED test's samples name the shipped demo arrays: granted to the seeded consortium, as an operator would.
  const { slug } = await store.prisma.consortium.findUniqueOrThrow({ where: { id: seeded.consortiumId } });
  storage.storageGrants[slug] = [path.join(findRepoRoot(), "data/demo")];
});
const storage = { filesDir: path.join(tmpdir(), `stratum-handlers-${process.pid}`), uploadDir: path.join(tmpdir(), `stratum-handlers-${process.pid}`, "uploads"), storageGrants: {} as Record<string, string[]> };
afterAll(async () => {
  await jobs?.close();
  await bus?.close();
  await store?.close();
});

async function finish(jobId: number, timeoutMs = 60_000) {
  await jobs.queue.enqueue(jobId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("job handlers", () => {
  let analysisId = 0;

  it("ANALYZE writes groups per class with members, layout and associations, and the results", async () => {
    const job = await store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "ANALYZE", payload: {} } });
    const analysis = await store.prisma.confounderAnalysis.create({
      data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: { reduce: "pca", seed: 1 }, jobId: job.id },
    });
    analysisId = analysis.id;
    await store.prisma.job.update({ where: { id: job.id }, data: { payload: { analysisId } } });
    const done = await finish(job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe("SUCCEEDED");
    const row = await store.prisma.confounderAnalysis.findUniqueOrThrow({ where: { id: analysisId }, include: { groups: true } });
    expect(row.status).toBe("SUCCEEDED");
    expect(new Set(row.groups.map((g) => g.label))).toEqual(new Set(["normal", "pneumonia"]));
    // Two well-separated sites per class: discovery finds ≥ 2 groups per class, tied to "site".
    for (const label of ["normal", "pneumonia"]) expect(row.groups.filter((g) => g.label === label && !g.isNoise).length).toBeGreaterThanOrEqual(2);
    const members = await store.prisma.confounderGroupMember.count({ where: { group: { analysisId } } });
    expect(members).toBe(160);
    const assoc = row.groups[0]!.associations as { column: string; cramersV: number }[];
    expect(assoc.map((a) => a.column)).toContain("site");
    expect((row.results as { classes: unknown[] }).classes).toHaveLength(2);
  });

  it("SELECT confounder-aware uses the analysis' groups and links items to ConfounderGroup rows", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "confounder-aware", perClass: 8, analysisId, extra: { allocation: "balanced" } });
    const job = await finish(jobId);
    expect(job.error).toBeNull();
    const items = await store.prisma.selectionItem.findMany({ where: { runId }, include: { group: true } });
    expect(items).toHaveLength(16);
    expect(items.every((i) => i.group !== null && i.group.analysisId === analysisId && i.group.label === i.label)).toBe(true);
    const run = await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect((run.metrics as { selected: number }).selected).toBe(16);
  });

  it("PROBE trains on the run's items, tests on the rest and writes COMPUTED evaluations", async () => {
    const { runId, jobId } = await createSelectRun(store, seeded, { strategy: "random", perClass: 20, seed: 4 });
    await finish(jobId);
    const job = await store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "PROBE", payload: { runId } } });
    const done = await finish(job.id);
    expect(done.error).toBeNull();
    const evals = await store.prisma.evaluation.findMany({ where: { runId }, orderBy: { metric: "asc" } });
    // label × site kept under its old name; one per column of the run's evidence (site, and what the
    // version's latest analysis found associated) under probe.worstGroupAccuracy.<column>
    expect(evals.map((e) => e.metric).slice(0, 3)).toEqual(["probe.accuracy", "probe.balancedAccuracy", "probe.worstGroupAccuracy"]);
    expect(evals.map((e) => e.metric)).toContain("probe.worstGroupAccuracy.site");
    expect(evals.every((e) => e.split === "pool-holdout")).toBe(true);
    expect(evals.every((e) => e.source === "COMPUTED" && e.value >= 0 && e.value <= 1)).toBe(true);
    expect(evals[0]!.value).toBeGreaterThan(0.9); // separable blobs
    expect((evals[0]!.details as { testSize: number }).testSize).toBe(120);
  });

  // Shipped in the repository: this test never skips.
  const npz = path.join(findRepoRoot(), "data/demo/pneumoniamnist.npz");
  it("EMBED embeds a version with the demo encoder, records failures and completes the set", async () => {
    const demo = path.resolve(findRepoRoot(), "packages/embed/models/demo-cnn");
    const config = JSON.parse(readFileSync(path.join(demo, "model.json"), "utf8"));
    const p = store.prisma;
    const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name: "mnist-embed" } });
    const n = 40;
    await p.sample.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        datasetId: dataset.id,
        externalId: `x${i}`,
        uri: i === 7 ? "/nonexistent/missing.png" : `npz:${npz}#train_images[${i}]`,
        label: i % 2 ? "pneumonia" : "normal",
        contentHash: `h${i}`,
      })),
    });
    const samples = await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { id: "asc" } });
    const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "m", contentHash: "c", sampleCount: n } });
    await p.datasetVersionSample.createMany({ data: samples.map((s, position) => ({ versionId: version.id, sampleId: s.id, position })) });
    const model = await p.embeddingModel.create({
      data: { consortiumId: seeded.consortiumId, name: "demo-cnn", kind: "ONNX", dim: 128, filePath: path.join(demo, "model.onnx"), config },
    });
    const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "EMBED", payload: {} } });
    const set = await p.embeddingSet.create({ data: { modelId: model.id, datasetVersionId: version.id, dim: 128, jobId: job.id } });
    await p.job.update({ where: { id: job.id }, data: { payload: { setId: set.id } } });
    const done = await finish(job.id, 120_000);
    expect(done.error).toBeNull();
    const after = await p.embeddingSet.findUniqueOrThrow({ where: { id: set.id } });
    expect(after.status).toBe("COMPLETE");
    expect(after.count).toBe(n - 1);
    const failures = await p.embeddingFailure.findMany({ where: { setId: set.id } });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.sampleId).toBe(samples[7]!.id);
    // Outside the consortium's roots, and said without the server's paths.
    expect(failures[0]!.reason).toMatch(/^URI_NOT_ALLOWED: sample \d+: /);
    expect(failures[0]!.reason).not.toContain("/nonexistent");
    const v = await p.embeddingVector.findFirstOrThrow({ where: { setId: set.id } });
    expect(v.vector.byteLength).toBe(128 * 4);
  });
  it("EMBED fails, with its failures kept, when no sample of the version could be embedded", async () => {
    const demo = path.resolve(findRepoRoot(), "packages/embed/models/demo-cnn");
    const config = JSON.parse(readFileSync(path.join(demo, "model.json"), "utf8"));
    const p = store.prisma;
    const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name: "all-missing" } });
    await p.sample.createMany({
      data: Array.from({ length: 3 }, (_, i) => ({ datasetId: dataset.id, externalId: `m${i}`, uri: `missing-${i}.png`, label: "normal", contentHash: `m${i}` })),
    });
    const samples = await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { id: "asc" } });
    const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "m", contentHash: "c-missing", sampleCount: 3 } });
    await p.datasetVersionSample.createMany({ data: samples.map((s, position) => ({ versionId: version.id, sampleId: s.id, position })) });
    const model = await p.embeddingModel.create({
      data: { consortiumId: seeded.consortiumId, name: "demo-cnn-missing", kind: "ONNX", dim: 128, filePath: path.join(demo, "model.onnx"), config },
    });
    const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "EMBED", payload: {} } });
    const set = await p.embeddingSet.create({ data: { modelId: model.id, datasetVersionId: version.id, dim: 128, jobId: job.id } });
    await p.job.update({ where: { id: job.id }, data: { payload: { setId: set.id } } });
    const done = await finish(job.id, 120_000);
    expect(done.status).toBe("FAILED");
    expect(done.error).toMatch(/NO_VECTORS|none of the 3 samples could be embedded/);
    expect((await p.embeddingSet.findUniqueOrThrow({ where: { id: set.id } })).status).toBe("FAILED");
    expect(await p.embeddingFailure.count({ where: { setId: set.id } })).toBe(3);
  });
});
