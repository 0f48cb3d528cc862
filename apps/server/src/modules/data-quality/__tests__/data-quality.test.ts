/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Data quality through the API (issue 14): dataQualityStart queues a QUALITY job whose report lists the
// planted duplicates (near across sites, near with two labels, exact by sha256, and a copy in another
// dataset of the consortium = leakage), the planted outlier at rank 0 of its class and the flipped label
// with the right suggestion; a bad threshold is refused naming the field with nothing written; another
// consortium's curator sees nothing; similarSamples finds the planted copy first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { Store } from "@stratum/db";
import { createApp } from "../../../app.js";
import { TestClient } from "../../../test/harness.js";
import { createRng } from "@stratum/engine";
import { seedUser, signIn, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let other: SeededDataset;
let curator: TestClient;
let outsider: TestClient;
let scoped: TestClient;
let testSampleIds: number[] = [];
let testVersionId = 0;

const START = graphql(`
  mutation DataQualityDataQualityStart($input: DataQualityStartInput!) {
    dataQualityStart(input: $input) { report { id status } job { id kind } errors { code field message } }
  }
`);
const REPORT = graphql(`
  query DataQualityDataQualityReport($id: ID!) {
    dataQualityReport(id: $id) {
      id status threshold results error
      job { id kind status phase }
      duplicateSets(first: 50) {
        totalCount
        nodes { kind size crossSite crossSplit conflictingLabels sites labels members { inVersion versionId sample { id externalId } } }
      }
      outliers(label: "normal", first: 3) { nodes { outlierRank outlierReason sample { externalId } } }
      labelErrors(first: 20) { totalCount nodes { label suggestedLabel labelErrorScore labelIssue sample { externalId } } }
      outlierClasses { label size k }
    }
  }
`);
const SIMILAR = graphql(`
  query DataQualitySimilarSamples($sampleId: ID!, $setId: ID!, $first: Int) {
    similarSamples(sampleId: $sampleId, embeddingSetId: $setId, first: $first) { method warm evaluated items { score sample { externalId uri } } }
  }
`);

function setVector(i: number, v: Float32Array) {
  return server.store.prisma.embeddingVector.update({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[i]! } }, data: { vector: new Uint8Array(v.buffer as ArrayBuffer) } });
}

async function vectorOf(i: number): Promise<Float32Array> {
  const row = await server.store.prisma.embeddingVector.findUniqueOrThrow({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[i]! } } });
  return new Float32Array(new Uint8Array(row.vector).buffer);
}

const rng = createRng(11);
const nearCopy = (v: Float32Array) => Float32Array.from(v, (x) => x + rng.normal() * 1e-3);

const waitJob = (job: string, timeoutMs = 60_000) => waitJobEnd(server.store, job, timeoutMs);

async function counts() {
  const p = server.store.prisma;
  return [await p.job.count(), await p.dataQualityReport.count(), await p.dataQualitySample.count(), await p.auditEvent.count()];
}

const ext = (i: number) => `img-${String(i).padStart(6, "0")}`;

