/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions, not types */
// The core API over a live server: import through uploads, re-import, version history and diff,
// sample connections and filters, site-scoped URIs and images, query limits, bad IDs, audit log.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../test/gql/index.js";
import type { SampleFilter } from "../test/gql/graphql.js";
import { encodeNpy } from "@stratum/formats";
import { TestClient, seedToken, seedUser, signIn, snapshot, startTestServer, type TestServer, type UploadRefused } from "../test/harness.js";
import { toGlobalId } from "../graphql/ids.js";
import { createApp } from "../app.js";

// A real 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
  "base64",
);

const MANIFEST_V1 = [
  "id,label,site,uri,scanner,age",
  "s1,normal,H1,img/s1.png,GE,40",
  "s2,normal,H2,img/s2.png,Siemens,51",
  "s3,pneumonia,H1,img/s3.png,GE,62",
  "s4,pneumonia,H2,img/s4.png,Siemens,33",
  "s5,normal,H1,img/s5.png,GE,70",
].join("\n");

// s2 relabelled, s5 removed, s6 added.
const MANIFEST_V2 = [
  "id,label,site,uri,scanner,age",
  "s1,normal,H1,img/s1.png,GE,40",
  "s2,pneumonia,H2,img/s2.png,Siemens,51",
  "s3,pneumonia,H1,img/s3.png,GE,62",
  "s4,pneumonia,H2,img/s4.png,Siemens,33",
  "s6,normal,H2,img/s6.png,GE,29",
].join("\n");

let server: TestServer;
let consortiumId: number;
let otherConsortiumId: number;
let projectId: string;
let owner: TestClient;
let curatorToken: TestClient;
let siteViewer: TestClient; // VIEWER scoped to site H1
let outsider: TestClient;
let v1: { id: string; datasetId: string };
let v2Id: string;

