/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// The large-set paths: a version above the exact-search limit is searched through the engine's index
// (recall against exact search), the QUALITY job takes the approximate graph and searches other
// versions through the index; and the per-process cache evicts by bytes, least recently used first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import * as engine from "@stratum/engine";
import { loadEmbeddingMatrix } from "@stratum/db";
import { seedUser, signIn, type TestClient } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";
import { EXACT_SEARCH_MAX, SearchCache, type SearchEntry } from "../similarity.js";

describe("SearchCache", () => {
  it("evicts least recently used entries past its byte budget, never the one just built", async () => {
    const cache = new SearchCache(100);
    const entry = (setId: number, bytes: number) => async () => ({ setId, bytes }) as unknown as SearchEntry;
    await cache.get(1, "a", entry(1, 40));
    await cache.get(2, "a", entry(2, 30));
    await cache.get(1, "a", entry(1, 40)); // 1 is now the most recent
    expect(cache.has(1, "a") && cache.has(2, "a")).toBe(true);
    await cache.get(3, "a", entry(3, 50)); // 120 > 100: 2, the least recent, goes
    expect(cache.has(2, "a")).toBe(false);
    expect(cache.has(1, "a") && cache.has(3, "a")).toBe(true);
    expect(cache.usedBytes).toBe(90);
    await cache.get(5, "a", entry(5, 500)); // larger than the budget: everything else goes, it stays (served once)
    expect([cache.has(1, "a"), cache.has(3, "a"), cache.has(5, "a")]).toEqual([false, false, true]);
    await cache.get(5, "b", entry(5, 10)); // a changed key (a re-filled set) replaces the entry
    expect(cache.has(5, "a")).toBe(false);
    expect(cache.has(5, "b")).toBe(true);
    expect(cache.usedBytes).toBe(10);
    await expect(cache.get(4, "a", async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(cache.has(4, "a")).toBe(false);
  });
});

let server: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
const N = EXACT_SEARCH_MAX + 1000;

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: N, dim: 16, groups: 3, slug: "dq-large" });
  curator = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "curator")).email);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe("similarSamples above the exact limit", () => {
  it("answers through the index with recall@10 ≥ 0.9 against exact search", async () => {
    const m = await loadEmbeddingMatrix(server.store.sql, seeded.setId);
    const points = { data: m.points, n: m.n, dim: m.dim };
    const Q = graphql(`query SimilarityLargeSimilarSamples($s: ID!, $e: ID!) { similarSamples(sampleId: $s, embeddingSetId: $e, first: 10) { method warm items { score sample { id } } } }`);
    let hits = 0, total = 0;
    for (const row of [0, 17, 999, 2500, N - 1]) {
      const r = await curator.query(Q, { s: gid("Sample", m.sampleIds[row]!), e: gid("EmbeddingSet", seeded.setId) });
      expect(r.errors).toEqual([]);
      expect(r.data.similarSamples.method).toBe("index");
      const got = new Set(r.data.similarSamples.items.map((i: any) => i.sample.id));
      const exact = engine.exactSimilar(points, row, 10);
      for (const t of exact.rows) if (got.has(gid("Sample", m.sampleIds[t]!))) hits++;
      total += 10;
    }
    expect(hits / total).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});

describe("the QUALITY job above the exact limits", () => {
  it("finds a copy in another dataset through the index, on the approximate graph", async () => {
    const p = server.store.prisma;
    const m = await loadEmbeddingMatrix(server.store.sql, seeded.setId);
    const dataset = await p.dataset.create({ data: { projectId: seeded.projectId, name: "large-test" } });
    await p.sample.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ datasetId: dataset.id, externalId: `t-${i}`, label: "normal", contentHash: `t-${i}` })) });
    const ids = (await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { externalId: "asc" }, select: { id: true } })).map((r) => r.id);
    const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "t", contentHash: "t", sampleCount: 20 } });
    await p.datasetVersionSample.createMany({ data: ids.map((sampleId, position) => ({ versionId: version.id, sampleId, position })) });
    const set = await p.embeddingSet.create({ data: { modelId: seeded.modelId, datasetVersionId: version.id, dim: 16, status: "COMPLETE", count: 20 } });
    const copyOf = 1234;
    await p.embeddingVector.createMany({
      data: ids.map((sampleId, i) => {
        const v = i === 0 ? Float32Array.from(m.points.subarray(copyOf * 16, (copyOf + 1) * 16)) : Float32Array.from({ length: 16 }, (_, d) => (d === 15 ? 10 : 0) + (d === i % 15 ? 4 : 0));
        return { setId: set.id, sampleId, vector: new Uint8Array(v.buffer as ArrayBuffer) };
      }),
    });
    const START = graphql(`mutation SimilarityLargeDataQualityStart($input: DataQualityStartInput!) { dataQualityStart(input: $input) { report { id } job { id } errors { code field message } } }`);
    const r = await curator.mutate(START, { input: { datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId) } });
    expect(r.data.dataQualityStart.errors).toEqual([]);
    const jobId = Number(Buffer.from(r.data.dataQualityStart.job.id, "base64url").toString().split(":")[1]);
    let job;
    for (const end = Date.now() + 120_000; ; ) {
      job = await p.job.findUniqueOrThrow({ where: { id: jobId } });
      if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.status) || Date.now() > end) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(job.error).toBeNull();
    expect(job.status).toBe("SUCCEEDED");
    const Q = graphql(`query SimilarityLargeDataQualityReport($id: ID!) { dataQualityReport(id: $id) { results duplicateSets(crossSplit: true) { nodes { members { inVersion sample { externalId } } } } } }`);
    const q = await curator.query(Q, { id: r.data.dataQualityStart.report.id });
    const report = q.data.dataQualityReport;
    expect(report.results.graph).toBe("approximate");
    expect(report.results.crossVersions.compared).toEqual([expect.objectContaining({ dataset: "large-test", rows: 20, pairs: 1 })]);
    expect(report.duplicateSets.nodes.map((s: any) => s.members.map((x: any) => x.sample.externalId).sort())).toEqual([[m.externalIds[copyOf], "t-0"].sort()]);
  }, 180_000);
});
