/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response shapes are checked by assertions */
// Issue 14, the map and the upload: score columns over an analysis' layout (GET …/layout/columns/
// quality:outlier | quality:labelError | quality:duplicate | similar:<Sample ID>, STC1 frames in the
// layout's order; 404 NO_REPORT without a report, 404 for another consortium), and "more like this" from
// an uploaded image (POST /embedding-sets/:id/similar): embedded with the set's own ONNX model (the
// committed demo encoder), found first among the set's vectors; size, type and role checks; the image
// kept only with store=true (CURATOR).
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLayoutColumn } from "@stratum/formats/layout";
import { createRng } from "@stratum/engine";
import { demoModelPath, embedImages } from "@stratum/embed";
import { seedToken, seedUser, TestClient } from "../../../test/harness.js";
import { toGlobalId } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

const N = 12;
const MAX_BYTES = 64 * 1024;
let live: LiveServer;
let seeded: SeededDataset;
let other: SeededDataset;
let viewer: TestClient;
let curator: TestClient;
let outsider: TestClient;
let analysisGid = "";
let layoutOrder: number[] = [];
const images: Buffer[] = [];

/** 64×64 grey images: a bright square at a different place each, over seeded noise. */
async function makeImage(i: number): Promise<Buffer> {
  const rng = createRng(100 + i);
  const px = new Uint8Array(64 * 64);
  for (let k = 0; k < px.length; k++) px[k] = Math.floor(rng.next() * 60);
  const x0 = (i % 4) * 14;
  const y0 = Math.floor(i / 4) * 18;
  for (let y = y0; y < y0 + 14; y++) for (let x = x0; x < x0 + 14; x++) px[y * 64 + x] = 240;
  return sharp(Buffer.from(px), { raw: { width: 64, height: 64, channels: 1 } }).png().toBuffer();
}

async function column(client: TestClient, name: string) {
  const res = await client.get(`/analyses/${analysisGid}/layout/columns/${encodeURIComponent(name)}`);
  return { status: res.status, res };
}

