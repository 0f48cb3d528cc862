/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// evaluationProbeRun(testVersionId): the probe trains on a run's selection and tests on another version
// of the consortium embedded with the same model; typed errors for a version of another consortium, the
// run's own version, or one without a COMPLETE set of the model (nothing is written); results stored with
// split "test-version:<id>" and a worst-group accuracy per column (declared, associated, site).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import { createRng } from "@stratum/engine";
import { seedUser, signIn, type TestClient, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let other: SeededDataset;
let curator: TestClient;
let runId = "";
let testVersionId = 0;
let bareVersionId = 0;
let pendingVersionId = 0;
let overlapVersionId = 0;

const START = graphql(`
  mutation ProbeTestVersionSelectionRunStart($input: SelectionRunStartInput!) { selectionRunStart(input: $input) { run { id } job { id } errors { code field message } } }
`);
const PROBE = graphql(`
  mutation ProbeTestVersionEvaluationProbeRun($input: EvaluationProbeRunInput!) { evaluationProbeRun(input: $input) { job { id } errors { code field message } } }
`);

const waitJob = (job: string, timeoutMs = 60_000) => waitJobEnd(server.store, job, timeoutMs);

/**
 * A dataset of the seeded consortium: n samples, labels alternate, site S0/S1 crossed with label, vectors
 * drawn as seedDataset draws them (class axis + site axis). `set`: "COMPLETE" (with vectors), "PENDING", or none.
 */
async function testDataset(name: string, n: number, set: "COMPLETE" | "PENDING" | null) {
  const p = server.store.prisma;
  const rng = createRng(5);
  const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name } });
  const rows = [];
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / 2) % 2;
    rows.push({ datasetId: dataset.id, externalId: `${name}-${i}`, label: i % 2 ? "pneumonia" : "normal", siteId: seeded.siteIds[g]!, metadata: { scanner: `scanner-${g}` }, contentHash: `${name}-${i}` });
  }
  await p.sample.createMany({ data: rows });
  const ids = (await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
  const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "test split", contentHash: name, sampleCount: n } });
  await p.datasetVersionSample.createMany({ data: ids.map((sampleId, position) => ({ versionId: version.id, sampleId, position })) });
  if (set) {
    const s = await p.embeddingSet.create({ data: { modelId: seeded.modelId, datasetVersionId: version.id, dim: 8, status: set, count: set === "COMPLETE" ? n : 0 } });
    if (set === "COMPLETE") {
      await p.embeddingVector.createMany({
        data: ids.map((sampleId, i) => {
          const v = new Float32Array(8);
          const g = Math.floor(i / 2) % 2;
          for (let d = 0; d < 8; d++) v[d] = (d === i % 2 ? 10 : 0) + (d === 2 + g ? 6 : 0) + rng.normal() * 0.3;
          return { setId: s.id, sampleId, vector: new Uint8Array(v.buffer) };
        }),
      });
    }
  }
  return version.id;
}

