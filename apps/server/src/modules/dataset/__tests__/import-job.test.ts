/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// datasetImportStart: the import as a durable IMPORT job, followed live over graphql-ws. A good import
// ends SUCCEEDED with the version in its result; a bad file fails the job with the row at fault and
// writes nothing; a caller below CURATOR gets FORBIDDEN and no job. Runs on PGlite and on Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { Client } from "graphql-ws";
import { encodeNpy } from "@stratum/formats";
import { seedUser, signIn, type TestClient, type UploadRefused } from "../../../test/harness.js";
import { toGlobalId } from "../../../graphql/ids.js";
import { collect, cookieOf, startLiveServer, wsClient, type LiveServer } from "../../../test/live-harness.js";

const N = 3000; // enough rows for several COPY batches of progress
const DIM = 8;
let server: LiveServer;
let curator: TestClient;
let viewer: TestClient;
let projectId: string;
const sockets: Client[] = [];

const START = graphql(`
  mutation ImportJobDatasetImportStart($input: DatasetImportInput!) {
    datasetImportStart(input: $input) {
      job { id kind status }
      errors { code field message }
    }
  }
`);
const PROGRESS = `subscription ($jobId: ID!, $afterSeq: Int) { jobProgress(jobId: $jobId, afterSeq: $afterSeq) { seq status phase done total final error result } }`;

function manifest(rows: number, duplicateAt = -1): string {
  const lines = ["id,label,site"];
  for (let i = 0; i < rows; i++) lines.push(`${i === duplicateAt ? "img-0" : `img-${i}`},${i % 2 ? "pneumonia" : "normal"},S${i % 3}`);
  return lines.join("\n") + "\n";
}

function embeddings(rows: number): Uint8Array {
  const data = new Float32Array(rows * DIM);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
  return encodeNpy({ dtype: "float32", shape: [rows, DIM], data });
}

async function start(client: TestClient, csv: string, extra: { npy?: Uint8Array; datasetName?: string } = {}) {
  const m = await client.upload("manifest.csv", csv);
  const e = extra.npy ? await client.upload("emb.npy", extra.npy) : null;
  return client.mutate(START, {
    input: {
      projectId,
      datasetName: extra.datasetName ?? "big",
      manifestUploadId: m.json.id,
      ...(e ? { embeddingsUploadId: e.json.id, modelName: "site-encoder" } : {}),
    },
  });
}

function follow(client: TestClient, jobId: string) {
  const s = wsClient(server, { cookie: cookieOf(client) });
  sockets.push(s);
  return collect<any>(s, PROGRESS, { jobId, afterSeq: 0 }, () => false, 60_000);
}

async function counts() {
  const p = server.store.prisma;
  return { versions: await p.datasetVersion.count(), samples: await p.sample.count(), vectors: await p.embeddingVector.count() };
}

beforeAll(async () => {
  server = await startLiveServer();
  const prisma = server.store.prisma;
  const consortiumId = (await prisma.consortium.create({ data: { slug: "import-job", name: "I" } })).id;
  projectId = toGlobalId("Project", (await prisma.project.create({ data: { consortiumId, slug: "p", name: "P" } })).id);
  // The manifests' sites exist: a CURATOR's import may not create sites (only an OWNER's may).
  await prisma.site.createMany({ data: ["S0", "S1", "S2"].map((code) => ({ consortiumId, code, name: code })) });
  curator = await signIn(server, (await seedUser(server.store, [{ consortiumId, role: "CURATOR" }], "curator")).email);
  viewer = await signIn(server, (await seedUser(server.store, [{ consortiumId, role: "VIEWER" }], "viewer")).email);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) await s.dispose();
  await server?.close();
});

