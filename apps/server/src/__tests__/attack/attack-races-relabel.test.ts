// reviewRelabel against reviewFinalize on one run, fired as concurrent requests (issue 14): the
// correction either commits before the new version reads the items (the version holds the corrected
// copy) or is refused INVALID_STATE with nothing written. Never a 500, never a half-applied relabel.
// Meaningful on PostgreSQL (DATABASE_URL; real parallel transactions); on PGlite it checks the same
// invariants with serialised transactions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken, seedUser, TestClient, type PayloadErrors } from "../../test/harness.js";
import { decodeIdOrNull, toCompositeGlobalId, toGlobalId } from "../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

let live: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
let reviewer: TestClient;

const RELABEL = `mutation ($input: ReviewRelabelInput!) { reviewRelabel(input: $input) { item { reviewLabel reviewVersion } errors { code field message } } }`;
const FINALIZE = `mutation ($input: ReviewFinalizeInput!) { reviewFinalize(input: $input) { datasetVersion { id number sampleCount } errors { code field message } } }`;

/** A SUCCEEDED run over the first `n` samples, every item ACCEPTed. */
async function acceptedRun(n: number): Promise<number> {
  const { runId } = await createSelectRun(live.store, seeded, { strategy: "random", perClass: n });
  const p = live.store.prisma;
  await p.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: "e".repeat(64) } });
  const samples = await p.sample.findMany({ where: { id: { in: seeded.sampleIds.slice(0, n) } } });
  await p.selectionItem.createMany({
    data: samples.map((s, i) => ({ runId, sampleId: s.id, rank: i + 1, label: s.label, reason: "test", reviewDecision: "ACCEPT" as const })),
  });
  return runId;
}

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 30, groups: 1, slug: "races-relabel" });
  const c = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "curator");
  const r = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "REVIEWER" }], "reviewer");
  curator = new TestClient(live, (await seedToken(live.store, c.id, seeded.consortiumId, "CURATOR")).secret);
  reviewer = new TestClient(live, (await seedToken(live.store, r.id, seeded.consortiumId, "REVIEWER")).secret);
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe("relabel vs finalize", () => {
  it("a relabel either lands in the new version or is refused INVALID_STATE with nothing written; never a 500", async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const n = 4;
      const runId = await acceptedRun(n);
      const sampleId = seeded.sampleIds[0]!; // "normal"
      const [r, f] = await Promise.all([
        reviewer.raw<{ errors?: unknown[]; data: { reviewRelabel: PayloadErrors } }>({ query: RELABEL, variables: { input: { itemId: toCompositeGlobalId("SelectionItem", [runId, sampleId]), label: "pneumonia", expectedVersion: 0 } } }),
        curator.raw<{ errors?: unknown[]; data: { reviewFinalize: PayloadErrors & { datasetVersion: { id: string } } } }>({ query: FINALIZE, variables: { input: { runId: toGlobalId("SelectionRun", runId) } } }),
      ]);
      expect(r.status).toBe(200);
      expect(f.status).toBe(200);
      expect(r.json.errors).toBeUndefined();
      expect(f.json.errors).toBeUndefined();
      expect(f.json.data.reviewFinalize.errors).toEqual([]);
      const versionId = decodeIdOrNull(f.json.data.reviewFinalize.datasetVersion.id, "DatasetVersion")!;
      const p = live.store.prisma;
      const item = await p.selectionItem.findUniqueOrThrow({ where: { runId_sampleId: { runId, sampleId } } });
      const logged = await p.reviewRelabel.count({ where: { runId } });
      const links = await p.versionRelabel.findMany({ where: { versionId } });
      const held = await p.datasetVersionSample.findMany({ where: { versionId }, include: { sample: true } });
      expect(held).toHaveLength(n);
      const copy = held.find((h) => h.sample.externalId === "img-000000")!;
      if (r.json.data.reviewRelabel.errors.length === 0) {
        outcomes.add("relabel first");
        expect(item.reviewLabel).toBe("pneumonia");
        expect(logged).toBe(1);
        expect(links).toEqual([expect.objectContaining({ fromSampleId: sampleId, fromLabel: "normal", toLabel: "pneumonia" })]);
        expect(copy.sample.label).toBe("pneumonia");
        expect(copy.sampleId).not.toBe(sampleId);
      } else {
        outcomes.add("finalize first");
        expect(r.json.data.reviewRelabel.errors[0]).toMatchObject({ code: "INVALID_STATE", field: ["input", "runId"] });
        expect(item.reviewLabel).toBeNull();
        expect(item.reviewVersion).toBe(0);
        expect(logged).toBe(0);
        expect(links).toEqual([]);
        expect(copy.sampleId).toBe(sampleId);
      }
    }
    console.log(`relabel vs finalize: ${[...outcomes].join(", ")}`);
  }, 120_000);
});
