/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Composition of runs by metadata column: counts and shares per class in pool and selection, the largest
// share and Cramér's V (checked against a hand computation), the column choice (declared ∪ associated ∪
// site), the pool as the embedded samples only, compareRuns side by side, and a site-scoped viewer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import { seedUser, signIn, startTestServer, type TestClient, type TestServer } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: TestServer;
let seeded: SeededDataset;
let viewer: TestClient;
let scoped: TestClient;
let skewed = 0;
let balanced = 0;
let queued = 0;

const COMPOSITION = graphql(`
  query CompositionSelectionRun($id: ID!) {
    selectionRun(id: $id) {
      id
      composition {
        column associated declared cramersV poolCramersV levels
        classes { label poolCount selectionCount largestShare poolLargestShare poolCounts poolShares selectionCounts selectionShares }
      }
    }
  }
`);
const COMPARE = graphql(`
  query CompositionCompareRuns($ids: [ID!]!) {
    compareRuns(ids: $ids) {
      composition {
        column associated declared poolCramersV cramersV labels levels poolTotals poolCounts poolLargestShares selectionTotals selectionCounts largestShares
      }
    }
  }
`);

// seedDataset: sample i has label ["normal", "pneumonia"][i % 2] and site S<g>, scanner-<g>, g = ⌊i/2⌋ % 2.
const labelOf = (i: number) => (i % 2 ? "pneumonia" : "normal");
const siteOf = (i: number) => Math.floor(i / 2) % 2;

async function makeRun(picks: number[], params: Record<string, unknown>, analysisId: number | null, status: "SUCCEEDED" | "QUEUED" = "SUCCEEDED") {
  const p = server.store.prisma;
  const run = await p.selectionRun.create({
    data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, analysisId, strategy: "confounder-aware", params: params as object, seed: 1, budgetPerClass: 8, status },
  });
  await p.selectionItem.createMany({
    data: picks.map((i, rank) => ({ runId: run.id, sampleId: seeded.sampleIds[i]!, rank, label: labelOf(i), reason: "test" })),
  });
  return run.id;
}

/** The first `count` sample indexes of one class and site, skipping `skip`. */
function take(label: string, site: number, count: number, skip = new Set<number>()) {
  const out: number[] = [];
  for (let i = 0; i < 40 && out.length < count; i++) if (labelOf(i) === label && siteOf(i) === site && !skip.has(i)) out.push(i);
  return out;
}

