/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Saved subsets and run constraints through the API (issue 14): create from a list, a metadata filter and
// quality rules; typed errors naming the field with nothing written (name clash, a sample or subset of
// another version, an include over the budget, exclusions without a report); role checks; site-scoped
// members and the manifest export; a run with a pool subset, exclusions (a subset and duplicates, one of
// each set kept) and must-include rows, recorded so its reproduction gives the same manifest hash.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { LassoInput, SubsetCreateInput, SubsetKind } from "../../../test/gql/graphql.js";
import { createRng } from "@stratum/engine";
import { seedUser, signIn, type TestClient, waitJob as waitJobEnd } from "../../../test/harness.js";
import { decodeIdOrNull, toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let otherVersionId = 0;
let curator: TestClient;
let viewer: TestClient;
let scoped: TestClient;
let outsider: TestClient;

const CREATE = graphql(`
  mutation SubsetSubsetCreate($input: SubsetCreateInput!) {
    subsetCreate(input: $input) { subset { id name kind memberCount memberHash definition manifestPath } errors { code field message } }
  }
`);
const RENAME = graphql(`
  mutation SubsetSubsetRename($input: SubsetRenameInput!) { subsetRename(input: $input) { subset { id name } errors { code field message } } }
`);
const DELETE = graphql(`
  mutation SubsetSubsetDelete($input: SubsetDeleteInput!) { subsetDelete(input: $input) { deletedSubsetId errors { code field message } } }
`);
const SUBSET = graphql(`
  query SubsetSubset($id: ID!) { subset(id: $id) { id name memberCount members(first: 100) { totalCount nodes { id externalId } } } }
`);
const START = graphql(`
  mutation SubsetSelectionRunStart($input: SelectionRunStartInput!) { selectionRunStart(input: $input) { run { id } job { id } errors { code field message } } }
`);
const RUN = graphql(`
  query SubsetSelectionRun($id: ID!) {
    selectionRun(id: $id) {
      id status manifestHash reproducible warnings metrics
      items(first: 100) { nodes { rank label reason sample { id externalId } } }
      constraints {
        pool { subsetId name memberHash memberCount }
        exclude { name memberHash }
        include { name }
        quality { reportId duplicates duplicatesExcluded outliersExcluded labelErrorsExcluded }
        poolCount excludedCount includedCount
        samples(first: 100) { totalCount nodes { role reason sample { id } } }
      }
    }
  }
`);

const PREVIEW = graphql(`
  query SubsetNode($id: ID!) { node(id: $id) { ... on DatasetVersion { qualityExclusionPreview(rules: { duplicates: true }) { reportId duplicates duplicateSets total } } } }
`);

const ext = (i: number) => `img-${String(i).padStart(6, "0")}`;
const sid = (i: number) => gid("Sample", seeded.sampleIds[i]!);
const version = () => gid("DatasetVersion", seeded.versionId);
const waitJob = (job: string, timeoutMs = 60_000) => waitJobEnd(server.store, job, timeoutMs);
const counts = async () => {
  const p = server.store.prisma;
  return [await p.subset.count(), await p.subsetMember.count(), await p.selectionRun.count(), await p.selectionRunSample.count(), await p.job.count(), await p.auditEvent.count()];
};

async function create(input: Omit<SubsetCreateInput, "datasetVersionId">, client = curator) {
  return (await client.mutate(CREATE, { input: { datasetVersionId: version(), ...input } })).data.subsetCreate;
}

async function startRun(input: Record<string, unknown>) {
  const r = await curator.mutate(START, {
    input: { datasetVersionId: version(), embeddingSetId: gid("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 10, seed: 3, ...input },
  });
  return r.data.selectionRunStart;
}

beforeAll(async () => {
  server = await startLiveServer();
  // sample i: label normal/pneumonia alternating, site S(floor(i/2) % 2), scanner-(same)
  seeded = await seedDataset(server.store, { n: 120, groups: 2, slug: "subset-a" });
  const p = server.store.prisma;
  // planted duplicates for the quality pass: 12 a near copy of 10 (both normal), 14 of 10 too
  const rng = createRng(5);
  const v10 = await p.embeddingVector.findUniqueOrThrow({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[10]! } } });
  const base = new Float32Array(new Uint8Array(v10.vector).buffer);
  for (const i of [12, 14]) {
    const copy = Float32Array.from(base, (x) => x + rng.normal() * 1e-4);
    await p.embeddingVector.update({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[i]! } }, data: { vector: new Uint8Array(copy.buffer) } });
  }
  // a formula-looking id, to check the CSV export keeps it text
  await p.sample.update({ where: { id: seeded.sampleIds[2]! }, data: { externalId: "=HYPERLINK(1)" } });
  // a second version of the dataset holding the first 30 samples
  const v2 = await p.datasetVersion.create({ data: { datasetId: seeded.datasetId, number: 2, message: "half", contentHash: "h2", sampleCount: 30 } });
  otherVersionId = v2.id;
  await p.datasetVersionSample.createMany({ data: seeded.sampleIds.slice(0, 30).map((sampleId, position) => ({ versionId: v2.id, sampleId, position })) });
  const other = await seedDataset(server.store, { n: 10, groups: 1, slug: "subset-b" });
  curator = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "sub-curator")).email);
  viewer = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "sub-viewer")).email);
  scoped = await signIn(server, (await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER", siteId: seeded.siteIds[0]! }], "sub-scoped")).email);
  outsider = await signIn(server, (await seedUser(server.store, [{ consortiumId: other.consortiumId, role: "CURATOR" }], "sub-outsider")).email);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

let manual: { id: string; memberHash: string; manifestPath: string };

describe("subsetCreate / rename / delete", () => {
  it("saves a MANUAL subset from sample ids (duplicates in the list counted once)", async () => {
    const r = await create({ name: "  first four ", kind: "MANUAL", sampleIds: [sid(0), sid(1), sid(2), sid(3), sid(3)], definition: { note: "hand-picked" } });
    expect(r.errors).toEqual([]);
    expect(r.subset).toMatchObject({ name: "first four", kind: "MANUAL", memberCount: 4, definition: { note: "hand-picked" } });
    expect(r.subset.memberHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.subset.manifestPath).toBe(`/subsets/${r.subset.id}/manifest`);
    manual = r.subset;
  });

  it("refuses a name used in the project, a sample of another version and a bad id, naming the field; nothing written", async () => {
    const before = await counts();
    const clash = await create({ name: "first four", kind: "MANUAL", sampleIds: [sid(5)] });
    expect(clash.errors).toEqual([expect.objectContaining({ code: "CONFLICT", field: ["input", "name"] })]);
    const foreign = await server.store.prisma.sample.create({ data: { datasetId: seeded.datasetId, externalId: "elsewhere", label: "normal", contentHash: "x" } });
    const wrong = await create({ name: "mixed", kind: "LASSO", sampleIds: [sid(5), gid("Sample", foreign.id), "nonsense"] });
    expect(wrong.subset).toBeNull();
    expect(wrong.errors.map((e: any) => [e.code, e.field])).toEqual([
      ["VALIDATION", ["input", "sampleIds", "2"]],
      ["VALIDATION", ["input", "sampleIds", "1"]],
    ]);
    const empty = await create({ name: "nothing", kind: "METADATA_FILTER", metadata: { column: "scanner", values: ["none"] } });
    expect(empty.errors).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "metadata"] })]);
    expect(await counts()).toEqual(before);
  });

  it("a LASSO subset records its polygon and the analysis it was drawn on", async () => {
    const p = server.store.prisma;
    const analysis = await p.confounderAnalysis.create({ data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED" } });
    const polygon = [[0.1, 0.2], [0.9, 0.25], [0.8, 0.95], [0.15, 0.7]];
    const r = await create({ name: "lasso left", kind: "LASSO", sampleIds: [sid(0), sid(1), sid(2)], definition: { points: 3 }, lasso: { analysisId: gid("ConfounderAnalysis", analysis.id), polygon } });
    expect(r.errors).toEqual([]);
    const want = { points: 3, lasso: { analysisId: gid("ConfounderAnalysis", analysis.id), analysisCreatedAt: analysis.createdAt.toISOString(), vertexCount: 4, polygon } };
    expect(r.subset).toMatchObject({ kind: "LASSO", memberCount: 3, definition: want });
    const row = await p.subset.findUniqueOrThrow({ where: { id: decodeIdOrNull(r.subset.id, "Subset")! } });
    expect(row.definition).toEqual(want);
  });

  it("refuses a bad lasso (too few or too many vertices, a non-finite or missing coordinate, another version's analysis, the wrong kind) naming the field; nothing written", async () => {
    const p = server.store.prisma;
    const mine = await p.confounderAnalysis.create({ data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED" } });
    const theirs = await p.confounderAnalysis.create({ data: { datasetVersionId: otherVersionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED" } });
    const analysisId = gid("ConfounderAnalysis", mine.id);
    const square = [[0, 0], [1, 0], [1, 1], [0, 1]];
    const before = await counts();
    // Deliberately incomplete lassos (a missing field is one of the cases).
    const lassoErr = async (lasso: Partial<LassoInput>, kind: SubsetKind = "LASSO") => {
      const r = await create({ name: "bad lasso", kind, sampleIds: [sid(0)], lasso: lasso as LassoInput });
      expect(r.subset).toBeNull();
      return r.errors.map((e: any) => [e.code, e.field.join("."), e.message]);
    };
    expect(await lassoErr({ analysisId, polygon: [[0, 0], [1, 1]] })).toEqual([["VALIDATION", "input.lasso.polygon", "lasso.polygon: expected 3–2000 vertices, got 2"]]);
    const long = Array.from({ length: 2001 }, (_, i) => [Math.cos(i), Math.sin(i)]);
    expect((await lassoErr({ analysisId, polygon: long }))[0]!.slice(0, 2)).toEqual(["VALIDATION", "input.lasso.polygon"]);
    const holes = await lassoErr({ analysisId, polygon: [[0, 0], [1], [0, 1, 2], [0.5, 0.5]] });
    expect(holes.map((e: any) => e.slice(0, 2))).toEqual([
      ["VALIDATION", "input.lasso.polygon.1"],
      ["VALIDATION", "input.lasso.polygon.2"],
    ]);
    // JSON has no Infinity or NaN (a client sends null): GraphQL refuses the null coordinate, naming where it is
    const inf = await curator.mutate(CREATE, { input: { datasetVersionId: version(), name: "bad lasso", kind: "LASSO", sampleIds: [sid(0)], lasso: { analysisId, polygon: [[0, 0], [1, 0], [Infinity, 1]] } } });
    expect(inf.data?.subsetCreate ?? null).toBeNull();
    expect(inf.errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(inf.errors[0]!.message).toMatch(/lasso\.polygon\[2\]\[0\]/);
    expect(await lassoErr({ analysisId: gid("ConfounderAnalysis", theirs.id), polygon: square })).toEqual([["NOT_FOUND", "input.lasso.analysisId", "lasso.analysisId: no confounder analysis of this version has this ID"]]);
    expect((await lassoErr({ analysisId: "nonsense", polygon: square }))[0]!.slice(0, 2)).toEqual(["NOT_FOUND", "input.lasso.analysisId"]);
    expect((await lassoErr({ analysisId, polygon: square }, "MANUAL"))[0]!.slice(0, 2)).toEqual(["VALIDATION", "input.lasso"]);
    expect(await counts()).toEqual(before);
  });

  it("checks roles: a VIEWER cannot save, another consortium's curator gets NOT_FOUND", async () => {
    expect((await create({ name: "v", kind: "MANUAL", sampleIds: [sid(0)] }, viewer)).errors[0]).toMatchObject({ code: "FORBIDDEN" });
    expect((await create({ name: "o", kind: "MANUAL", sampleIds: [sid(0)] }, outsider)).errors[0]).toMatchObject({ code: "NOT_FOUND", field: ["input", "datasetVersionId"] });
    expect((await outsider.query(SUBSET, { id: manual.id })).data.subset).toBeNull();
    expect((await viewer.mutate(RENAME, { input: { subsetId: manual.id, name: "x" } })).data.subsetRename.errors[0]).toMatchObject({ code: "FORBIDDEN" });
  });

  it("saves a METADATA_FILTER subset (a metadata column, and site by code)", async () => {
    const scanner = await create({ name: "scanner 0", kind: "METADATA_FILTER", metadata: { column: "scanner", values: ["scanner-0"] } });
    expect(scanner.errors).toEqual([]);
    expect(scanner.subset.memberCount).toBe(60);
    expect(scanner.subset.definition).toMatchObject({ column: "scanner", values: ["scanner-0"] });
    const site = await create({ name: "site S1", kind: "METADATA_FILTER", metadata: { column: "site", values: ["S1"] } });
    expect(site.subset.memberCount).toBe(60);
  });

  it("a site-scoped member lists and exports only their site's members; CSV keeps formula-like ids as text", async () => {
    const all = await viewer.query(SUBSET, { id: manual.id });
    expect(all.data.subset.members.totalCount).toBe(4);
    const mine = await scoped.query(SUBSET, { id: manual.id });
    expect(mine.data.subset.memberCount).toBe(4);
    expect(mine.data.subset.members.nodes.map((n: any) => n.externalId)).toEqual([ext(0), ext(1)]); // site S0: samples 0, 1
    const csv = await (await viewer.get(`${manual.manifestPath}.csv`)).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe(`# memberHash=${manual.memberHash} subset=${manual.id} count=4`);
    expect(lines[1]).toBe("rank,id,uri,label,sha256");
    expect(lines[4]).toMatch(/^2,"'=HYPERLINK\(1\)",/);
    const jsonl = (await (await scoped.get(`${manual.manifestPath}.jsonl`)).text()).trim().split("\n");
    expect(JSON.parse(jsonl[0]!)).toMatchObject({ memberHash: manual.memberHash, count: 2 });
    expect(JSON.parse(jsonl[1]!)).toMatchObject({ rank: 0, id: ext(0), label: "normal" });
    expect((await outsider.get(`${manual.manifestPath}.csv`)).status).toBe(404);
  });

  it("renames (clash → CONFLICT on name) and deletes", async () => {
    const tmp = await create({ name: "temporary", kind: "MANUAL", sampleIds: [sid(9)] });
    const clash = await curator.mutate(RENAME, { input: { subsetId: tmp.subset.id, name: "first four" } });
    expect(clash.data.subsetRename.errors).toEqual([expect.objectContaining({ code: "CONFLICT", field: ["input", "name"] })]);
    const renamed = await curator.mutate(RENAME, { input: { subsetId: tmp.subset.id, name: "kept a while" } });
    expect(renamed.data.subsetRename.subset.name).toBe("kept a while");
    const deleted = await curator.mutate(DELETE, { input: { subsetId: tmp.subset.id } });
    expect(deleted.data.subsetDelete).toEqual({ deletedSubsetId: tmp.subset.id, errors: [] });
    expect((await curator.query(SUBSET, { id: tmp.subset.id })).data.subset).toBeNull();
  });
});

describe("runs with subsets and quality exclusions", () => {
  let reportId = "";
  let poolId = "";
  let excludeId = "";
  let includeId = "";
  let runId = "";

  it("exclusions without a data-quality report are a typed error; nothing written", async () => {
    const before = await counts();
    const r = await startRun({ qualityExclusions: { duplicates: true } });
    expect(r.errors).toEqual([expect.objectContaining({ code: "INVALID_STATE", field: ["input", "qualityExclusions"] })]);
    expect(await counts()).toEqual(before);
    expect((await viewer.query(PREVIEW, { id: version() })).data.node.qualityExclusionPreview).toBeNull();
  });

  it("a QUALITY_FILTER subset holds the duplicates a run would leave out (one of each set kept)", async () => {
    const q = await curator.mutate(
      graphql(`mutation SubsetDataQualityStart($input: DataQualityStartInput!) { dataQualityStart(input: $input) { report { id } job { id } errors { code message } } }`),
      { input: { datasetVersionId: version(), embeddingSetId: gid("EmbeddingSet", seeded.setId) } },
    );
    expect(q.data.dataQualityStart.errors).toEqual([]);
    await waitJob(q.data.dataQualityStart.job.id);
    reportId = q.data.dataQualityStart.report.id;
    const dup = await create({ name: "duplicates", kind: "QUALITY_FILTER", quality: { duplicates: true } });
    expect(dup.errors).toEqual([]);
    expect(dup.subset.definition).toMatchObject({ reportId, rules: { duplicates: true } });
    const members = (await curator.query(SUBSET, { id: dup.subset.id })).data.subset.members.nodes.map((n: any) => n.externalId);
    expect(members).toEqual(expect.arrayContaining([ext(12), ext(14)]));
    expect(members).not.toContain(ext(10)); // the lowest sample id of the set is kept
    const preview = (await viewer.query(PREVIEW, { id: version() })).data.node.qualityExclusionPreview;
    expect(preview).toMatchObject({ reportId, duplicates: members.length, total: members.length });
    expect(preview.duplicateSets).toBeGreaterThanOrEqual(1);
    const bad = await create({ name: "bad rule", kind: "QUALITY_FILTER", quality: { outlierRank: 0 } });
    expect(bad.errors).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "quality", "outlierRank"] })]);
  });

  it("refuses subsets of another version and must-include rows over the budget, naming the field; nothing written", async () => {
    const p = server.store.prisma;
    const onV2 = await curator.mutate(CREATE, { input: { datasetVersionId: gid("DatasetVersion", otherVersionId), name: "v2 part", kind: "MANUAL", sampleIds: [sid(0)] } });
    expect(onV2.data.subsetCreate.errors).toEqual([]);
    const big = await create({ name: "twelve normals", kind: "MANUAL", sampleIds: Array.from({ length: 12 }, (_, k) => sid(2 * k + 40)) });
    const before = await counts();
    const r = await startRun({ poolSubsetId: onV2.data.subsetCreate.subset.id, includeSubsetIds: [big.subset.id] });
    expect(r.errors.map((e: any) => [e.code, e.field])).toEqual([
      ["VALIDATION", ["input", "poolSubsetId"]],
    ]);
    const over = await startRun({ includeSubsetIds: [big.subset.id] });
    expect(over.errors).toEqual([expect.objectContaining({ code: "LIMIT_EXCEEDED", field: ["input", "includeSubsetIds"] })]);
    expect(await counts()).toEqual(before);
    expect(await p.selectionRunSample.count()).toBe(0);
  });

  it("selects from the pool, leaves out the excluded and duplicates, takes the must-include rows with their reason", async () => {
    // pool: samples 0..79; exclude 20..29; include 30, 31 (one per class)
    poolId = (await create({ name: "pool 0-79", kind: "LASSO", sampleIds: Array.from({ length: 80 }, (_, i) => sid(i)), definition: { polygon: [[0, 0], [1, 0], [1, 1]] } })).subset.id;
    excludeId = (await create({ name: "exclude 20-29", kind: "MANUAL", sampleIds: Array.from({ length: 10 }, (_, i) => sid(20 + i)) })).subset.id;
    includeId = (await create({ name: "must 30 31", kind: "SEARCH", sampleIds: [sid(30), sid(31)], definition: { sampleId: sid(30), k: 2 } })).subset.id;
    const r = await startRun({ poolSubsetId: poolId, excludeSubsetIds: [excludeId], includeSubsetIds: [includeId], qualityExclusions: { duplicates: true }, perClass: 10 });
    expect(r.errors).toEqual([]);
    runId = r.run.id;
    await waitJob(r.job.id);
    const run = (await viewer.query(RUN, { id: runId })).data.selectionRun;
    expect(run.status).toBe("SUCCEEDED");
    const picked = run.items.nodes.map((n: any) => n.sample.externalId);
    expect(picked).toHaveLength(20);
    const index = (id: string) => Number(id.slice(4));
    for (const id of picked) {
      if (id === "=HYPERLINK(1)") continue;
      expect(index(id)).toBeLessThan(80);
      expect(index(id) < 20 || index(id) >= 30 || index(id) === 30 || index(id) === 31).toBe(true);
      expect([12, 14]).not.toContain(index(id));
    }
    const normal = run.items.nodes.filter((n: any) => n.label === "normal");
    expect(normal[0]).toMatchObject({ sample: { externalId: ext(30) }, reason: 'must include: subset "must 30 31"' });
    const c = run.constraints;
    expect(c.pool).toMatchObject({ subsetId: poolId, name: "pool 0-79", memberCount: 80 });
    expect(c.exclude).toEqual([expect.objectContaining({ name: "exclude 20-29" })]);
    expect(c.include).toEqual([{ name: "must 30 31" }]);
    expect(c.quality).toMatchObject({ reportId, duplicates: true });
    expect(c.quality.duplicatesExcluded).toBeGreaterThanOrEqual(2);
    expect(c).toMatchObject({ poolCount: 80, includedCount: 2 });
    expect(c.excludedCount).toBeGreaterThanOrEqual(12);
    expect(run.metrics.constraints).toMatchObject({ included: 2 });
    expect(run.metrics.pool).toBeLessThanOrEqual(80 - 12); // measured over the pool the run chose from
    expect(c.samples.nodes.filter((n: any) => n.role === "INCLUDE")).toHaveLength(2);
  });

  it("a reproduction uses the recorded samples: same manifest hash after the subset is renamed and deleted", async () => {
    await curator.mutate(RENAME, { input: { subsetId: excludeId, name: "renamed" } });
    await curator.mutate(DELETE, { input: { subsetId: includeId } });
    const r = await curator.mutate(graphql(`mutation SubsetSelectionRunReproduce($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } job { id } errors { code message } } }`), {
      input: { runId },
    });
    expect(r.data.selectionRunReproduce.errors).toEqual([]);
    await waitJob(r.data.selectionRunReproduce.job.id);
    const [a, b] = await Promise.all([viewer.query(RUN, { id: runId }), viewer.query(RUN, { id: r.data.selectionRunReproduce.run.id })]);
    expect(b.data.selectionRun.reproducible).toBe(true);
    expect(b.data.selectionRun.manifestHash).toBe(a.data.selectionRun.manifestHash);
    expect(b.data.selectionRun.constraints.include).toEqual([{ name: "must 30 31" }]);
  });

  it("a run without constraints has none and the same hash as before the feature", async () => {
    const r = await startRun({});
    await waitJob(r.job.id);
    const run = (await viewer.query(RUN, { id: r.run.id })).data.selectionRun;
    expect(run.constraints).toBeNull();
    expect(run.items.nodes).toHaveLength(20);
  });
});
