// finalizeReview on a real store (PGlite, or PostgreSQL when DATABASE_URL is set; there the concurrent
// cases run as real parallel transactions).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, finalizeReview, openStore, sampleContentHash, SelectionWriteError, versionContentHash, type Store } from "../index.js";
import { testStoreOptions } from "../testing.js";
import { HASH, insertRun, seedSelectionFixture, type SelectionFixture } from "./selection-fixtures.js";

let store: Store;
let f: SelectionFixture;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  f = await seedSelectionFixture(store, "finalize", 12);
});
afterAll(async () => {
  await store?.close();
});

type Decision = "ACCEPT" | "REJECT" | "FLAG" | null;

/** A SUCCEEDED run whose item i (sample i of the fixture) carries decisions[i] and, if given, a corrected label. */
async function reviewedRun(decisions: Decision[], relabel: Record<number, string> = {}): Promise<number> {
  const runId = await insertRun(store, f);
  await store.prisma.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: HASH("e") } });
  await store.prisma.selectionItem.createMany({
    data: decisions.map((d, i) => ({ runId, sampleId: f.sampleIds[i]!, rank: i, label: f.labels[i]!, reason: "r", reviewDecision: d, reviewLabel: relabel[i] ?? null, reviewVersion: d ? 1 : 0 })),
  });
  for (const [i, label] of Object.entries(relabel)) {
    await store.prisma.reviewRelabel.create({ data: { runId, sampleId: f.sampleIds[Number(i)]!, reviewerId: f.userId, label, previous: null, version: 1 } });
  }
  return runId;
}

const snapshot = async () => ({
  versions: await store.prisma.datasetVersion.count(),
  samples: await store.prisma.sample.count(),
  joins: await store.prisma.datasetVersionSample.count(),
  relabels: await store.prisma.versionRelabel.count(),
  finalised: await store.prisma.selectionRun.count({ where: { reviewFinalizedAt: { not: null } } }),
});

/** The content hash a sample of the fixture has with `label` (what the import would have computed). */
async function hashWith(sampleId: number, label: string) {
  const s = await store.prisma.sample.findUniqueOrThrow({ where: { id: sampleId }, include: { site: true } });
  return sampleContentHash({ externalId: s.externalId, uri: s.uri, label, site: s.site?.code ?? null, metadataJson: canonicalJson(s.metadata), sha256: s.sha256 });
}

