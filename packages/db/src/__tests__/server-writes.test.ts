// createSubset, decideReviewItem / relabelReviewItem and the job-start writes (createAnalysisJob,
// createQualityJob, createEmbeddingSetJobs) on a real store (PGlite, or PostgreSQL when DATABASE_URL
// is set): each writes everything or, when its caller's step fails halfway, nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAnalysisJob,
  createEmbeddingSetJobs,
  createQualityJob,
  createSubset,
  decideReviewItem,
  openStore,
  relabelReviewItem,
  SelectionWriteError,
  type Store,
} from "../index.js";
import { testStoreOptions } from "../testing.js";
import { HASH, insertRun, seedSelectionFixture, type SelectionFixture } from "./selection-fixtures.js";

let store: Store;
let f: SelectionFixture;
let projectId: number;
let modelId: number;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  f = await seedSelectionFixture(store, "server-writes", 6);
  projectId = (await store.prisma.dataset.findUniqueOrThrow({ where: { id: f.datasetId } })).projectId;
  modelId = (await store.prisma.embeddingModel.create({ data: { consortiumId: f.consortiumId, name: "m", kind: "EXTERNAL", dim: 2 } })).id;
});
afterAll(async () => {
  await store?.close();
});

const halfway = async () => {
  throw new Error("halfway");
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SelectionWriteError);
  return (error as SelectionWriteError).code;
}

describe("createSubset()", () => {
  const input = (name: string) => ({
    projectId,
    datasetVersionId: f.versionId,
    name,
    kind: "SEARCH" as const,
    definition: { q: 1 },
    members: [f.sampleIds[2]!, f.sampleIds[0]!],
    memberHash: HASH("a"),
    createdById: f.userId,
  });

  it("writes the subset and its members, with the caller's step in the same transaction", async () => {
    const seen: number[] = [];
    const done = await createSubset(store, input("one"), async (tx, r) => {
      seen.push(await tx.subsetMember.count({ where: { subsetId: r.subsetId } }));
    });
    expect(seen).toEqual([2]);
    const row = await store.prisma.subset.findUniqueOrThrow({ where: { id: done.subsetId }, include: { members: { orderBy: { sampleId: "asc" } } } });
    expect(row).toMatchObject({ name: "one", kind: "SEARCH", definition: { q: 1 }, memberCount: 2, memberHash: HASH("a") });
    expect(row.members.map((m) => m.sampleId)).toEqual([f.sampleIds[0], f.sampleIds[2]]);
  });

  it("a taken name is CONFLICT, a failure halfway and bad input write nothing", async () => {
    const before = { subsets: await store.prisma.subset.count(), members: await store.prisma.subsetMember.count() };
    expect(await codeOf(createSubset(store, input("one")))).toBe("CONFLICT");
    await expect(createSubset(store, input("two"), halfway)).rejects.toThrow("halfway");
    expect(await codeOf(createSubset(store, { ...input("three"), members: [] }))).toBe("BAD_INPUT");
    expect(await codeOf(createSubset(store, { ...input("three"), members: [f.sampleIds[1]!, f.sampleIds[1]!] }))).toBe("BAD_INPUT");
    expect({ subsets: await store.prisma.subset.count(), members: await store.prisma.subsetMember.count() }).toEqual(before);
  });
});

describe("decideReviewItem() / relabelReviewItem()", () => {
  async function succeededRun(): Promise<number> {
    const runId = await insertRun(store, f);
    await store.prisma.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: HASH("e") } });
    await store.prisma.selectionItem.createMany({ data: f.sampleIds.slice(0, 3).map((sampleId, i) => ({ runId, sampleId, rank: i, label: f.labels[i]!, reason: "r" })) });
    return runId;
  }
  const ref = (runId: number, expectedVersion = 0) => ({ runId, sampleId: f.sampleIds[0]!, reviewerId: f.userId, expectedVersion, comment: null });

  it("applies a decision on the expected version and logs it; a stale one is logged unapplied and committed", async () => {
    const runId = await succeededRun();
    const first = await decideReviewItem(store, { ...ref(runId), decision: "ACCEPT" });
    expect(first.conflict).toBe(false);
    expect(first.item).toMatchObject({ reviewDecision: "ACCEPT", reviewVersion: 1 });
    expect(first.previous.reviewVersion).toBe(0);
    expect(first.logged).toMatchObject({ decision: "ACCEPT", version: 1, applied: true });
    const stale = await decideReviewItem(store, { ...ref(runId), decision: "REJECT" });
    expect(stale.conflict).toBe(true);
    expect(stale.item).toMatchObject({ reviewDecision: "ACCEPT", reviewVersion: 1 });
    expect(stale.logged).toMatchObject({ decision: "REJECT", version: 1, applied: false });
    expect(await store.prisma.reviewDecision.count({ where: { runId } })).toBe(2);
    const relabel = await relabelReviewItem(store, { ...ref(runId, 1), label: "z", newLabel: true, suggested: false });
    expect(relabel.item).toMatchObject({ reviewLabel: "z", reviewVersion: 2, reviewDecision: "ACCEPT" });
    expect(relabel.logged).toMatchObject({ label: "z", previous: null, newLabel: true, version: 2, applied: true });
  });

  it("a finalised run, a missing item and a failure halfway write nothing", async () => {
    const runId = await succeededRun();
    const before = async () => ({
      decisions: await store.prisma.reviewDecision.count({ where: { runId } }),
      relabels: await store.prisma.reviewRelabel.count({ where: { runId } }),
      item: await store.prisma.selectionItem.findUniqueOrThrow({ where: { runId_sampleId: { runId, sampleId: f.sampleIds[0]! } } }),
    });
    const start = await before();
    await expect(decideReviewItem(store, { ...ref(runId), decision: "FLAG" }, halfway)).rejects.toThrow("halfway");
    await expect(relabelReviewItem(store, { ...ref(runId), label: "q", newLabel: true, suggested: false }, halfway)).rejects.toThrow("halfway");
    expect(await codeOf(decideReviewItem(store, { ...ref(runId), sampleId: f.sampleIds[5]!, decision: "FLAG" }))).toBe("NOT_FOUND");
    expect(await codeOf(decideReviewItem(store, { ...ref(runId), decision: "MAYBE" as never }))).toBe("BAD_INPUT");
    await store.prisma.selectionRun.update({ where: { id: runId }, data: { reviewFinalizedAt: new Date() } });
    expect(await codeOf(decideReviewItem(store, { ...ref(runId), decision: "FLAG" }))).toBe("ALREADY_FINALIZED");
    expect(await codeOf(relabelReviewItem(store, { ...ref(runId), label: "q", newLabel: true, suggested: false }))).toBe("ALREADY_FINALIZED");
    expect(await before()).toEqual(start);
  });
});

