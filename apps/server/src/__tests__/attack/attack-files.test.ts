/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Attacks on files and uploads, from outside, against a running server (issue 12, findings 1, 7 and
// the upload part of 8). A stranger signs up, creates their own consortium (becoming its OWNER) and
// tries to make the server read another tenant's files: through import URIs (relative `..`, absolute,
// file://, another consortium's granted root, npz: arrays), through a symlink inside their own grant,
// and through rows that bypassed the import check (as data written before it, or by the CLI, would).
// Each test asserts the denial and that nothing changed. PGlite by default, PostgreSQL with DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findRepoRoot } from "@stratum/db";
import { seedToken, seedUser, signIn, snapshot, TestClient, type UploadRefused } from "../../test/harness.js";
import { toGlobalId } from "../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../test/live-harness.js";

// A 1×1 grey PNG: what a thumbnail request returns when it is allowed.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==", "base64");
const SECRET = Buffer.concat([PNG, Buffer.from("victim patient 0042")]);
const NPZ = path.join(findRepoRoot(), "data/demo/pneumoniamnist.npz");
const DEMO_MODEL = path.join(findRepoRoot(), "packages/embed/models/demo-cnn");

const MAX_UPLOAD = 64 * 1024;
const QUOTA = 160 * 1024;

let live: LiveServer;
let tmp: string;
let victimGrant: string;
let attackerGrant: string;
let victim: { consortiumId: number; projectId: number; siteA: number; siteB: number };
let victimOwner: TestClient;
let siteBReviewer: TestClient;
let attacker: TestClient;
let attackerConsortium: string; // global ID
let attackerProject: string; // global ID
let attackerConsortiumId: number;

const IMPORT = `mutation ($input: DatasetImportInput!) { datasetImport(input: $input) { version { id number } errors { code field message } } }`;
const IMPORT_START = `mutation ($input: DatasetImportInput!) { datasetImportStart(input: $input) { job { id } errors { code field message } } }`;
const SAMPLES = `query ($id: ID!) { datasetVersion(id: $id) { samples(first: 50) { nodes { id externalId } } } }`;

async function gql(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const r = await client.raw<any>({ query, variables });
  expect(r.json.errors).toBeUndefined();
  return r.json.data;
}

/** Uploads a manifest as `client` and imports it into `projectId`; returns the payload. */
async function importRows(client: TestClient, projectId: string, rows: string[], datasetName = "scans") {
  const up = await client.upload("manifest.csv", ["id,label,uri", ...rows].join("\n") + "\n");
  expect(up.status).toBe(201);
  return (await gql(client, IMPORT, { input: { projectId, datasetName, manifestUploadId: up.json.id } })).datasetImport;
}

/** The refusal of one import: URI_NOT_ALLOWED naming the row and the sample id, and no version. */
function expectRefused(payload: any, id: string, row: number) {
  expect(payload.version).toBeNull();
  expect(payload.errors).toHaveLength(1);
  expect(payload.errors[0]).toMatchObject({ code: "URI_NOT_ALLOWED", field: ["input", "manifestUploadId"] });
  expect(payload.errors[0].message).toContain(`row ${row}`);
  expect(payload.errors[0].message).toContain(`"${id}"`);
  expect(payload.errors[0].message).not.toContain(path.join(live.filesDir, "uploads")); // the upload's server path is not shown
}

/**
 * A version in `consortiumId` whose samples were written straight to the database (as rows from
 * before the import check, or from the CLI, would be): the serving and embedding checks must hold alone.
 */
async function legacyVersion(consortiumId: number, name: string, samples: Array<{ externalId: string; uri: string; siteId?: number }>) {
  const p = live.store.prisma;
  const project = await p.project.findFirstOrThrow({ where: { consortiumId } });
  const dataset = await p.dataset.create({ data: { projectId: project.id, name } });
  await p.sample.createMany({
    data: samples.map((s, i) => ({ datasetId: dataset.id, externalId: s.externalId, uri: s.uri, label: "normal", siteId: s.siteId ?? null, contentHash: `${name}-${i}` })),
  });
  const rows = await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { id: "asc" } });
  const version = await p.datasetVersion.create({ data: { datasetId: dataset.id, number: 1, message: "legacy", contentHash: name, sampleCount: rows.length } });
  await p.datasetVersionSample.createMany({ data: rows.map((s, position) => ({ versionId: version.id, sampleId: s.id, position })) });
  return { versionId: version.id, sampleIds: Object.fromEntries(rows.map((r) => [r.externalId, r.id])) as Record<string, number> };
}