beforeAll(async () => {
  server = await startTestServer();
  seeded = await seedDataset(server.store, { n: 40, groups: 2, slug: "comp" });
  const p = server.store.prisma;
  // Sample 0 (normal, S0) has no vector: the pool is the embedded samples, so normal has 9 at S0.
  await p.embeddingVector.delete({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[0]! } } });
  const analysis = await p.confounderAnalysis.create({
    data: {
      datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED", completedAt: new Date(),
      results: {
        associations: [
          { label: "normal", column: "age", cramersV: 0.5, pValue: 0.001 },
          { label: "pneumonia", column: "scanner", cramersV: 0.1, pValue: 0.2 },
          { label: "pneumonia", column: "age", cramersV: 0.9, pValue: 0.5 },
        ],
      },
    },
  });
  // Skewed: normal 6 × S0 + 2 × S1, pneumonia 1 × S0 + 7 × S1 (sample 0 is outside the pool, never picked).
  const none = new Set([0]);
  skewed = await makeRun([...take("normal", 0, 6, none), ...take("normal", 1, 2), ...take("pneumonia", 0, 1), ...take("pneumonia", 1, 7)], { declared: ["scanner"] }, analysis.id);
  balanced = await makeRun([...take("normal", 0, 4, none), ...take("normal", 1, 4), ...take("pneumonia", 0, 4), ...take("pneumonia", 1, 4)], {}, null);
  queued = await makeRun([], {}, null, "QUEUED");
  const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "viewer");
  viewer = await signIn(server, u.email);
  const s = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER", siteId: seeded.siteIds[1]! }], "scoped");
  scoped = await signIn(server, s.email);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("SelectionRun.composition", () => {
  it("covers declared, then associated, then site columns, each flagged", async () => {
    const r = await viewer.query(COMPOSITION, { id: gid("SelectionRun", skewed) });
    expect(r.errors).toEqual([]);
    const cols = r.data.selectionRun.composition;
    // scanner: declared (not associated: V 0.1); age: associated (V 0.5, p 0.001 in normal); site: always.
    expect(cols.map((c: any) => [c.column, c.declared, c.associated])).toEqual([["scanner", true, false], ["age", false, true], ["site", false, false]]);
  });

  it("counts and shares per class in the pool (embedded samples) and the selection, with largest share and Cramér's V", async () => {
    const r = await viewer.query(COMPOSITION, { id: gid("SelectionRun", skewed) });
    const site = r.data.selectionRun.composition.find((c: any) => c.column === "site")!;
    const [normal, pneu] = site.classes;
    expect(normal).toMatchObject({ label: "normal", poolCount: 19, selectionCount: 8 });
    expect(site.levels).toEqual(["S0", "S1"]);
    expect(normal!.poolCounts).toEqual([9, 10]);
    expect(normal!.selectionCounts).toEqual([6, 2]);
    expect(normal!.poolShares[0]).toBeCloseTo(9 / 19, 12);
    expect(normal!.selectionShares[0]).toBeCloseTo(6 / 8, 12);
    expect(normal!.largestShare).toBeCloseTo(0.75, 12);
    expect(normal!.poolLargestShare).toBeCloseTo(10 / 19, 12);
    expect(pneu).toMatchObject({ label: "pneumonia", poolCount: 20, selectionCount: 8 });
    expect([pneu!.poolCounts, pneu!.selectionCounts]).toEqual([[10, 10], [1, 7]]);
    expect(pneu!.largestShare).toBeCloseTo(7 / 8, 12);
    // Bergsma-corrected V of the 2×2 selection table [[6,2],[1,7]] by hand (n = 16).
    const n = 16;
    const chi2 = (n * (6 * 7 - 2 * 1) ** 2) / (8 * 8 * 7 * 9);
    const phi2c = Math.max(0, chi2 / n - 1 / (n - 1));
    expect(site.cramersV).toBeCloseTo(Math.sqrt(phi2c / (1 - 1 / (n - 1))), 12);
    // Pool [[9,10],[10,10]]: chi² far below the correction, so V is 0.
    expect(site.poolCramersV).toBe(0);
    // scanner is site by another name in this data: same numbers.
    const scanner = r.data.selectionRun.composition.find((c: any) => c.column === "scanner")!;
    expect(scanner.cramersV).toBeCloseTo(site.cramersV, 12);
  });

  it("is empty for a run that has not succeeded", async () => {
    const r = await viewer.query(COMPOSITION, { id: gid("SelectionRun", queued) });
    expect(r.data.selectionRun.composition).toEqual([]);
  });

  it("a run without analysis takes the version's latest analysis for associations", async () => {
    const r = await viewer.query(COMPOSITION, { id: gid("SelectionRun", balanced) });
    expect(r.errors).toEqual([]);
    const cols = r.data.selectionRun.composition;
    expect(cols.map((c: any) => c.column)).toEqual(["age", "site"]);
    const site = cols[1]!;
    expect(site.classes.map((c: any) => c.largestShare)).toEqual([0.5, 0.5]);
    expect(site.cramersV).toBe(0);
  });

  it("a site-scoped viewer sees the same aggregates", async () => {
    const a = await viewer.query(COMPOSITION, { id: gid("SelectionRun", skewed) });
    const b = await scoped.query(COMPOSITION, { id: gid("SelectionRun", skewed) });
    expect(b.errors).toEqual([]);
    expect(b.data.selectionRun.composition).toEqual(a.data.selectionRun.composition);
  });
});

describe("RunComparison.composition", () => {
  it("lays the pool and every run on the union of their columns", async () => {
    const r = await viewer.query(COMPARE, { ids: [gid("SelectionRun", balanced), gid("SelectionRun", skewed)] });
    expect(r.errors).toEqual([]);
    const cols = r.data.compareRuns.composition;
    expect(cols.map((c: any) => [c.column, c.declared])).toEqual([["age", [false, false]], ["site", [false, false]], ["scanner", [false, true]]]);
    const site = cols[1]!;
    expect(site.levels).toEqual(["S0", "S1"]);
    expect(site).toMatchObject({ labels: ["normal", "pneumonia"], poolTotals: [19, 20], poolCounts: [[9, 10], [10, 10]], selectionTotals: [[8, 8], [8, 8]] });
    expect(site.selectionCounts).toEqual([[[4, 4], [4, 4]], [[6, 2], [1, 7]]]);
    expect(site.largestShares[0]).toEqual([0.5, 0.5]);
    expect(site.largestShares[1]![1]).toBeCloseTo(7 / 8, 12);
    expect(site.cramersV[0]).toBe(0);
    expect(site.cramersV[1]).toBeGreaterThan(0.5);
  });
});