describe("createAnalysisJob() / createQualityJob() / createEmbeddingSetJobs()", () => {
  it("write the target row and its QUEUED Job with its final payload, or nothing", async () => {
    const [created] = await createEmbeddingSetJobs(store, [{ consortiumId: f.consortiumId, modelId, datasetVersionId: f.versionId, dim: 2, total: 6, createdById: f.userId }]);
    const set = await store.prisma.embeddingSet.findUniqueOrThrow({ where: { id: created!.setId }, include: { job: true } });
    expect(set).toMatchObject({ status: "PENDING", jobId: created!.jobId, dim: 2 });
    expect(set.job).toMatchObject({ kind: "EMBED", status: "QUEUED", payload: { setId: set.id }, total: 6 });
    await store.prisma.embeddingSet.update({ where: { id: set.id }, data: { status: "COMPLETE" } });

    const analysis = await createAnalysisJob(store, { consortiumId: f.consortiumId, datasetVersionId: f.versionId, embeddingSetId: set.id, parentId: null, params: { k: 1 }, createdById: f.userId });
    const a = await store.prisma.confounderAnalysis.findUniqueOrThrow({ where: { id: analysis.analysisId }, include: { job: true } });
    expect(a).toMatchObject({ status: "QUEUED", params: { k: 1 }, jobId: analysis.jobId });
    expect(a.job).toMatchObject({ kind: "ANALYZE", payload: { analysisId: a.id } });
    const report = await createQualityJob(store, { consortiumId: f.consortiumId, datasetVersionId: f.versionId, embeddingSetId: set.id, params: { k: 2 }, createdById: f.userId });
    const q = await store.prisma.dataQualityReport.findUniqueOrThrow({ where: { id: report.reportId }, include: { job: true } });
    expect(q.job).toMatchObject({ kind: "QUALITY", payload: { reportId: q.id } });

    const counts = async () => ({
      jobs: await store.prisma.job.count(),
      analyses: await store.prisma.confounderAnalysis.count(),
      reports: await store.prisma.dataQualityReport.count(),
      sets: await store.prisma.embeddingSet.count(),
    });
    const before = await counts();
    await expect(createAnalysisJob(store, { consortiumId: f.consortiumId, datasetVersionId: f.versionId, embeddingSetId: set.id, parentId: a.id, params: {}, createdById: null }, halfway)).rejects.toThrow("halfway");
    await expect(createQualityJob(store, { consortiumId: f.consortiumId, datasetVersionId: f.versionId, embeddingSetId: set.id, params: {}, createdById: null }, halfway)).rejects.toThrow("halfway");
    await store.prisma.embeddingSet.update({ where: { id: set.id }, data: { status: "FAILED" } });
    await expect(
      createEmbeddingSetJobs(store, [{ consortiumId: f.consortiumId, modelId, datasetVersionId: f.versionId, dim: 2, total: 6, createdById: null, restartSetId: set.id }], halfway),
    ).rejects.toThrow("halfway");
    expect(await codeOf(createAnalysisJob(store, { consortiumId: f.consortiumId, datasetVersionId: f.versionId, embeddingSetId: set.id, parentId: null, params: [] as never, createdById: null }))).toBe("BAD_INPUT");
    expect(await counts()).toEqual(before);
    expect((await store.prisma.embeddingSet.findUniqueOrThrow({ where: { id: set.id } })).status).toBe("FAILED");

    const [restarted] = await createEmbeddingSetJobs(store, [{ consortiumId: f.consortiumId, modelId, datasetVersionId: f.versionId, dim: 2, total: 6, createdById: null, restartSetId: set.id }]);
    expect(restarted!.setId).toBe(set.id);
    expect(await store.prisma.embeddingSet.findUniqueOrThrow({ where: { id: set.id } })).toMatchObject({ status: "PENDING", jobId: restarted!.jobId });
  });
});