describe("datasetImportStart", () => {
  it("imports manifest + embeddings as an IMPORT job with live progress, and reports the version", async () => {
    const r = await start(curator, manifest(N), { npy: embeddings(N) });
    expect(r.errors).toEqual([]);
    expect(r.data.datasetImportStart.errors).toEqual([]);
    const job = r.data.datasetImportStart.job;
    expect(job.kind).toBe("IMPORT");
    const sub = await follow(curator, job.id);
    expect(sub.errors).toEqual([]);
    const events = sub.events.map((e) => e.jobProgress);
    const last = events.at(-1);
    expect(last).toMatchObject({ status: "SUCCEEDED", final: true, error: null });
    expect(last.result).toMatchObject({ created: true, number: 1, sampleCount: N, diff: { added: N, removed: 0 } });
    // Progress went through the phases before the end.
    const phases = new Set(events.map((e: any) => e.phase));
    expect(phases.has("writing samples") || phases.has("writing embeddings")).toBe(true);
    const versionId = Number(Buffer.from(last.result.version, "base64url").toString().split(":")[1]);
    const version = await server.store.prisma.datasetVersion.findUniqueOrThrow({ where: { id: versionId }, include: { embeddingSets: true } });
    expect(version.sampleCount).toBe(N);
    expect(version.embeddingSets).toHaveLength(1);
    expect(await server.store.prisma.embeddingVector.count({ where: { setId: version.embeddingSets[0]!.id } })).toBe(N);
    const actions = (await server.store.prisma.auditEvent.findMany({ where: { action: { startsWith: "datasetImport" } } })).map((a) => a.action);
    expect(actions.sort()).toEqual(["datasetImport", "datasetImportStart"]);

    // The same content again: the job succeeds and says nothing was created.
    const again = await start(curator, manifest(N), { npy: embeddings(N) });
    const end = (await follow(curator, again.data.datasetImportStart.job.id)).events.at(-1).jobProgress;
    expect(end.status).toBe("SUCCEEDED");
    expect(end.result).toMatchObject({ created: false, version: last.result.version });
  });

  it("a bad file fails the job with the row at fault and writes nothing", async () => {
    const before = await counts();
    const r = await start(curator, manifest(500, 321), { datasetName: "broken" });
    expect(r.data.datasetImportStart.errors).toEqual([]);
    const end = (await follow(curator, r.data.datasetImportStart.job.id)).events.at(-1).jobProgress;
    expect(end.status).toBe("FAILED");
    expect(end.error).toMatch(/^BAD_FILE: /);
    expect(end.error).toContain("manifest.csv");
    expect(end.error).toContain("img-0");
    expect(end.error).not.toContain(server.filesDir);
    expect(await counts()).toEqual(before);
  });

  it("a VIEWER gets FORBIDDEN and no job is made", async () => {
    const jobs = await server.store.prisma.job.count();
    // The upload is refused first (uploads need CURATOR); naming any upload id, the mutation refuses too.
    const up = await viewer.upload<UploadRefused>("manifest.csv", manifest(5));
    expect([up.status, up.json.error.code]).toEqual([403, "FORBIDDEN"]);
    const r = await viewer.mutate(START, { input: { projectId, datasetName: "nope", manifestUploadId: "00000000-0000-4000-8000-000000000000" } });
    expect(r.data.datasetImportStart.job).toBeNull();
    expect(r.data.datasetImportStart.errors[0]!.code).toBe("FORBIDDEN");
    expect(await server.store.prisma.job.count()).toBe(jobs);
  });

  it("jobCancel: a queued job ends CANCELLED when picked up; an ended job, or a VIEWER, is refused", async () => {
    const CANCEL = graphql(`mutation ImportJobJobCancel($input: JobCancelInput!) { jobCancel(input: $input) { job { id status cancelRequested } errors { code field message } } }`);
    const consortiumId = (await server.store.prisma.project.findFirstOrThrow()).consortiumId;
    const row = await server.store.prisma.job.create({ data: { consortiumId, kind: "IMPORT" } });
    const jobId = toGlobalId("Job", row.id);
    const denied = await viewer.mutate(CANCEL, { input: { jobId } });
    expect(denied.data.jobCancel.errors[0]!.code).toBe("FORBIDDEN");
    expect((await server.store.prisma.job.findUniqueOrThrow({ where: { id: row.id } })).cancelRequested).toBe(false);

    const r = await curator.mutate(CANCEL, { input: { jobId } });
    expect(r.data.jobCancel.errors).toEqual([]);
    expect(r.data.jobCancel.job).toMatchObject({ status: "QUEUED", cancelRequested: true });
    await server.runtime.jobs.queue.enqueue(row.id);
    const end = (await follow(curator, jobId)).events.at(-1).jobProgress;
    expect(end).toMatchObject({ status: "CANCELLED", final: true });
    expect(await server.store.prisma.auditEvent.count({ where: { action: "jobCancel" } })).toBe(1);

    const again = await curator.mutate(CANCEL, { input: { jobId } });
    expect(again.data.jobCancel.errors[0]).toMatchObject({ code: "INVALID_STATE", field: ["input", "jobId"] });
  });
});