const IMPORT = graphql(`
  mutation Import($input: DatasetImportInput!) {
    datasetImport(input: $input) {
      created
      summary
      diff {
        added
        removed
        changed
        unchanged
      }
      dataset {
        id
        name
        versionCount
      }
      version {
        id
        number
        sampleCount
        message
        author {
          email
        }
        parent {
          id
        }
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const SAMPLES = graphql(`
  query Samples($id: ID!, $first: Int, $after: String, $filter: SampleFilter) {
    datasetVersion(id: $id) {
      samples(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
        nodes {
          id
          externalId
          label
          uri
          imageUrl
          metadata
          site {
            code
          }
        }
      }
    }
  }
`);

async function importVia(client: TestClient, csv: string, datasetName = "xrays", extra: Record<string, unknown> = {}) {
  const up = await client.upload("manifest.csv", csv);
  expect(up.status).toBe(201);
  return client.mutate(IMPORT, {
    input: { projectId, datasetName, manifestUploadId: up.json.id, message: "first import", ...extra },
  });
}

beforeAll(async () => {
  server = await startTestServer({ uploadMaxBytes: 256 * 1024 });
  const prisma = server.store.prisma;
  consortiumId = (await prisma.consortium.create({ data: { slug: "api-c", name: "C" } })).id;
  otherConsortiumId = (await prisma.consortium.create({ data: { slug: "api-other", name: "O" } })).id;
  const h1 = await prisma.site.create({ data: { consortiumId, code: "H1", name: "Hospital 1" } });
  // The manifests' sites exist: a CURATOR's import may not create sites (only an OWNER's may).
  await prisma.site.create({ data: { consortiumId, code: "H2", name: "Hospital 2" } });
  const project = await prisma.project.create({ data: { consortiumId, slug: "cxr", name: "CXR" } });
  projectId = toGlobalId("Project", project.id);
  const o = await seedUser(server.store, [{ consortiumId, role: "OWNER" }], "owner");
  owner = await signIn(server, o.email);
  const c = await seedUser(server.store, [{ consortiumId, role: "CURATOR" }], "curator");
  curatorToken = new TestClient(server, (await seedToken(server.store, c.id, consortiumId, "CURATOR")).secret);
  const v = await seedUser(server.store, [{ consortiumId, role: "VIEWER", siteId: h1.id }], "siteviewer");
  siteViewer = await signIn(server, v.email);
  const x = await seedUser(server.store, [{ consortiumId: otherConsortiumId, role: "OWNER" }], "outsider");
  outsider = await signIn(server, x.email);
  // Relative URIs resolve against the consortium's own folder, <filesDir>/consortia/<slug>.
  const own = path.join(server.filesDir, "consortia", "api-c", "img");
  mkdirSync(own, { recursive: true });
  for (const s of ["s1", "s2", "s3", "s4", "s5", "s6"]) writeFileSync(path.join(own, `${s}.png`), PNG);
});
afterAll(async () => {
  await server?.close();
});

describe("datasetImport", () => {
  it("imports an uploaded manifest as version 1 (API token, CURATOR)", async () => {
    const r = await importVia(curatorToken, MANIFEST_V1);
    expect(r.errors).toEqual([]);
    const p = r.data.datasetImport;
    expect(p.errors).toEqual([]);
    expect(p.created).toBe(true);
    expect(p.diff).toEqual({ added: 5, removed: 0, changed: 0, unchanged: 0 });
    expect(p.version).toMatchObject({ number: 1, sampleCount: 5, message: "first import", parent: null });
    expect(p.version.author.email).toMatch(/^curator-/);
    expect(p.dataset).toMatchObject({ name: "xrays", versionCount: 1 });
    v1 = { id: p.version.id, datasetId: p.dataset.id };
    const sites = await server.store.prisma.site.findMany({ where: { consortiumId }, orderBy: { code: "asc" } });
    expect(sites.map((s) => s.code)).toEqual(["H1", "H2"]); // H2 created by the import
  });

  it("re-importing the same content creates no version", async () => {
    const before = await server.store.prisma.datasetVersion.count();
    const r = await importVia(owner, MANIFEST_V1);
    const p = r.data.datasetImport;
    expect(p.errors).toEqual([]);
    expect(p.created).toBe(false);
    expect(p.version.id).toBe(v1.id);
    expect(p.dataset.versionCount).toBe(1);
    expect(await server.store.prisma.datasetVersion.count()).toBe(before);
  });

  it("imports changed content as version 2 whose diff against its parent lists added, removed and changed", async () => {
    const r = await importVia(owner, MANIFEST_V2, "xrays", { message: "relabel s2, drop s5, add s6" });
    const p = r.data.datasetImport;
    expect(p.errors).toEqual([]);
    expect(p.created).toBe(true);
    expect(p.version).toMatchObject({ number: 2, sampleCount: 5, parent: { id: v1.id } });
    expect(p.diff).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 3 });
    v2Id = p.version.id;

    const DIFF = graphql(`
      query Diff($id: ID!, $against: ID, $first: Int, $after: String) {
        datasetVersion(id: $id) {
          diff(against: $against) {
            from {
              number
            }
            to {
              number
            }
            added
            removed
            changed
            unchanged
            items(first: $first, after: $after) {
              totalCount
              pageInfo {
                hasNextPage
                endCursor
              }
              nodes {
                kind
                externalId
                before {
                  label
                }
                after {
                  label
                }
              }
            }
          }
        }
      }
    `);
    const d = await owner.query(DIFF, { id: v2Id, first: 10 });
    expect(d.errors).toEqual([]);
    expect(d.data.datasetVersion.diff).toMatchObject({
      from: { number: 1 },
      to: { number: 2 },
      added: 1,
      removed: 1,
      changed: 1,
      unchanged: 3,
    });
    expect(d.data.datasetVersion.diff.items.nodes).toEqual([
      { kind: "CHANGED", externalId: "s2", before: { label: "normal" }, after: { label: "pneumonia" } },
      { kind: "REMOVED", externalId: "s5", before: { label: "normal" }, after: null },
      { kind: "ADDED", externalId: "s6", before: null, after: { label: "normal" } },
    ]);
    // Paged, and explicit `against`.
    const page1 = await owner.query(DIFF, { id: v2Id, against: v1.id, first: 2 });
    const items1 = page1.data.datasetVersion.diff.items;
    expect(items1.nodes.map((n: any) => n.externalId)).toEqual(["s2", "s5"]);
    expect(items1.pageInfo.hasNextPage).toBe(true);
    expect(items1.totalCount).toBe(3);
    const page2 = await owner.query(DIFF, { id: v2Id, against: v1.id, first: 2, after: items1.pageInfo.endCursor });
    expect(page2.data.datasetVersion.diff.items.nodes.map((n: any) => n.externalId)).toEqual(["s6"]);
    expect(page2.data.datasetVersion.diff.items.pageInfo.hasNextPage).toBe(false);
    // Reverse direction.
    const back = await owner.query(DIFF, { id: v1.id, against: v2Id, first: 10 });
    expect(back.data.datasetVersion.diff).toMatchObject({ added: 1, removed: 1, changed: 1 });
    // Wrong or hidden `against` → null; another dataset's version → typed error.
    const garbage = await owner.query(DIFF, { id: v2Id, against: "nope", first: 1 });
    expect(garbage.data.datasetVersion.diff).toBeNull();
    const other = await importVia(owner, "id,label\nz1,a\n", "other-dataset");
    const foreign = await owner.query(DIFF, { id: v2Id, against: other.data.datasetImport.version.id, first: 1 });
    expect(foreign.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("lists the version history newest first with message, author and parent", async () => {
    const r = await owner.query(
      graphql(`
        query ApiNode($id: ID!) {
          node(id: $id) {
            ... on Dataset {
              versions(first: 10) {
                totalCount
                nodes {
                  number
                  message
                  author {
                    email
                  }
                  parent {
                    number
                  }
                }
              }
              latestVersion {
                number
              }
            }
          }
        }
      `),
      { id: v1.datasetId },
    );
    expect(r.errors).toEqual([]);
    expect(r.data.node.latestVersion).toEqual({ number: 2 });
    expect(r.data.node.versions.totalCount).toBe(2);
    expect(r.data.node.versions.nodes.map((v: any) => [v.number, v.message, v.parent?.number ?? null])).toEqual([
      [2, "relabel s2, drop s5, add s6", 1],
      [1, "first import", null],
    ]);
  });

  it("finds a dataset by name and a version by number", async () => {
    const r = await owner.query(
      graphql(`
        query ApiProject($p: ID!) {
          project(id: $p) {
            xrays: dataset(name: "xrays") {
              id
              v1: version(number: 1) {
                id
              }
              v9: version(number: 9) {
                id
              }
            }
            missing: dataset(name: "nope") {
              id
            }
          }
        }
      `),
      { p: projectId },
    );
    expect(r.errors).toEqual([]);
    expect(r.data.project).toEqual({ xrays: { id: v1.datasetId, v1: { id: v1.id }, v9: null }, missing: null });
  });

  it("answers bad files with BAD_FILE naming the row, on the upload's field, and writes nothing", async () => {
    const before = await snapshot(server.store);
    const dup = await importVia(owner, "id,label\na,x\nb,y\na,z\n", "bad");
    expect(dup.data.datasetImport.errors).toHaveLength(1);
    const e = dup.data.datasetImport.errors[0]!;
    expect(e.code).toBe("BAD_FILE");
    expect(e.field).toEqual(["input", "manifestUploadId"]);
    expect(e.message).toMatch(/manifest\.csv/);
    expect(e.message).toMatch(/row 3/);
    expect(e.message).not.toContain(server.filesDir); // no server paths
    const noId = await importVia(owner, "name,label\na,x\n", "bad");
    expect(noId.data.datasetImport.errors[0]!.code).toBe("BAD_FILE");
    // Embeddings whose row count differs from the manifest.
    const npy = encodeNpy({ dtype: "float32", shape: [3, 4], data: new Float32Array(12) });
    const emb = await owner.upload("emb.npy", npy);
    const up = await owner.upload("manifest.csv", "id,label\na,x\nb,y\n");
    const mismatch = await owner.mutate(IMPORT, {
      input: { projectId, datasetName: "bad", manifestUploadId: up.json.id, embeddingsUploadId: emb.json.id, modelName: "ext" },
    });
    expect(mismatch.data.datasetImport.errors[0]).toMatchObject({ code: "BAD_FILE", field: ["input", "embeddingsUploadId"] });
    expect(mismatch.data.datasetImport.errors[0]!.message).toMatch(/emb\.npy/);
    // Embeddings without a model name.
    const noModel = await owner.mutate(IMPORT, {
      input: { projectId, datasetName: "bad", manifestUploadId: up.json.id, embeddingsUploadId: emb.json.id },
    });
    expect(noModel.data.datasetImport.errors[0]).toMatchObject({ code: "VALIDATION", field: ["input", "modelName"] });
    expect(await snapshot(server.store)).toEqual(before);
  });

  it("imports embeddings alongside the manifest", async () => {
    const rows = 2;
    const data = new Float32Array([1, 0, 0, 1, 0, 1, 1, 0]);
    const emb = await owner.upload("emb.npy", encodeNpy({ dtype: "float32", shape: [rows, 4], data }));
    const up = await owner.upload("manifest.csv", "id,label\ne1,x\ne2,y\n");
    const r = await owner.mutate(IMPORT, {
      input: { projectId, datasetName: "with-emb", manifestUploadId: up.json.id, embeddingsUploadId: emb.json.id, modelName: "site-encoder" },
    });
    expect(r.data.datasetImport.errors).toEqual([]);
    const set = await server.store.prisma.embeddingSet.findFirstOrThrow({ include: { model: true } });
    expect(set).toMatchObject({ dim: 4, count: 2, model: { name: "site-encoder", kind: "EXTERNAL" } });
  });

  it("upload ids belong to their uploader; uploads need auth and respect the size limit", async () => {
    const up = await owner.upload("manifest.csv", "id,label\nq,x\n");
    const stolen = await curatorToken.mutate(IMPORT, {
      input: { projectId, datasetName: "stolen", manifestUploadId: up.json.id },
    });
    expect(stolen.data.datasetImport.errors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["input", "manifestUploadId"] }),
    ]);
    const anonymous = await new TestClient(server).upload("m.csv", "id,label\n");
    expect(anonymous.status).toBe(401);
    const big = await owner.upload<UploadRefused>("big.csv", "x".repeat(300 * 1024));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("LIMIT_EXCEEDED");
    // Chunked, with no Content-Length: the limit is enforced while streaming, and nothing is kept.
    const chunk = new Uint8Array(16 * 1024).fill(120);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(`${server.base}/uploads?filename=chunked.csv`, {
      method: "POST",
      headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(path.join(server.filesDir, "uploads")).filter((f) => f.endsWith(".part"))).toEqual([]);
  });
});

describe("embedding models", () => {
  it("register an uploaded ONNX encoder (checked by running it), list it, and refuse a broken file", async () => {
    const { readFileSync } = await import("node:fs");
    const dir = new URL("../../../../packages/embed/models/demo-vit/", import.meta.url);
    const config = JSON.parse(readFileSync(new URL("model.json", dir), "utf8"));
    const REGISTER = graphql(`
      mutation ApiEmbeddingModelRegister($input: EmbeddingModelRegisterInput!) {
        embeddingModelRegister(input: $input) {
          embeddingModel {
            name
            kind
            dim
            sha256
            description
          }
          errors {
            code
            field
            message
          }
        }
      }
    `);
    const c = toGlobalId("Consortium", consortiumId);
    const up = await curatorToken.upload("model.onnx", readFileSync(new URL("model.onnx", dir)));
    expect(up.status).toBe(201);
    const ok = await curatorToken.mutate(REGISTER, { input: { consortiumId: c, uploadId: up.json.id, config } });
    expect(ok.data.embeddingModelRegister.errors).toEqual([]);
    expect(ok.data.embeddingModelRegister.embeddingModel).toMatchObject({ name: config.name, kind: "ONNX", sha256: up.json.sha256 });
    expect(ok.data.embeddingModelRegister.embeddingModel.dim).toBeGreaterThan(0);
    const again = await curatorToken.mutate(REGISTER, { input: { consortiumId: c, uploadId: up.json.id, config } });
    expect(again.data.embeddingModelRegister.errors[0]!.code).toBe("CONFLICT");

    const before = await snapshot(server.store);
    const junk = await curatorToken.upload("broken.onnx", "this is not an onnx file");
    const bad = await curatorToken.mutate(REGISTER, {
      input: { consortiumId: c, uploadId: junk.json.id, config: { ...config, name: "broken" } },
    });
    expect(bad.data.embeddingModelRegister.errors).toHaveLength(1);
    expect(bad.data.embeddingModelRegister.errors[0]!.code).toBe("BAD_FILE");
    expect(bad.data.embeddingModelRegister.errors[0]!.message).not.toContain(server.filesDir);
    expect(await snapshot(server.store)).toEqual(before);

    const list = await siteViewer.query(
      graphql(`
        query ApiConsortium($c: ID!) {
          consortium(id: $c) {
            embeddingModels(first: 10) {
              nodes {
                name
                kind
              }
            }
          }
        }
      `),
      { c },
    );
    expect(list.data.consortium.embeddingModels.nodes).toContainEqual({ name: config.name, kind: "ONNX" });
  });
});

describe("multipart uploads", () => {
  async function postForm(form: FormData) {
    const res = await fetch(`${server.base}/uploads`, {
      method: "POST",
      headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: form,
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it("accept a browser FormData file (other fields skipped) and import it", async () => {
    const csv = "id,label\nm1,x\nm2,y\nm3,x\n";
    const form = new FormData();
    form.append("note", "ignored field before the file");
    form.append("file", new Blob([csv], { type: "text/csv" }), "from-browser.csv");
    const up = await postForm(form);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ filename: "from-browser.csv", size: csv.length });
    const r = await owner.mutate(IMPORT, { input: { projectId, datasetName: "multipart", manifestUploadId: up.json.id } });
    expect(r.data.datasetImport.errors).toEqual([]);
    expect(r.data.datasetImport.version.sampleCount).toBe(3);
  });

  it("keep binary files intact across chunk boundaries", async () => {
    const bytes = new Uint8Array(50_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const form = new FormData();
    form.append("file", new Blob([bytes]), "blob.bin");
    const up = await postForm(form);
    expect(up.status).toBe(201);
    const { createHash } = await import("node:crypto");
    expect(up.json.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("answer 400 without a file part and 413 over the size limit", async () => {
    const noFile = new FormData();
    noFile.append("note", "no file here");
    const bad = await postForm(noFile);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/expected a multipart part with a filename/);
    const big = new FormData();
    big.append("file", new Blob(["x".repeat(300 * 1024)]), "big.csv");
    expect((await postForm(big)).status).toBe(413);
  });
});

describe("samples", () => {
  it("paginate with cursors, a stable order and totalCount; first is capped at 100", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: any = await owner.query(SAMPLES, { id: v1.id, first: 2, after });
      expect(r.errors).toEqual([]);
      const conn = r.data.datasetVersion.samples;
      expect(conn.totalCount).toBe(5);
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...conn.nodes.map((n: any) => n.externalId));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(["s1", "s2", "s3", "s4", "s5"]);
    const tooMany = await owner.query(SAMPLES, { id: v1.id, first: 101 });
    expect(tooMany.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const badCursor = await owner.query(SAMPLES, { id: v1.id, first: 2, after: "garbage" });
    expect(badCursor.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("filter by label, site and metadata", async () => {
    const h2 = await server.store.prisma.site.findFirstOrThrow({ where: { consortiumId, code: "H2" } });
    const ids = async (filter: SampleFilter) =>
      (await owner.query(SAMPLES, { id: v1.id, first: 50, filter })).data.datasetVersion.samples.nodes.map(
        (n: any) => n.externalId,
      );
    expect(await ids({ label: "pneumonia" })).toEqual(["s3", "s4"]);
    expect(await ids({ siteId: toGlobalId("Site", h2.id) })).toEqual(["s2", "s4"]);
    expect(await ids({ metadata: [{ key: "scanner", value: "GE" }] })).toEqual(["s1", "s3", "s5"]);
    expect(await ids({ metadata: [{ key: "age", value: "62" }] })).toEqual(["s3"]);
    expect(await ids({ label: "normal", metadata: [{ key: "scanner", value: "GE" }] })).toEqual(["s1", "s5"]);
    expect(await ids({ siteId: "not-an-id" })).toEqual([]);
    // A query argument's class-validator constraints still hold (nested ones too).
    const tooLong = await owner.query(SAMPLES, { id: v1.id, first: 5, filter: { label: "x".repeat(501) } });
    expect(tooLong.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const nested = await owner.query(SAMPLES, { id: v1.id, first: 5, filter: { metadata: Array.from({ length: 21 }, () => ({ key: "k", value: "v" })) } });
    expect(nested.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const counts = await owner.query(
      graphql(`
        query ApiDatasetVersion($id: ID!) {
          datasetVersion(id: $id) {
            labelCounts {
              label
              count
            }
          }
        }
      `),
      { id: v1.id },
    );
    expect(counts.data.datasetVersion.labelCounts).toEqual([
      { label: "normal", count: 3 },
      { label: "pneumonia", count: 2 },
    ]);
  });

  it("a site-scoped member sees URIs and images of their own site only", async () => {
    const r = await siteViewer.query(SAMPLES, { id: v1.id, first: 10 });
    expect(r.errors).toEqual([]);
    const rows = r.data.datasetVersion.samples.nodes.map((n: any) => [n.externalId, n.site.code, n.uri]);
    expect(rows).toEqual([
      ["s1", "H1", "img/s1.png"],
      ["s2", "H2", null],
      ["s3", "H1", "img/s3.png"],
      ["s4", "H2", null],
      ["s5", "H1", "img/s5.png"],
    ]);
    const nodes = r.data.datasetVersion.samples.nodes;
    const own = nodes[0]!;
    const foreign = nodes[1]!;
    expect(own.imageUrl).toBe(`/samples/${own.id}/image`);
    expect(foreign.imageUrl).toBeNull();
    const ok = await siteViewer.get(`/samples/${own.id}/image`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await ok.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await siteViewer.get(`/samples/${foreign.id}/image`)).status).toBe(404);
    // The owner (no site scope) sees both; outsiders and anonymous callers get nothing.
    expect((await owner.get(`/samples/${foreign.id}/image`)).status).toBe(200);
    expect((await outsider.get(`/samples/${own.id}/image`)).status).toBe(404);
    expect((await new TestClient(server).get(`/samples/${own.id}/image`)).status).toBe(401);
    expect((await owner.get(`/samples/garbage/image`)).status).toBe(404);
  });

  it("serves images from the default store layout, a dot-folder (.stratum/files)", async () => {
    // `npm start` keeps files in <repo>/.stratum/files; sendFile's default refuses dot-segments.
    const filesDir = path.join(server.filesDir, ".stratum", "files");
    mkdirSync(path.join(filesDir, "consortia", "api-c", "img"), { recursive: true });
    writeFileSync(path.join(filesDir, "consortia", "api-c", "img", "s1.png"), PNG);
    const app = await createApp({ store: server.store, config: { nodeEnv: "test", filesDir, uploadDir: path.join(filesDir, "uploads") } });
    const { port } = await app.listen(0, "127.0.0.1");
    try {
      const client = new TestClient({ ...server, url: `http://127.0.0.1:${port}/graphql`, base: `http://127.0.0.1:${port}` });
      client.cookies = owner.cookies;
      const r = await client.query(SAMPLES, { id: v1.id, first: 1 });
      expect(r.errors).toEqual([]);
      const s1 = r.data.datasetVersion.samples.nodes[0]!;
      expect(s1.uri).toBe("img/s1.png");
      const rel = await client.get(`/samples/${s1.id}/image`);
      expect(rel.status).toBe(200);
      expect(rel.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await rel.arrayBuffer()).equals(PNG)).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe("DataLoader batching", () => {
  it("a page of samples with nested site, dataset, project and access checks costs the same queries for 2 or 5 items", async () => {
    let operations = 0;
    const counting = server.store.prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          operations++;
          return query(args);
        },
      },
    });
    const app = await createApp({
      store: { ...server.store, prisma: counting as unknown as typeof server.store.prisma },
      config: { nodeEnv: "test", filesDir: server.filesDir, uploadDir: path.join(server.filesDir, "uploads") },
    });
    const { port } = await app.listen(0, "127.0.0.1");
    try {
      const client = new TestClient({ ...server, url: `http://127.0.0.1:${port}/graphql`, base: `http://127.0.0.1:${port}` });
      client.cookies = siteViewer.cookies;
      const QUERY = graphql(`
        query ApiDatasetVersion2($id: ID!, $first: Int) {
          datasetVersion(id: $id) {
            author {
              email
            }
            samples(first: $first) {
              nodes {
                uri
                imageUrl
                site {
                  code
                  consortium {
                    slug
                    viewerRole
                  }
                }
                dataset {
                  name
                  project {
                    slug
                  }
                }
              }
            }
          }
        }
      `);
      const count = async (first: number) => {
        operations = 0;
        const r = await client.query(QUERY, { id: v1.id, first });
        expect(r.errors).toEqual([]);
        expect(r.data.datasetVersion.samples.nodes).toHaveLength(first);
        return operations;
      };
      await count(2); // the first request also looks up the session and memberships (then kept for authCacheMs)
      const two = await count(2);
      const five = await count(5);
      expect(five).toBe(two);
      expect(five).toBeLessThanOrEqual(12);
    } finally {
      await app.close();
    }
  });
});