beforeAll(async () => {
  server = await startLiveServer();
  // sample i: label normal/pneumonia alternating, site S(floor(i/2) % 2)
  seeded = await seedDataset(server.store, { n: 160, groups: 2, slug: "dq-a" });
  other = await seedDataset(server.store, { n: 20, groups: 1, slug: "dq-b" });
  const p = server.store.prisma;
  // near-duplicate across sites: 12 (S0) is a copy of 10 (S1), both normal
  await setVector(12, nearCopy(await vectorOf(10)));
  // near-duplicate with two labels: 21 (pneumonia) is a copy of 20 (normal)
  await setVector(21, nearCopy(await vectorOf(20)));
  // a flipped label: 40 sits among the normals but says pneumonia
  await p.sample.update({ where: { id: seeded.sampleIds[40]! }, data: { label: "pneumonia" } });
  // an outlier of the normals: far along axes no one else uses
  await setVector(50, Float32Array.from({ length: 8 }, (_, d) => (d === 0 ? 10 : 0) + (d >= 4 ? 25 : 0)));
  // the same image bytes twice: 61 has 60's sha256
  const s60 = await p.sample.findUniqueOrThrow({ where: { id: seeded.sampleIds[60]! } });
  await p.sample.update({ where: { id: seeded.sampleIds[61]! }, data: { sha256: s60.sha256 } });
  // another dataset of the consortium (a test split) embedded with the same model, holding a copy of 70
  const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name: "xray-test" } });
  const rows = Array.from({ length: 6 }, (_, i) => ({ datasetId: dataset.id, externalId: `test-${i}`, label: i % 2 ? "pneumonia" : "normal", siteId: seeded.siteIds[0]!, contentHash: `test-${i}` }));
  await p.sample.createMany({ data: rows });
  testSampleIds = (await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { externalId: "asc" }, select: { id: true } })).map((r) => r.id);
  const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "test split", contentHash: "t", sampleCount: 6 } });
  testVersionId = version.id;
  await p.datasetVersionSample.createMany({ data: testSampleIds.map((sampleId, position) => ({ versionId: version.id, sampleId, position })) });
  const set = await p.embeddingSet.create({ data: { modelId: seeded.modelId, datasetVersionId: version.id, dim: 8, status: "COMPLETE", count: 6 } });
  const v70 = await vectorOf(70);
  await p.embeddingVector.createMany({
    data: testSampleIds.map((sampleId, i) => {
      // test-0 is the leaked copy of 70; the others sit on a direction the pool never takes
      const v = i === 0 ? nearCopy(v70) : Float32Array.from({ length: 8 }, (_, d) => (d === 7 ? 10 : 0) + (d === i ? 3 : 0));
      return { setId: set.id, sampleId, vector: new Uint8Array(v.buffer) };
    }),
  });
  curator = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "curator")).email);
  outsider = await signIn(server, (await seedUser(server.store, [{ consortiumId: other.consortiumId, role: "CURATOR" }], "outsider")).email);
  scoped = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER", siteId: seeded.siteIds[0]! }], "scoped")).email);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const input = (params?: Record<string, unknown>) => ({
  datasetVersionId: gid("DatasetVersion", seeded.versionId),
  embeddingSetId: gid("EmbeddingSet", seeded.setId),
  ...(params ? { params } : {}),
});