function post(client: TestClient | null, setId: number, body: Uint8Array | Buffer, query = "") {
  return fetch(`${live.base}/embedding-sets/${toGlobalId("EmbeddingSet", setId)}/similar${query}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", ...(client?.token ? { authorization: `Bearer ${client.token}` } : {}) },
    body: new Uint8Array(body),
  });
}

const uploadsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0);

beforeAll(async () => {
  live = await startLiveServer({ uploadMaxBytes: MAX_BYTES });
  const demo = demoModelPath("demo-cnn");
  const config = JSON.parse(await readFile(demo.config, "utf8"));
  seeded = await seedDataset(live.store, { n: N, dim: config.output.dim, groups: 2, slug: "map-scores" });
  other = await seedDataset(live.store, { n: 4, groups: 1, slug: "map-scores-b" });
  const p = live.store.prisma;
  // The set's model becomes the demo encoder, and its vectors the encoder's vectors of N images.
  const model = await p.embeddingModel.create({ data: { consortiumId: seeded.consortiumId, name: "demo-cnn", kind: "ONNX", dim: config.output.dim, filePath: demo.model, config } });
  await p.embeddingSet.update({ where: { id: seeded.setId }, data: { modelId: model.id } });
  for (let i = 0; i < N; i++) images.push(await makeImage(i));
  for await (const batch of embedImages({ model: { path: demo.model, config }, inputs: images.map((bytes, i) => ({ key: String(i), bytes: new Uint8Array(bytes) })), workers: 0 })) {
    for (const item of batch.items) {
      await p.embeddingVector.update({ where: { setId_sampleId: { setId: seeded.setId, sampleId: seeded.sampleIds[Number(item.key)]! } }, data: { vector: new Uint8Array(item.vector.buffer as ArrayBuffer) } });
    }
  }
  // An analysis whose layout holds the N samples in two groups (layout order: groupId, sampleId).
  const analysis = await p.confounderAnalysis.create({ data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED" } });
  analysisGid = toGlobalId("ConfounderAnalysis", analysis.id);
  const g0 = await p.confounderGroup.create({ data: { analysisId: analysis.id, label: "normal", index: 0, size: N / 2 } });
  const g1 = await p.confounderGroup.create({ data: { analysisId: analysis.id, label: "pneumonia", index: 0, size: N / 2 } });
  await p.confounderGroupMember.createMany({ data: seeded.sampleIds.map((sampleId, i) => ({ groupId: i % 2 === 0 ? g0.id : g1.id, sampleId, x: i, y: -i })) });
  layoutOrder = [...seeded.sampleIds.filter((_, i) => i % 2 === 0), ...seeded.sampleIds.filter((_, i) => i % 2 === 1)];
  const v = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER", siteId: seeded.siteIds[0]! }], "map-viewer");
  const c = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "map-curator");
  const o = await seedUser(live.store, [{ consortiumId: other.consortiumId, role: "OWNER" }], "map-outsider");
  viewer = new TestClient(live, (await seedToken(live.store, v.id, seeded.consortiumId, "VIEWER")).secret);
  curator = new TestClient(live, (await seedToken(live.store, c.id, seeded.consortiumId, "CURATOR")).secret);
  outsider = new TestClient(live, (await seedToken(live.store, o.id, other.consortiumId, "OWNER")).secret);
}, 180_000);

afterAll(async () => {
  await live?.close();
});

describe("map score columns", () => {
  it("without a report: 404 NO_REPORT; similarity works without one", async () => {
    const r = await column(viewer, "quality:labelError");
    expect(r.status).toBe(404);
    const body = (await r.res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("NO_REPORT");
    const s = await column(viewer, `similar:${toGlobalId("Sample", seeded.sampleIds[3]!)}`);
    expect(s.status).toBe(200);
    const col = decodeLayoutColumn(new Uint8Array(await s.res.arrayBuffer()));
    expect(col.kind).toBe("number");
    const nums = (col as { numbers: Float32Array }).numbers;
    expect(nums).toHaveLength(N);
    // the chosen sample is most similar to itself
    const self = layoutOrder.indexOf(seeded.sampleIds[3]!);
    expect(nums[self]).toBeCloseTo(1, 5);
    expect(Math.max(...nums)).toBeCloseTo(1, 5);
  });

  it("with a report: outlier ratio and label-error score per point in layout order, duplicate membership as categories", async () => {
    const p = live.store.prisma;
    const report = await p.dataQualityReport.create({ data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED", results: {}, completedAt: new Date() } });
    const samples = await p.sample.findMany({ where: { id: { in: seeded.sampleIds } } });
    const labelOf = new Map(samples.map((s) => [s.id, s.label]));
    await p.dataQualitySample.createMany({
      data: seeded.sampleIds.map((sampleId, i) => ({
        reportId: report.id,
        sampleId,
        label: labelOf.get(sampleId)!,
        outlierScore: i === 7 ? null : 0.5,
        outlierRatio: i === 7 ? null : i / 10,
        outlierRank: 0,
        labelErrorScore: i / 100,
        suggestedLabel: "normal",
        labelIssue: false,
      })),
    });
    const near = await p.dataQualityDuplicateSet.create({ data: { reportId: report.id, kind: "NEAR", index: 0, size: 2, maxDistance: 0.01, crossSite: true, crossSplit: false, conflictingLabels: false } });
    const exact = await p.dataQualityDuplicateSet.create({ data: { reportId: report.id, kind: "EXACT", index: 0, size: 2, maxDistance: 0, crossSite: false, crossSplit: false, conflictingLabels: true } });
    await p.dataQualityDuplicateMember.createMany({
      data: [
        { setId: near.id, sampleId: seeded.sampleIds[0]!, versionId: seeded.versionId },
        { setId: near.id, sampleId: seeded.sampleIds[2]!, versionId: seeded.versionId },
        { setId: exact.id, sampleId: seeded.sampleIds[1]!, versionId: seeded.versionId },
        { setId: exact.id, sampleId: seeded.sampleIds[3]!, versionId: seeded.versionId },
      ],
    });
    const at = (i: number) => layoutOrder.indexOf(seeded.sampleIds[i]!);
    const le = decodeLayoutColumn(new Uint8Array(await (await column(viewer, "quality:labelError")).res.arrayBuffer())) as any;
    expect(le.kind).toBe("number");
    for (let i = 0; i < N; i++) expect(le.numbers[at(i)]).toBeCloseTo(i / 100, 6);
    const out = decodeLayoutColumn(new Uint8Array(await (await column(viewer, "quality:outlier")).res.arrayBuffer())) as any;
    expect(out.numbers[at(5)]).toBeCloseTo(0.5, 6);
    expect(Number.isNaN(out.numbers[at(7)])).toBe(true); // a class of one: no score
    const dup = decodeLayoutColumn(new Uint8Array(await (await column(viewer, "quality:duplicate")).res.arrayBuffer())) as any;
    expect(dup.kind).toBe("category");
    const value = (i: number) => dup.values[dup.codes[at(i)]];
    expect([value(0), value(1), value(2), value(3), value(4)]).toEqual(["near · cross-site", "exact · two labels", "near · cross-site", "exact · two labels", "none"]);
  });

  it("another consortium's member gets 404, and so does a similar: sample of another consortium", async () => {
    expect((await column(outsider, "quality:labelError")).status).toBe(404);
    expect((await column(viewer, `similar:${toGlobalId("Sample", other.sampleIds[0]!)}`)).status).toBe(404);
    expect((await column(viewer, "similar:garbage")).status).toBe(404);
  });
});

describe("more like this from an uploaded image", () => {
  it("embeds the image with the set's model and finds its own sample first; nothing is stored", async () => {
    const before = uploadsIn(path.join(live.filesDir, "uploads"));
    const res = await post(viewer, seeded.setId, images[5]!, "?first=3");
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.items).toHaveLength(3);
    expect(body.items[0]).toMatchObject({ sampleId: toGlobalId("Sample", seeded.sampleIds[5]!), externalId: "img-000005" });
    expect(body.items[0].score).toBeGreaterThan(0.9999);
    expect(body.items[1].score).toBeLessThanOrEqual(body.items[0].score);
    expect(body).toMatchObject({ method: "exact", dim: 128 });
    expect(body.upload).toBeUndefined();
    expect(uploadsIn(path.join(live.filesDir, "uploads"))).toBe(before);
  });

  it("store=true keeps the image as a consortium upload for a CURATOR and refuses a VIEWER", async () => {
    const refused = await post(viewer, seeded.setId, images[2]!, "?store=true");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error.code).toBe("FORBIDDEN");
    const kept = await post(curator, seeded.setId, images[2]!, "?store=true&filename=query.png");
    expect(kept.status).toBe(200);
    const body: any = await kept.json();
    expect(body.items[0].externalId).toBe("img-000002");
    expect(body.upload).toMatchObject({ filename: "query.png", size: images[2]!.length });
    expect(typeof body.upload.id).toBe("string");
  });

  it("limits: too large 413, not an image 400 BAD_FILE, bad first 400, unknown or hidden set 404, signed out 401", async () => {
    const big = await post(viewer, seeded.setId, new Uint8Array(MAX_BYTES + 1));
    expect(big.status).toBe(413);
    const junk = await post(viewer, seeded.setId, Buffer.from("this is not an image at all"));
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as any).error.code).toBe("BAD_FILE");
    const first = await post(viewer, seeded.setId, images[0]!, "?first=1000");
    expect(first.status).toBe(400);
    expect(((await first.json()) as any).error.message).toMatch(/^first:/);
    expect((await post(outsider, seeded.setId, images[0]!)).status).toBe(404);
    expect((await post(viewer, other.setId, images[0]!)).status).toBe(404);
    expect((await post(null, seeded.setId, images[0]!)).status).toBe(401);
    // an EXTERNAL model (vectors computed elsewhere) cannot embed an upload the same way
    const ext = await post(outsider, other.setId, images[0]!);
    expect(ext.status).toBe(409);
  });
});