async function counts() {
  const p = server.store.prisma;
  return [await p.job.count(), await p.evaluation.count(), await p.auditEvent.count()];
}

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 160, groups: 2, slug: "probe-a" });
  other = await seedDataset(server.store, { n: 20, groups: 1, slug: "probe-b" });
  // A curator of both consortia: the other one's version is visible, and still refused.
  const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }, { consortiumId: other.consortiumId, role: "CURATOR" }], "curator");
  curator = await signIn(server, u.email);
  testVersionId = await testDataset("xray-test", 80, "COMPLETE");
  bareVersionId = await testDataset("xray-bare", 10, null);
  pendingVersionId = await testDataset("xray-pending", 10, "PENDING");
  // Version 2 of the pool's own dataset: the same samples and vectors, so it overlaps every selection.
  const p = server.store.prisma;
  const v2 = await p.datasetVersion.create({ data: { datasetId: seeded.datasetId, number: 2, message: "copy", contentHash: "h2", sampleCount: 160 } });
  await p.datasetVersionSample.createMany({ data: seeded.sampleIds.map((sampleId, position) => ({ versionId: v2.id, sampleId, position })) });
  const s2 = await p.embeddingSet.create({ data: { modelId: seeded.modelId, datasetVersionId: v2.id, dim: 8, status: "COMPLETE", count: 160 } });
  await server.store.sql.query(`INSERT INTO "EmbeddingVector" ("setId", "sampleId", vector) SELECT $1, "sampleId", vector FROM "EmbeddingVector" WHERE "setId" = $2`, [s2.id, seeded.setId]);
  overlapVersionId = v2.id;
  const r = await curator.mutate(START, {
    input: { datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 20, seed: 3 },
  });
  expect(r.data.selectionRunStart.errors).toEqual([]);
  runId = r.data.selectionRunStart.run.id;
  expect((await waitJob(r.data.selectionRunStart.job.id)).status).toBe("SUCCEEDED");
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("evaluationProbeRun(testVersionId)", () => {
  it("refuses a version of another consortium, the run's own version, and versions without a COMPLETE set of the model; nothing is written", async () => {
    const before = await counts();
    const cases: [number | string, string, RegExp][] = [
      [other.versionId, "VALIDATION", /another consortium/],
      [seeded.versionId, "VALIDATION", /own version/],
      [bareVersionId, "INVALID_STATE", /no embeddings of the run's model/],
      [pendingVersionId, "INVALID_STATE", /PENDING; expected COMPLETE/],
      ["not-an-id", "NOT_FOUND", /DatasetVersion/],
    ];
    for (const [version, code, message] of cases) {
      const r = await curator.mutate(PROBE, { input: { runId, testVersionId: typeof version === "number" ? gid("DatasetVersion", version) : version } });
      expect(r.errors).toEqual([]);
      expect(r.data.evaluationProbeRun.job).toBeNull();
      expect(r.data.evaluationProbeRun.errors).toHaveLength(1);
      expect(r.data.evaluationProbeRun.errors[0]).toMatchObject({ code, field: ["input", "testVersionId"] });
      expect(r.data.evaluationProbeRun.errors[0]!.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it("tests on the test version and stores per-column worst-group accuracy with split test-version:<id>", async () => {
    const r = await curator.mutate(PROBE, { input: { runId, testVersionId: gid("DatasetVersion", testVersionId) } });
    expect(r.data.evaluationProbeRun.errors).toEqual([]);
    const job = await waitJob(r.data.evaluationProbeRun.job.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    const runDb = Number(Buffer.from(runId, "base64url").toString().split(":")[1]);
    const evals = await server.store.prisma.evaluation.findMany({ where: { runId: runDb, split: `test-version:${gid("DatasetVersion", testVersionId)}` }, orderBy: { metric: "asc" } });
    // seedDataset's pool has "scanner" and site; the run declares nothing and has no analysis here.
    expect(evals.map((e) => e.metric)).toEqual(["probe.accuracy", "probe.balancedAccuracy", "probe.worstGroupAccuracy", "probe.worstGroupAccuracy.site"]);
    const details = evals[0]!.details as any;
    expect(details.testSize).toBe(80);
    expect(details.excludedOverlap).toBe(0);
    expect(details.testVersion).toEqual({ id: gid("DatasetVersion", testVersionId), dataset: "xray-test", number: 1 });
    expect(details.groupings.site.perGroup.map((g: any) => [g.label, g.group, g.n])).toEqual([["normal", "S0", 20], ["normal", "S1", 20], ["pneumonia", "S0", 20], ["pneumonia", "S1", 20]]);
    const wga = evals.find((e) => e.metric === "probe.worstGroupAccuracy")!.value;
    expect(evals.find((e) => e.metric === "probe.worstGroupAccuracy.site")!.value).toBe(wga);
    expect(wga).toBe(Math.min(...details.groupings.site.perGroup.map((g: any) => g.accuracy)));
    expect(evals[0]!.value).toBeGreaterThan(0.9); // separable classes
  });

  it("leaves the run's own samples out of a test version that shares them, and reports how many", async () => {
    const r = await curator.mutate(PROBE, { input: { runId, testVersionId: gid("DatasetVersion", overlapVersionId) } });
    expect(r.data.evaluationProbeRun.errors).toEqual([]);
    expect((await waitJob(r.data.evaluationProbeRun.job.id)).status).toBe("SUCCEEDED");
    const e = await server.store.prisma.evaluation.findFirstOrThrow({ where: { split: `test-version:${gid("DatasetVersion", overlapVersionId)}`, metric: "probe.accuracy" } });
    expect(e.details).toMatchObject({ trainSize: 40, testSize: 120, excludedOverlap: 40 });
  });

  it("a declared column gets its own worst-group accuracy; a column the test data lacks is named as skipped", async () => {
    const runDb = Number(Buffer.from(runId, "base64url").toString().split(":")[1]);
    const p = server.store.prisma;
    const params = (await p.selectionRun.findUniqueOrThrow({ where: { id: runDb } })).params as Record<string, unknown>;
    await p.selectionRun.update({ where: { id: runDb }, data: { params: { ...params, declared: ["scanner", "age"] } } });
    try {
      const r = await curator.mutate(PROBE, { input: { runId, testVersionId: gid("DatasetVersion", testVersionId) } });
      expect((await waitJob(r.data.evaluationProbeRun.job.id)).status).toBe("SUCCEEDED");
      const job = await p.job.findUniqueOrThrow({ where: { id: Number(Buffer.from(r.data.evaluationProbeRun.job.id, "base64url").toString().split(":")[1]) } });
      const result = job.result as any;
      expect(Object.keys(result.worstGroupByColumn).sort()).toEqual(["scanner", "site"]);
      // scanner-g and site S<g> split the test rows the same way
      expect(result.worstGroupByColumn.scanner).toBe(result.worstGroupByColumn.site);
      const e = await p.evaluation.findFirstOrThrow({ where: { runId: runDb, metric: "probe.worstGroupAccuracy.scanner" }, orderBy: { id: "desc" } });
      expect(e.details).toMatchObject({ skippedColumns: ["age"] });
    } finally {
      await p.selectionRun.update({ where: { id: runDb }, data: { params: params as object } });
    }
  });

  it("without testVersionId it still tests on the pool holdout", async () => {
    const r = await curator.mutate(PROBE, { input: { runId } });
    expect(r.data.evaluationProbeRun.errors).toEqual([]);
    expect((await waitJob(r.data.evaluationProbeRun.job.id)).status).toBe("SUCCEEDED");
    const e = await server.store.prisma.evaluation.findMany({ where: { split: "pool-holdout" } });
    expect(e.map((x) => x.metric).sort()).toEqual(["probe.accuracy", "probe.balancedAccuracy", "probe.worstGroupAccuracy", "probe.worstGroupAccuracy.site"]);
    expect(e[0]!.details).toMatchObject({ trainSize: 40, testSize: 120 });
  });
});