describe("dataQualityStart", () => {
  it("refuses parameters out of range with typed errors naming the field, writing nothing", async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, string[], RegExp][] = [
      [{ threshold: 3 }, ["input", "params", "threshold"], /threshold: expected a cosine distance in \(0, 2\], got 3/],
      [{ threshold: 0 }, ["input", "params", "threshold"], /got 0/],
      [{ threshold: -0.1 }, ["input", "params", "threshold"], /got -0.1/],
      [{ k: 0 }, ["input", "params", "k"], /k: expected an integer in 1\.\.100, got 0/],
      [{ outlierK: 500 }, ["input", "params", "outlierK"], /outlierK: expected an integer in 1\.\.100/],
    ];
    for (const [params, field, message] of cases) {
      const r = await curator.mutate(START, { input: input(params) });
      expect(r.errors).toEqual([]);
      expect(r.data.dataQualityStart.report).toBeNull();
      expect(r.data.dataQualityStart.errors).toHaveLength(1);
      expect(r.data.dataQualityStart.errors[0]).toMatchObject({ code: "VALIDATION", field });
      expect(r.data.dataQualityStart.errors[0]!.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it("refuses another consortium's curator (NOT_FOUND) and a member below CURATOR (FORBIDDEN), writing nothing", async () => {
    // (signing in is audited, so before counting)
    const reviewer = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "REVIEWER" }], "reviewer")).email);
    const before = await counts();
    const r = await outsider.mutate(START, { input: input() });
    expect(r.data.dataQualityStart.errors[0]).toMatchObject({ code: "NOT_FOUND", field: ["input", "datasetVersionId"] });
    const f = await reviewer.mutate(START, { input: input() });
    expect(f.data.dataQualityStart.errors[0]).toMatchObject({ code: "FORBIDDEN", field: ["input", "datasetVersionId"] });
    expect(await counts()).toEqual(before);
  });

  let reportId = "";
  it("finds the planted duplicates, outlier and label error through the API", async () => {
    const r = await curator.mutate(START, { input: input() });
    expect(r.data.dataQualityStart.errors).toEqual([]);
    expect(r.data.dataQualityStart.job.kind).toBe("QUALITY");
    reportId = r.data.dataQualityStart.report.id;
    const job = await waitJob(r.data.dataQualityStart.job.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    // progress went through the job's steps (events are coalesced, so not every phase need be there)
    const phases = (await server.store.prisma.streamEvent.findMany({ where: { topic: `job:${job.id}` } })).map((e) => (e.payload as any).phase);
    expect(phases).toEqual(expect.arrayContaining(["loading", "writing"]));
    expect(phases.some((p) => ["neighbours", "near duplicates", "outliers", "label errors"].includes(p))).toBe(true);

    const q = await curator.query(REPORT, { id: reportId });
    expect(q.errors).toEqual([]);
    const report = q.data.dataQualityReport;
    expect(report.status).toBe("SUCCEEDED");
    expect(report.threshold).toBeGreaterThan(0);
    expect(report.results.thresholdRule).toBe("default");
    const sets = report.duplicateSets.nodes;
    const members = (s: any) => s.members.map((m: any) => m.sample.externalId).sort();
    const find = (kind: string, ids: string[]) => sets.find((s: any) => s.kind === kind && ids.every((id) => members(s).includes(id)));
    const crossSite = find("NEAR", [ext(10), ext(12)]);
    expect(crossSite).toMatchObject({ crossSite: true, crossSplit: false, conflictingLabels: false, sites: ["S0", "S1"], labels: ["normal"] });
    const twoLabels = find("NEAR", [ext(20), ext(21)]);
    expect(twoLabels).toMatchObject({ conflictingLabels: true, labels: ["normal", "pneumonia"] });
    const exact = find("EXACT", [ext(60), ext(61)]);
    expect(exact).toMatchObject({ size: 2, crossSplit: false });
    const leak = find("NEAR", [ext(70), "test-0"])!;
    expect(leak).toMatchObject({ crossSplit: true });
    expect(leak.members.find((m: any) => m.sample.externalId === "test-0")).toMatchObject({ inVersion: false, versionId: gid("DatasetVersion", testVersionId) });
    // flagged sets are listed first; no ordinary neighbours were taken for duplicates
    expect(sets[0]!.crossSplit).toBe(true);
    expect(report.duplicateSets.totalCount).toBeLessThanOrEqual(5);
    expect(report.results.crossVersions.compared).toEqual([expect.objectContaining({ versionId: testVersionId, dataset: "xray-test", rows: 6 })]);

    expect(report.outliers.nodes[0]).toMatchObject({ outlierRank: 0, sample: { externalId: ext(50) } });
    expect(report.outliers.nodes[0]!.outlierReason).toMatch(/rank 1 of \d+ in "normal"/);
    const flipped = report.labelErrors.nodes.find((n: any) => n.sample.externalId === ext(40));
    expect(flipped).toMatchObject({ label: "pneumonia", suggestedLabel: "normal", labelIssue: true });
    expect(report.outlierClasses.map((c: any) => c.label)).toEqual(["normal", "pneumonia"]);

    // the version lists it, newest first, and as its latest
    const v = await curator.query(graphql(`query DataQualityNode($id: ID!) { node(id: $id) { ... on DatasetVersion { dataQuality { totalCount nodes { id } } latestDataQuality { id } } } }`), { id: gid("DatasetVersion", seeded.versionId) });
    expect(v.data.node.dataQuality.nodes[0]!.id).toBe(reportId);
    expect(v.data.node.latestDataQuality.id).toBe(reportId);
    const n = await curator.query(graphql(`query DataQualityNode2($id: ID!) { node(id: $id) { ... on DataQualityReport { id status } } }`), { id: reportId });
    expect(n.data.node).toEqual({ id: reportId, status: "SUCCEEDED" });
    const j = await curator.query(graphql(`query DataQualityNode3($id: ID!) { node(id: $id) { ... on Job { kind dataQuality { id } } } }`), { id: r.data.dataQualityStart.job.id });
    expect(j.data.node).toEqual({ kind: "QUALITY", dataQuality: { id: reportId } });
  });

  it("hides the report from another consortium's member", async () => {
    const q = await outsider.query(REPORT, { id: reportId });
    expect(q.data.dataQualityReport).toBeNull();
    const n = await outsider.query(graphql(`query DataQualityNode4($id: ID!) { node(id: $id) { id } }`), { id: reportId });
    expect(n.data.node).toBeNull();
  });

  it("a given threshold is used and stored", async () => {
    const r = await curator.mutate(START, { input: input({ threshold: 0.0001, crossVersions: false, seed: 4 }) });
    expect(r.data.dataQualityStart.errors).toEqual([]);
    const job = await waitJob(r.data.dataQualityStart.job.id);
    expect(job.status).toBe("SUCCEEDED");
    const q = await curator.query(REPORT, { id: r.data.dataQualityStart.report.id });
    const report = q.data.dataQualityReport;
    expect(report.threshold).toBe(0.0001);
    expect(report.results.thresholdRule).toBe("given");
    expect(report.duplicateSets.nodes.some((s: any) => s.crossSplit)).toBe(false);
  });
});