describe("bad requests", () => {
  it("malformed and invalid queries are 400 with typed codes", async () => {
    const parse = await owner.raw<any>({ query: "{ viewer { " });
    expect(parse.status).toBe(400);
    expect(parse.json.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    const invalid = await owner.raw<any>({ query: "{ viewer { nope } }" });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const notJson = await owner.raw<any>("{not json", {});
    expect(notJson.status).toBe(400);
    expect(notJson.json.errors[0].extensions.code).toBe("BAD_REQUEST");
    // Over 2 MiB: refused before parsing, whether the length is declared or streamed.
    const big = await owner.raw<any>({ query: "{ __typename }", padding: "x".repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(big.json.errors[0].extensions.code).toBe("LIMIT_EXCEEDED");
    const streamed = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1024 * 1024)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("/graphql answers CORS preflights for allowed origins only, and GET queries", async () => {
    const preflight = (origin: string) =>
      fetch(server.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    const allowed = await preflight("http://localhost:3000");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: "Query" } });
    // A mutation over GET is refused (it could be triggered by a link).
    const mutation = await fetch(`${server.url}?query=${encodeURIComponent("mutation { sessionLogout { errors { code } } }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(mutation.status).toBe(405);
  });

  it("over-deep and over-complex queries are refused before anything runs", async () => {
    const deep = await owner.raw<any>({
      // 1 + 3 × 6 + 1 = 20 levels, each list of one item: deep but cheap.
      query: `{ consortium(id: "x") { ${"projects(first: 1) { nodes { consortium { ".repeat(6)} id ${"} } } ".repeat(6)} } }`,
    });
    expect(deep.status).toBe(400);
    expect(deep.json.errors[0].extensions.code).toBe("QUERY_TOO_DEEP");
    const complex = await owner.raw<any>({
      query: `{ consortium(id: "x") { projects(first: 100) { nodes { datasets(first: 100) { nodes { versions(first: 100) { nodes { id number } } } } } } } }`,
    });
    expect(complex.status).toBe(400);
    expect(complex.json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
    // The cost is remembered per document and variables: the same text passes with small pages and is
    // still refused when its variables ask for large ones.
    const paged = `query ($n: Int!) { consortium(id: "x") { projects(first: $n) { nodes { datasets(first: $n) { nodes { versions(first: $n) { nodes { id } } } } } } } }`;
    for (let i = 0; i < 2; i++) expect((await owner.raw<any>({ query: paged, variables: { n: 2 } })).status).toBe(200);
    const large = await owner.raw<any>({ query: paged, variables: { n: 100 } });
    expect(large.status).toBe(400);
    expect(large.json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
    // A mutation inside an over-complex document does not run.
    const before = await snapshot(server.store);
    const mutation = await owner.raw<any>({
      query: `mutation { projectCreate(input: { consortiumId: "${toGlobalId("Consortium", consortiumId)}", slug: "never", name: "N" }) { project { consortium { projects(first: 100) { nodes { datasets(first: 100) { nodes { versions(first: 100) { nodes { id } } } } } } } } errors { code } } }`,
    });
    expect(mutation.json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
    expect(await snapshot(server.store)).toEqual(before);
  });

  it("wrong IDs, wrong types and another consortium's IDs resolve to null", async () => {
    const otherProject = await server.store.prisma.project.create({ data: { consortiumId: otherConsortiumId, slug: "o", name: "O" } });
    const r = await owner.query(
      graphql(`
        query ApiNodes($ids: [ID!]!, $p: ID!, $v: ID!) {
          nodes(ids: $ids) {
            id
          }
          project(id: $p) {
            id
          }
          datasetVersion(id: $v) {
            id
          }
        }
      `),
      {
        ids: ["garbage", toGlobalId("Project", 999_999), toGlobalId("Project", otherProject.id), v1.id, toGlobalId("Nope", 1)],
        p: toGlobalId("Project", otherProject.id),
        v: projectId, // a Project ID where a DatasetVersion ID is expected
      },
    );
    expect(r.errors).toEqual([]);
    expect(r.data.nodes).toEqual([null, null, null, { id: v1.id }, null]);
    expect(r.data.project).toBeNull();
    expect(r.data.datasetVersion).toBeNull();
    const tooMany = await owner.query(graphql(`query ApiNodes2($ids: [ID!]!) { nodes(ids: $ids) { id } }`), {
      ids: Array.from({ length: 101 }, () => v1.id),
    });
    expect(tooMany.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // Mutations with a malformed ID: NOT_FOUND on the field, nothing written.
    const before = await snapshot(server.store);
    const m = await owner.mutate(
      graphql(`
        mutation ApiDatasetCreate($input: DatasetCreateInput!) {
          datasetCreate(input: $input) {
            errors {
              code
              field
            }
          }
        }
      `),
      { input: { projectId: "garbage", name: "x" } },
    );
    expect(m.data.datasetCreate.errors).toEqual([{ code: "NOT_FOUND", field: ["input", "projectId"] }]);
    expect(await snapshot(server.store)).toEqual(before);
  });

  it("production responses carry no stack traces", async () => {
    const prod = await createApp({ store: server.store, config: { nodeEnv: "production", filesDir: server.filesDir } });
    const { url } = await prod.listen(0, "127.0.0.1");
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ nodes(ids: [${Array.from({ length: 101 }, () => '"x"').join(",")}]) { id } }` }),
      });
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
      expect(JSON.stringify(body)).not.toMatch(/stacktrace|at [A-Za-z]+ \(/);
      const introspection = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __schema { types { name } } }" }),
      });
      expect(introspection.status).toBe(400);
    } finally {
      await prod.close();
    }
    // Development responses do carry them (the switch works).
    const dev = await owner.raw<any>({ query: `{ nodes(ids: [${Array.from({ length: 101 }, () => '"x"').join(",")}]) { id } }` });
    expect(dev.json.errors[0].extensions.stacktrace).toBeDefined();
  });
});