describe("finalizeReview()", () => {
  it("cuts a new version of the accepted items in the reviewed version's order, a corrected copy for a relabelled one, and marks the run, with the caller's step in the same transaction", async () => {
    const runId = await reviewedRun(["ACCEPT", "REJECT", "ACCEPT", null, "FLAG", "ACCEPT"], { 2: "b" });
    const inside: number[] = [];
    const done = await finalizeReview(store, { runId, authorId: f.userId, runRef: "R1" }, async (tx, r) => {
      inside.push(await tx.datasetVersionSample.count({ where: { versionId: r.datasetVersionId } }));
    });
    expect(inside).toEqual([3]);
    expect(done).toMatchObject({ runId, accepted: 3, relabelled: 1, summary: { ACCEPT: 3, REJECT: 1, FLAG: 1, UNDECIDED: 1 } });
    expect(done.message).toBe("Reviewed selection run R1 (random): 3 accepted of 6, 1 relabelled");
    const version = await store.prisma.datasetVersion.findUniqueOrThrow({ where: { id: done.datasetVersionId }, include: { samples: { orderBy: { position: "asc" } }, relabels: true } });
    const copy = await store.prisma.sample.findFirstOrThrow({ where: { datasetId: f.datasetId, externalId: "s2", label: "b" } });
    expect(version.samples.map((s) => [s.sampleId, s.position])).toEqual([
      [f.sampleIds[0], 0],
      [copy.id, 1],
      [f.sampleIds[5], 2],
    ]);
    // The version hash is the one an import of the same content computes (the corrected copy's own hash).
    const s0 = await store.prisma.sample.findUniqueOrThrow({ where: { id: f.sampleIds[0]! } });
    const s5 = await store.prisma.sample.findUniqueOrThrow({ where: { id: f.sampleIds[5]! } });
    expect(copy.contentHash).toBe(await hashWith(f.sampleIds[2]!, "b"));
    expect(version).toMatchObject({ number: done.number, parentId: f.versionId, sourceRunId: runId, sampleCount: 3, authorId: f.userId, contentHash: versionContentHash([s0.contentHash, copy.contentHash, s5.contentHash]) });
    const log = await store.prisma.reviewRelabel.findFirstOrThrow({ where: { runId } });
    expect(version.relabels.map((r) => [r.sampleId, r.fromSampleId, r.fromLabel, r.toLabel, r.relabelId])).toEqual([[copy.id, f.sampleIds[2], "a", "b", log.id]]);
    expect((await store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } })).reviewFinalizedAt).toBeInstanceOf(Date);

    // Once finalised, always: a second call is ALREADY_FINALIZED and writes nothing.
    const before = await snapshot();
    await expect(finalizeReview(store, { runId, authorId: f.userId })).rejects.toMatchObject({ code: "ALREADY_FINALIZED", field: "runId" });
    expect(await snapshot()).toEqual(before);
  });

  it("failing halfway writes nothing: a throw in the caller's step after the version, the copy and the join were written leaves no trace", async () => {
    const runId = await reviewedRun(["ACCEPT", "ACCEPT", null], { 1: "a" });
    const before = await snapshot();
    await expect(
      finalizeReview(store, { runId, authorId: f.userId }, async (tx, r) => {
        expect(await tx.datasetVersionSample.count({ where: { versionId: r.datasetVersionId } })).toBe(2);
        throw new Error("audit failed");
      }),
    ).rejects.toThrow("audit failed");
    expect(await snapshot()).toEqual(before);
    // And it can be finalised afterwards.
    const done = await finalizeReview(store, { runId, authorId: f.userId, message: "kept" });
    expect(done).toMatchObject({ accepted: 2, relabelled: 1, message: "kept" });
  });

  it("typed errors, nothing written: no accepted item, a run that is not SUCCEEDED, a missing run, bad input", async () => {
    const none = await reviewedRun(["REJECT", null]);
    const queued = await insertRun(store, f);
    const before = await snapshot();
    const fails = async (input: Parameters<typeof finalizeReview>[1], code: string, field: string) => {
      const error = await finalizeReview(store, input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SelectionWriteError);
      expect(error).toMatchObject({ code, field });
    };
    await fails({ runId: none, authorId: f.userId }, "NONE_ACCEPTED", "runId");
    await fails({ runId: queued, authorId: f.userId }, "INVALID_STATE", "runId");
    await fails({ runId: 2_000_000_000, authorId: f.userId }, "NOT_FOUND", "runId");
    await fails({ runId: 0, authorId: f.userId }, "BAD_INPUT", "runId");
    await fails({ runId: none, authorId: 1.5 }, "BAD_INPUT", "authorId");
    expect(await snapshot()).toEqual(before);
  });

  it("concurrent finalisations: of one run, one wins and the other is ALREADY_FINALIZED; of two runs of one dataset, distinct numbers and one shared corrected copy", async () => {
    const one = await reviewedRun(["ACCEPT", "ACCEPT"]);
    const same = await Promise.allSettled([finalizeReview(store, { runId: one, authorId: f.userId }), finalizeReview(store, { runId: one, authorId: f.userId })]);
    expect(same.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = same.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: "ALREADY_FINALIZED" });
    expect(await store.prisma.datasetVersion.count({ where: { sourceRunId: one } })).toBe(1);

    const a = await reviewedRun([null, null, null, null, null, null, null, "ACCEPT"], { 7: "z" });
    const b = await reviewedRun([null, null, null, null, null, null, null, "ACCEPT"], { 7: "z" });
    const [ra, rb] = await Promise.all([finalizeReview(store, { runId: a, authorId: f.userId }), finalizeReview(store, { runId: b, authorId: f.userId })]);
    expect(new Set([ra.number, rb.number]).size).toBe(2);
    expect(await store.prisma.sample.count({ where: { datasetId: f.datasetId, externalId: "s7", label: "z" } })).toBe(1);
    const numbers = (await store.prisma.datasetVersion.findMany({ where: { datasetId: f.datasetId }, orderBy: { number: "asc" } })).map((v) => v.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });
});