async function onnxModel(consortiumId: number) {
  const { readFileSync } = await import("node:fs");
  const config = JSON.parse(readFileSync(path.join(DEMO_MODEL, "model.json"), "utf8"));
  return live.store.prisma.embeddingModel.create({
    data: { consortiumId, name: `demo-${consortiumId}`, kind: "ONNX", dim: 128, filePath: path.join(DEMO_MODEL, "model.onnx"), config },
  });
}

/** Starts an EMBED job through the API as `client` and waits for it to end. */
async function embed(client: TestClient, versionId: number, modelId: number) {
  const data = await gql(client, `mutation ($input: EmbeddingSetStartInput!) { embeddingSetStart(input: $input) { embeddingSet { id } job { id } errors { code message } } }`, {
    input: { datasetVersionId: toGlobalId("DatasetVersion", versionId), modelId: toGlobalId("EmbeddingModel", modelId) },
  });
  expect(data.embeddingSetStart.errors).toEqual([]);
  const setId = data.embeddingSetStart.embeddingSet.id as string;
  const jobId = Number(Buffer.from(data.embeddingSetStart.job.id, "base64url").toString().split(":")[1]);
  await until(async () => ["SUCCEEDED", "FAILED", "CANCELLED"].includes((await live.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status));
  return { setId, dbSetId: Number(Buffer.from(setId, "base64url").toString().split(":")[1]) };
}

async function until(fn: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POST /uploads?filename=…&consortium=… as `client` (the harness' upload() has no consortium). */
async function uploadTo(client: TestClient, consortiumId: number, filename: string, body: string | Uint8Array) {
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  if (client.cookies.size) headers.cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  const q = new URLSearchParams({ filename, consortium: toGlobalId("Consortium", consortiumId) });
  const response = await fetch(`${live.base}/uploads?${q}`, { method: "POST", headers, body });
  return { status: response.status, json: (await response.json()) as any };
}

const uploadsListing = () => {
  try {
    return readdirSync(path.join(live.filesDir, "uploads")).sort();
  } catch {
    return [];
  }
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "stratum-attack-files-"));
  victimGrant = path.join(tmp, "victim-grant");
  attackerGrant = path.join(tmp, "attacker-grant");
  mkdirSync(victimGrant);
  mkdirSync(attackerGrant);
  writeFileSync(path.join(victimGrant, "secret.png"), SECRET);
  copyFileSync(NPZ, path.join(victimGrant, "arrays.npz"));
  writeFileSync(path.join(attackerGrant, "own.png"), PNG);
  copyFileSync(NPZ, path.join(attackerGrant, "own.npz"));
  // Inside the attacker's grant, pointing at the victim's: the symlink escape.
  symlinkSync(path.join(victimGrant, "secret.png"), path.join(attackerGrant, "link.png"));
  symlinkSync(victimGrant, path.join(attackerGrant, "linked-dir"));

  live = await startLiveServer({
    storageGrants: { "victim-h": [victimGrant], "attacker-c": [attackerGrant] },
    uploadMaxBytes: MAX_UPLOAD,
    uploadQuotaBytes: QUOTA,
  });
  const p = live.store.prisma;
  const c = await p.consortium.create({ data: { slug: "victim-h", name: "Victim Hospital" } });
  const siteA = await p.site.create({ data: { consortiumId: c.id, code: "A", name: "Site A" } });
  const siteB = await p.site.create({ data: { consortiumId: c.id, code: "B", name: "Site B" } });
  const project = await p.project.create({ data: { consortiumId: c.id, slug: "cxr", name: "CXR" } });
  victim = { consortiumId: c.id, projectId: project.id, siteA: siteA.id, siteB: siteB.id };
  // The victim's own folder (no grant needed) holds one more scan.
  mkdirSync(path.join(live.filesDir, "consortia", "victim-h"), { recursive: true });
  writeFileSync(path.join(live.filesDir, "consortia", "victim-h", "scan-a.png"), SECRET);
  victimOwner = await signIn(live, (await seedUser(live.store, [{ consortiumId: c.id, role: "OWNER" }], "victim-owner")).email);
  siteBReviewer = await signIn(live, (await seedUser(live.store, [{ consortiumId: c.id, role: "REVIEWER", siteId: siteB.id }], "site-b")).email);

  // The attacker: an account with no membership, who makes a consortium of their own.
  attacker = await signIn(live, (await seedUser(live.store, [], "stranger")).email);
  const made = await gql(attacker, `mutation { consortiumCreate(input: { slug: "attacker-c", name: "Mine" }) { consortium { id } errors { code } } }`);
  expect(made.consortiumCreate.errors).toEqual([]);
  attackerConsortium = made.consortiumCreate.consortium.id;
  attackerConsortiumId = Number(Buffer.from(attackerConsortium, "base64url").toString().split(":")[1]);
  const proj = await gql(attacker, `mutation ($input: ProjectCreateInput!) { projectCreate(input: $input) { project { id } errors { code } } }`, {
    input: { consortiumId: attackerConsortium, slug: "p", name: "P" },
  });
  attackerProject = proj.projectCreate.project.id;
}, 120_000);