describe("QUALITY job ends", () => {
  it("a cancelled job leaves its report CANCELLED with no findings", async () => {
    const p = server.store.prisma;
    const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "QUALITY", payload: {}, cancelRequested: true } });
    const report = await p.dataQualityReport.create({ data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: { threshold: null, k: 10, outlierK: 10, outlierMetric: "euclidean", labelErrors: "knn", seed: 0, crossVersions: true }, jobId: job.id } });
    await p.job.update({ where: { id: job.id }, data: { payload: { reportId: report.id } } });
    await server.runtime.jobs.queue.enqueue(job.id);
    const done = await waitJob(gid("Job", job.id));
    expect(done.status).toBe("CANCELLED");
    const after = await p.dataQualityReport.findUniqueOrThrow({ where: { id: report.id } });
    expect(after.status).toBe("CANCELLED");
    expect(await p.dataQualitySample.count({ where: { reportId: report.id } })).toBe(0);
    expect(await p.dataQualityDuplicateSet.count({ where: { reportId: report.id } })).toBe(0);
  });
});

describe("similarSamples", () => {
  it("finds the planted copy first, with a cosine score near 1", async () => {
    const r = await curator.query(SIMILAR, { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId), first: 3 });
    expect(r.errors).toEqual([]);
    const res = r.data.similarSamples;
    expect(res.method).toBe("exact");
    expect(res.items).toHaveLength(3);
    expect(res.items[0]!.sample.externalId).toBe(ext(12));
    expect(res.items[0]!.score).toBeGreaterThan(0.9999);
    expect(res.items.map((i: any) => i.sample.externalId)).not.toContain(ext(10));
    const again = await curator.query(SIMILAR, { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId), first: 3 });
    expect(again.data.similarSamples.warm).toBe(true);
  });

  it("takes a sample of another version by its vector of the same model", async () => {
    const r = await curator.query(SIMILAR, { sampleId: gid("Sample", testSampleIds[0]!), setId: gid("EmbeddingSet", seeded.setId), first: 1 });
    expect(r.data.similarSamples.items[0]!.sample.externalId).toBe(ext(70));
  });

  it("site scoping: a member of S0 gets other sites' samples without their URI", async () => {
    const r = await scoped.query(SIMILAR, { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId), first: 10 });
    const items = r.data.similarSamples.items;
    expect(items.length).toBe(10);
    // sample i is at S(floor(i/2) % 2): S0 samples keep their URI, S1 ones do not
    for (const it of items) {
      const i = Number(it.sample.externalId.slice(4));
      expect(it.sample.uri === null).toBe(Math.floor(i / 2) % 2 === 1);
    }
  });

  it("answers null to another consortium's member, and for a sample of another consortium", async () => {
    const r = await outsider.query(SIMILAR, { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId) });
    expect(r.data.similarSamples).toBeNull();
    const cross = await curator.query(SIMILAR, { sampleId: gid("Sample", other.sampleIds[0]!), setId: gid("EmbeddingSet", seeded.setId) });
    expect(cross.data.similarSamples).toBeNull();
  });

  it("a warm request reads the set row and the result samples with their sites: two database queries, the access checks still made", async () => {
    // The same database behind an app whose store counts every Prisma operation and raw SQL statement.
    let queries = 0;
    const counting = server.store.prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          queries++;
          return query(args);
        },
      },
    });
    const sql = server.store.sql;
    const store: Store = {
      ...server.store,
      prisma: counting as unknown as Store["prisma"],
      sql: { ...sql, query: (text, params) => (queries++, sql.query(text, params)) },
    };
    const app = await createApp({ store, config: { nodeEnv: "test", filesDir: server.filesDir, uploadDir: server.filesDir } });
    const { port } = await app.listen(0, "127.0.0.1");
    try {
      const at = { ...server, url: `http://127.0.0.1:${port}/graphql`, base: `http://127.0.0.1:${port}` };
      const as = (c: TestClient) => Object.assign(new TestClient(at), { cookies: c.cookies });
      const Q = graphql(`
        query DataQualitySimilarSamples2($sampleId: ID!, $setId: ID!) {
          similarSamples(sampleId: $sampleId, embeddingSetId: $setId, first: 10) { warm items { score sample { id externalId uri imageUrl label site { id code } } } }
        }
      `);
      const vars = { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId) };
      const cur = as(curator);
      await cur.query(Q, vars); // cold: builds this store's search structure, reads the session and memberships
      queries = 0;
      const r = await cur.query(Q, vars);
      expect(r.errors).toEqual([]);
      expect(r.data.similarSamples.warm).toBe(true);
      expect(r.data.similarSamples.items).toHaveLength(10);
      expect(r.data.similarSamples.items[0]!.sample.externalId).toBe(ext(12));
      expect(r.data.similarSamples.items.every((it: any) => it.sample.site?.code && it.sample.uri !== null)).toBe(true);
      expect(queries).toBe(2);

      // the warm index is no way around the checks: a stranger gets null, a site-scoped member no other site's URI or image
      const stranger = await as(outsider).query(Q, vars);
      expect(stranger.errors).toEqual([]);
      expect(stranger.data.similarSamples).toBeNull();
      const s0 = await as(scoped).query(Q, vars);
      expect(s0.data.similarSamples.warm).toBe(true);
      for (const it of s0.data.similarSamples.items) {
        const otherSite = Math.floor(Number(it.sample.externalId.slice(4)) / 2) % 2 === 1;
        expect(it.sample.site.id).toBe(gid("Site", seeded.siteIds[otherSite ? 1 : 0]!));
        expect(it.sample.uri === null).toBe(otherSite);
        expect(it.sample.imageUrl === null).toBe(otherSite);
      }
      // a sample outside the set's version still goes through the sample's own consortium check
      const cross = await cur.query(Q, { ...vars, sampleId: gid("Sample", other.sampleIds[0]!) });
      expect(cross.data.similarSamples).toBeNull();
    } finally {
      await app.close();
    }
  });

  it("refuses first out of range", async () => {
    const r = await curator.query(SIMILAR, { sampleId: gid("Sample", seeded.sampleIds[10]!), setId: gid("EmbeddingSet", seeded.setId), first: 0 });
    expect(r.errors[0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect(r.errors[0]!.message).toMatch(/first: expected an integer in 1\.\.100, got 0/);
  });
});