describe("audit log", () => {
  it("records every core mutation with its actor; OWNER and CURATOR read it, others get null", async () => {
    const AUDIT = graphql(`
      query ApiAuditEvents($c: ID!, $action: String) {
        auditEvents(consortiumId: $c, first: 50, action: $action) {
          totalCount
          nodes {
            action
            targetType
            targetId
            actor {
              email
            }
            tokenPrefix
            details
            createdAt
          }
        }
      }
    `);
    const c = toGlobalId("Consortium", consortiumId);
    const r = await owner.query(AUDIT, { c, action: "datasetImport" });
    expect(r.errors).toEqual([]);
    const events = r.data.auditEvents.nodes;
    expect(events.length).toBeGreaterThanOrEqual(3);
    const first = events[events.length - 1]!;
    expect(first).toMatchObject({ action: "datasetImport", targetType: "Dataset", targetId: v1.datasetId });
    expect(first.actor.email).toMatch(/^curator-/);
    expect(first.tokenPrefix).toMatch(/^stm_/);
    expect(first.details).toMatchObject({ number: 1, created: true, ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect((await siteViewer.query(AUDIT, { c })).data.auditEvents).toBeNull();
    expect((await outsider.query(AUDIT, { c })).data.auditEvents).toBeNull();
  });
});