afterAll(async () => {
  await live?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the victim's own files work (the controls: each denial below could fail)", () => {
  it("the victim imports relative URIs in its grant and its own folder and gets its images", async () => {
    const r = await importRows(victimOwner, toGlobalId("Project", victim.projectId), ["v1,normal,secret.png", "v2,normal,scan-a.png"], "victim-scans");
    expect(r.errors).toEqual([]);
    const nodes = (await gql(victimOwner, SAMPLES, { id: r.version.id })).datasetVersion.samples.nodes;
    for (const n of nodes) {
      const res = await victimOwner.get(`/samples/${n.id}/image`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(SECRET)).toBe(true);
    }
  });

  it("the attacker's own grant works too, by relative path, absolute path and file://", async () => {
    const own = path.join(attackerGrant, "own.png");
    const r = await importRows(attacker, attackerProject, ["a1,x,own.png", `a2,x,${own}`, `a3,x,file://${own}`], "own");
    expect(r.errors).toEqual([]);
    const nodes = (await gql(attacker, SAMPLES, { id: r.version.id })).datasetVersion.samples.nodes;
    expect(nodes).toHaveLength(3);
    for (const n of nodes) expect((await attacker.get(`/samples/${n.id}/image`)).status).toBe(200);
  });
});

describe("finding 1: import refuses URIs outside the consortium's roots, naming the row, writing nothing", () => {
  it("a relative ../ chain (from the attacker's folder into the victim's)", async () => {
    const before = await snapshot(live.store);
    const r = await importRows(attacker, attackerProject, ["ok1,x,own.png", "evil,x,../victim-h/scan-a.png"]); // check-paths: allow (a hostile URI the test sends, never read from this machine)
    expectRefused(r, "evil", 2);
    // Encoded and backslash spellings of the same climb.
    expectRefused(await importRows(attacker, attackerProject, ["evil2,x,img/..\\..\\victim-h/scan-a.png"]), "evil2", 1);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("an absolute path (the victim's own folder, granted to nobody else)", async () => {
    const before = await snapshot(live.store);
    const target = path.join(live.filesDir, "consortia", "victim-h", "scan-a.png");
    expectRefused(await importRows(attacker, attackerProject, [`abs,x,${target}`]), "abs", 1);
    expectRefused(await importRows(attacker, attackerProject, ["etc,x,/etc/passwd.png"]), "etc", 1);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("a file:// URI, including one that climbs out of the attacker's own grant", async () => {
    const before = await snapshot(live.store);
    expectRefused(await importRows(attacker, attackerProject, [`f,x,file://${path.join(victimGrant, "secret.png")}`]), "f", 1);
    expectRefused(await importRows(attacker, attackerProject, [`g,x,file://${attackerGrant}/../victim-grant/secret.png`]), "g", 1);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("another consortium's granted root (grants are per consortium), through the mutation and the IMPORT job", async () => {
    const before = await snapshot(live.store);
    const secret = path.join(victimGrant, "secret.png");
    expectRefused(await importRows(attacker, attackerProject, ["fine,x,own.png", "fine2,x,own.png", `other,x,${secret}`]), "other", 3);
    // datasetImportStart: the job runs the same check where it runs, and fails with the same code.
    const up = await attacker.upload("m.csv", `id,label,uri\njob-evil,x,${secret}\n`);
    const started = await gql(attacker, IMPORT_START, { input: { projectId: attackerProject, datasetName: "via-job", manifestUploadId: up.json.id } });
    expect(started.datasetImportStart.errors).toEqual([]);
    const jobId = Number(Buffer.from(started.datasetImportStart.job.id, "base64url").toString().split(":")[1]);
    await until(async () => ["SUCCEEDED", "FAILED"].includes((await live.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status));
    const job = await live.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status).toBe("FAILED");
    expect(job.error).toContain("URI_NOT_ALLOWED");
    expect(job.error).toContain('"job-evil"');
    // The job row itself is the one new thing; no sample, version or dataset.
    const after = await snapshot(live.store);
    expect(after.filter((l) => !l.startsWith('"AuditEvent"'))).toEqual(before.filter((l) => !l.startsWith('"AuditEvent"')));
  });

  it("an npz: array URI outside the grant (and s3:/https: without a granted prefix)", async () => {
    const before = await snapshot(live.store);
    expectRefused(await importRows(attacker, attackerProject, [`arr,x,npz:${path.join(victimGrant, "arrays.npz")}#train_images[0]`]), "arr", 1);
    expectRefused(await importRows(attacker, attackerProject, ["rel,x,npy:../victim-h/a.npy[3]"]), "rel", 1); // check-paths: allow (a hostile URI the test sends, never read from this machine)
    expectRefused(await importRows(attacker, attackerProject, ["s3,x,s3://victim-bucket/scan.png"]), "s3", 1);
    expectRefused(await importRows(attacker, attackerProject, ["web,x,https://intranet.example/scan.png"]), "web", 1);
    expect(await snapshot(live.store)).toEqual(before);
  });
});

describe("finding 1: serving and embedding check again, on the real path", () => {
  it("a symlink inside the attacker's grant that points into the victim's is not served", async () => {
    // Both pass the import's (lexical) check: the link lies inside the attacker's grant.
    const r = await importRows(attacker, attackerProject, ["ln,x,link.png", "ld,x,linked-dir/secret.png", "ctl,x,own.png"], "links");
    expect(r.errors).toEqual([]);
    const nodes = (await gql(attacker, SAMPLES, { id: r.version.id })).datasetVersion.samples.nodes;
    const byId = Object.fromEntries(nodes.map((n: any) => [n.externalId, n.id]));
    const before = await snapshot(live.store);
    expect((await attacker.get(`/samples/${byId.ln}/image`)).status).toBe(404);
    expect((await attacker.get(`/samples/${byId.ld}/image`)).status).toBe(404);
    expect((await attacker.get(`/samples/${byId.ctl}/image`)).status).toBe(200);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("rows that bypassed the import check (../, absolute, file://, other grant) are not served", async () => {
    const secret = path.join(victimGrant, "secret.png");
    const { sampleIds } = await legacyVersion(attackerConsortiumId, "legacy", [
      { externalId: "dotdot", uri: "../victim-h/scan-a.png" }, // check-paths: allow (a hostile URI the test sends, never read from this machine)
      { externalId: "abs", uri: path.join(live.filesDir, "consortia", "victim-h", "scan-a.png") },
      { externalId: "file", uri: `file://${secret}` },
      { externalId: "grant", uri: secret },
      { externalId: "deep", uri: `${attackerGrant}/../victim-grant/secret.png` },
    ]);
    const before = await snapshot(live.store);
    for (const id of Object.values(sampleIds)) expect((await attacker.get(`/samples/${toGlobalId("Sample", id)}/image`)).status).toBe(404);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("the EMBED job refuses an npz: row outside the grant (and a linked file), embeds the granted one", async () => {
    const { versionId, sampleIds } = await legacyVersion(attackerConsortiumId, "legacy-arrays", [
      { externalId: "theirs", uri: `npz:${path.join(victimGrant, "arrays.npz")}#train_images[0]` },
      { externalId: "linked", uri: "linked-dir/secret.png" },
      { externalId: "mine", uri: `npz:${path.join(attackerGrant, "own.npz")}#train_images[0]` },
    ]);
    const model = await onnxModel(attackerConsortiumId);
    const { dbSetId } = await embed(attacker, versionId, model.id);
    const p = live.store.prisma;
    const vectors = await p.embeddingVector.findMany({ where: { setId: dbSetId }, select: { sampleId: true } });
    expect(vectors.map((v) => v.sampleId)).toEqual([sampleIds.mine]);
    const failures = await p.embeddingFailure.findMany({ where: { setId: dbSetId }, orderBy: { sampleId: "asc" } });
    expect(failures.map((f) => [f.sampleId, f.reason.split(":")[0]])).toEqual([
      [sampleIds.theirs, "URI_NOT_ALLOWED"],
      [sampleIds.linked, "URI_NOT_ALLOWED"],
    ]);
    for (const f of failures) expect(f.reason).not.toMatch(/victim-grant|\//);
  }, 120_000);
});

describe("finding 7: EmbeddingSet.failures are site-scoped and carry no server paths", () => {
  it("a site-B reviewer sees site B's failures only, with reasons that name the sample, not the file", async () => {
    const { versionId, sampleIds } = await legacyVersion(victim.consortiumId, "failing", [
      { externalId: "a-missing", uri: "missing/a.png", siteId: victim.siteA },
      { externalId: "a-outside", uri: "/srv/site-a/private/a.png", siteId: victim.siteA }, // check-paths: allow (a hostile URI the test sends, never read from this machine)
      { externalId: "b-missing", uri: "missing/b.png", siteId: victim.siteB },
    ]);
    const model = await onnxModel(victim.consortiumId);
    const { setId } = await embed(victimOwner, versionId, model.id);
    const FAILURES = `query ($id: ID!) { embeddingSet(id: $id) { failures(first: 50) { totalCount nodes { reason sample { id } } } } }`;
    const before = await snapshot(live.store);
    const scoped = (await gql(siteBReviewer, FAILURES, { id: setId })).embeddingSet.failures;
    expect(scoped.totalCount).toBe(1);
    expect(scoped.nodes.map((n: any) => n.sample.id)).toEqual([toGlobalId("Sample", sampleIds["b-missing"]!)]);
    expect(scoped.nodes[0].reason).toBe(`FILE_NOT_FOUND: sample ${sampleIds["b-missing"]}: file not found`);
    // The owner sees all three, still without paths.
    const all = (await gql(victimOwner, FAILURES, { id: setId })).embeddingSet.failures;
    expect(all.totalCount).toBe(3);
    for (const n of all.nodes) expect(n.reason).not.toMatch(/\/|srv|missing|site-a/);
    // The attacker sees no set at all.
    expect((await gql(attacker, FAILURES, { id: setId })).embeddingSet).toBeNull();
    expect(await snapshot(live.store)).toEqual(before);
  }, 120_000);
});

describe("finding 8: uploads need a role, a size and a quota", () => {
  it("a VIEWER (member or token) may not upload, and an outsider may not attach to someone's consortium", async () => {
    const viewer = await seedUser(live.store, [{ consortiumId: victim.consortiumId, role: "VIEWER" }], "viewer");
    const viewerSession = await signIn(live, viewer.email);
    const owner = await seedUser(live.store, [{ consortiumId: victim.consortiumId, role: "OWNER" }], "owner-with-viewer-token");
    const viewerToken = new TestClient(live, (await seedToken(live.store, owner.id, victim.consortiumId, "VIEWER")).secret);
    const before = await snapshot(live.store);
    const listing = uploadsListing();
    for (const client of [viewerSession, viewerToken]) {
      const r = await client.upload<UploadRefused>("m.csv", "id,label\na,b\n");
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("FORBIDDEN");
    }
    const named = await uploadTo(viewerSession, victim.consortiumId, "m.csv", "x");
    expect(named.status).toBe(403);
    const foreign = await uploadTo(attacker, victim.consortiumId, "m.csv", "x");
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe("NOT_FOUND");
    expect(uploadsListing()).toEqual(listing);
    expect(await snapshot(live.store)).toEqual(before);
  });

  it("an upload over the size cap is 413 LIMIT_EXCEEDED and leaves nothing on disk", async () => {
    const listing = uploadsListing();
    const r = await attacker.upload<UploadRefused>("big.csv", new Uint8Array(MAX_UPLOAD + 1));
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe("LIMIT_EXCEEDED");
    expect(uploadsListing()).toEqual(listing);
  });

  it("a user's stored uploads stop at the quota, also with parallel uploads", async () => {
    const curator = await seedUser(live.store, [{ consortiumId: victim.consortiumId, role: "CURATOR" }], "quota");
    const client = await signIn(live, curator.email);
    const chunk = new Uint8Array(50 * 1024);
    for (let i = 0; i < 3; i++) expect((await client.upload(`f${i}.bin`, chunk)).status).toBe(201); // 150 of 160 KiB
    const listing = uploadsListing();
    const over = await client.upload<UploadRefused>("f3.bin", chunk);
    expect(over.status).toBe(413);
    expect(over.json.error.code).toBe("QUOTA_EXCEEDED");
    expect(uploadsListing()).toEqual(listing);
    // Another user fires five at once: exactly three fit (the last step is one at a time per user).
    const other = await signIn(live, (await seedUser(live.store, [{ consortiumId: victim.consortiumId, role: "CURATOR" }], "quota-par")).email);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => other.upload<UploadRefused>(`p${i}.bin`, chunk)));
    const ok = results.filter((r) => r.status === 201).length;
    expect(ok).toBe(3);
    for (const r of results.filter((r) => r.status !== 201)) expect([r.status, r.json.error.code]).toEqual([413, "QUOTA_EXCEEDED"]);
  });

  it("an upload attached to a consortium is served to that consortium's samples only (upload:<id>)", async () => {
    const up = await uploadTo(victimOwner, victim.consortiumId, "scan.png", SECRET);
    expect(up.status).toBe(201);
    const own = await importRows(victimOwner, toGlobalId("Project", victim.projectId), [`u1,normal,upload:${up.json.id}`], "uploaded");
    expect(own.errors).toEqual([]);
    const ownNode = (await gql(victimOwner, SAMPLES, { id: own.version.id })).datasetVersion.samples.nodes[0];
    expect((await victimOwner.get(`/samples/${ownNode.id}/image`)).status).toBe(200);
    // The attacker learns the id and names it from their own consortium: the form passes, serving refuses.
    const theirs = await importRows(attacker, attackerProject, [`stolen,x,upload:${up.json.id}`], "stolen");
    expect(theirs.errors).toEqual([]);
    const node = (await gql(attacker, SAMPLES, { id: theirs.version.id })).datasetVersion.samples.nodes[0];
    const before = await snapshot(live.store);
    expect((await attacker.get(`/samples/${node.id}/image`)).status).toBe(404);
    expect(await snapshot(live.store)).toEqual(before);
  });
});
