/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Races from issue 12 finding 8, fired as concurrent requests at a running server: reviewDecide against
// reviewFinalize on one run, and reviewFinalize against an import into the same dataset (version numbers).
// Each round must end in typed errors or a consistent result: never a 500, never a partial write.
// Meaningful on PostgreSQL (DATABASE_URL; real parallel transactions); on PGlite it checks the same
// invariants with serialised transactions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDataset } from "@stratum/db";
import { seedToken, seedUser, TestClient } from "../../test/harness.js";
import { toCompositeGlobalId, toGlobalId } from "../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

let live: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
let reviewer: TestClient;
let tmp: string;

const DECIDE = `mutation ($input: ReviewDecideInput!) { reviewDecide(input: $input) { item { reviewVersion reviewDecision } errors { code field message } } }`;
const FINALIZE = `mutation ($input: ReviewFinalizeInput!) { reviewFinalize(input: $input) { datasetVersion { id number sampleCount } errors { code field message } } }`;

/** A SUCCEEDED run over `n` samples, every item ACCEPTed except the last, which is undecided. */
async function reviewedRun(n: number): Promise<number> {
  const { runId } = await createSelectRun(live.store, seeded, { strategy: "random", perClass: n });
  const p = live.store.prisma;
  await p.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: "e".repeat(64) } });
  await p.selectionItem.createMany({
    data: seeded.sampleIds.slice(0, n).map((sampleId, i) => ({
      runId,
      sampleId,
      rank: i + 1,
      label: "normal",
      reason: "test",
      reviewDecision: i < n - 1 ? ("ACCEPT" as const) : null,
    })),
  });
  return runId;
}

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 30, groups: 1, slug: "races-a" });
  tmp = mkdtempSync(path.join(tmpdir(), "stratum-races-"));
  const c = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "curator");
  const r = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "REVIEWER" }], "reviewer");
  curator = new TestClient(live, (await seedToken(live.store, c.id, seeded.consortiumId, "CURATOR")).secret);
  reviewer = new TestClient(live, (await seedToken(live.store, r.id, seeded.consortiumId, "REVIEWER")).secret);
}, 120_000);

afterAll(async () => {
  await live?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("decide vs finalize", () => {
  it("a decision either lands before the new version is cut or is refused INVALID_STATE; never a 500", async () => {
    for (let round = 0; round < 6; round++) {
      const n = 5;
      const runId = await reviewedRun(n);
      const lastSample = seeded.sampleIds[n - 1]!;
      const itemId = toCompositeGlobalId("SelectionItem", [runId, lastSample]);
      const [d, f] = await Promise.all([
        reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId, decision: "ACCEPT", expectedVersion: 0 } } }),
        curator.raw<any>({ query: FINALIZE, variables: { input: { runId: toGlobalId("SelectionRun", runId) } } }),
      ]);
      expect(d.status).toBe(200);
      expect(f.status).toBe(200);
      expect(d.json.errors).toBeUndefined();
      expect(f.json.errors).toBeUndefined();
      expect(f.json.data.reviewFinalize.errors).toEqual([]);
      const version = f.json.data.reviewFinalize.datasetVersion;
      const item = await live.store.prisma.selectionItem.findUniqueOrThrow({ where: { runId_sampleId: { runId, sampleId: lastSample } } });
      const decisions = await live.store.prisma.reviewDecision.count({ where: { runId } });
      if (d.json.data.reviewDecide.errors.length === 0) {
        // The decision committed first: the finalisation saw it, so the version holds all n samples.
        expect(item.reviewDecision).toBe("ACCEPT");
        expect(version.sampleCount).toBe(n);
        expect(decisions).toBe(1);
      } else {
        // Refused after the finalisation: typed, and nothing of it written.
        expect(d.json.data.reviewDecide.errors[0]).toMatchObject({ code: "INVALID_STATE", field: ["input", "runId"] });
        expect(item.reviewDecision).toBeNull();
        expect(item.reviewVersion).toBe(0);
        expect(version.sampleCount).toBe(n - 1);
        expect(decisions).toBe(0);
      }
      const inVersion = await live.store.prisma.datasetVersionSample.count({ where: { versionId: Number(Buffer.from(version.id, "base64url").toString().split(":")[1]) } });
      expect(inVersion).toBe(version.sampleCount);
    }
  }, 120_000);
});

describe("finalize vs import numbering", () => {
  it("concurrent finalisations and imports into one dataset get distinct consecutive numbers, no 500", async () => {
    const p = live.store.prisma;
    const dataset = await p.dataset.findUniqueOrThrow({ where: { id: seeded.datasetId }, include: { project: { include: { consortium: true } } } });
    for (let round = 0; round < 3; round++) {
      const runs = [await reviewedRun(4), await reviewedRun(4)];
      const manifest = path.join(tmp, `m${round}.csv`);
      writeFileSync(manifest, ["id,uri,label", ...Array.from({ length: 5 }, (_, i) => `r${round}-${i},img/${round}-${i}.png,normal`)].join("\n") + "\n");
      const before = await p.datasetVersion.count({ where: { datasetId: dataset.id } });
      const results = await Promise.allSettled([
        ...runs.map((runId) => curator.raw<any>({ query: FINALIZE, variables: { input: { runId: toGlobalId("SelectionRun", runId) } } })),
        // What the import job runs, in this process, against the same database.
        importDataset(live.store, { consortium: dataset.project.consortium.slug, project: dataset.project.slug, dataset: dataset.name, manifestPath: manifest }),
      ]);
      for (const r of results) expect(r.status).toBe("fulfilled");
      for (const r of results.slice(0, 2) as PromiseFulfilledResult<any>[]) {
        expect(r.value.status).toBe(200);
        expect(r.value.json.errors).toBeUndefined();
        expect(r.value.json.data.reviewFinalize.errors).toEqual([]);
      }
      const numbers = (await p.datasetVersion.findMany({ where: { datasetId: dataset.id }, orderBy: { number: "asc" }, select: { number: true } })).map((v) => v.number);
      expect(numbers.length).toBe(before + 3);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1)); // 1, 2, 3, … with no gap and no clash
    }
  }, 120_000);
});
