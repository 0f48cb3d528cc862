import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeNpy } from "@stratum/formats";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  openStore,
  importDataset,
  versionDiff,
  loadEmbeddingMatrix,
  EmbeddingMatrixError,
  ImportError,
  type Store,
  type ImportInput,
} from "../index.js";
import { testStoreOptions } from "../testing.js";

let store: Store;
const dir = mkdtempSync(path.join(tmpdir(), "stratum-import-"));
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  await store.prisma.consortium.create({ data: { slug: "acme", name: "Acme" } });
  const c = await store.prisma.consortium.findUniqueOrThrow({ where: { slug: "acme" } });
  await store.prisma.project.create({ data: { consortiumId: c.id, slug: "cxr", name: "Chest X-ray" } });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  id: string;
  label: string;
  site: string;
  uri: string;
  age: string;
}
const makeRows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `s${String(i).padStart(4, "0")}`,
    label: i % 3 === 0 ? "pneumonia" : "normal",
    site: `H${i % 4}`,
    uri: `img/${i}.png`,
    age: String(20 + (i % 50)),
  }));
function writeCsv(name: string, rows: Row[]): string {
  const f = file(name);
  writeFileSync(
    f,
    "id,label,site,uri,age\n" +
      rows.map((r) => `${r.id},${r.label},${r.site},${r.uri},${r.age}`).join("\n") +
      "\n",
  );
  return f;
}
const matrix = (n: number, dim: number, seed = 1) =>
  new Float32Array(n * dim).map((_, i) => Math.sin(i * 0.37 + seed) * 3);

const base = (over: Partial<ImportInput>): ImportInput => ({
  consortium: "acme",
  project: "cxr",
  dataset: "main",
  manifestPath: "",
  batchRows: 16,
  ...over,
});

async function tableCounts(): Promise<Record<string, number>> {
  const tables = [
    "Dataset",
    "DatasetVersion",
    "Sample",
    "DatasetVersionSample",
    "Site",
    "EmbeddingModel",
    "EmbeddingSet",
    "EmbeddingVector",
  ];
  const out: Record<string, number> = {};
  for (const t of tables)
    out[t] = (await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0]!.n;
  return out;
}

async function importError(input: ImportInput): Promise<ImportError> {
  try {
    await importDataset(store, input);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return error as ImportError;
  }
  throw new Error("expected importDataset to fail");
}

const N = 50;
const DIM = 8;
const rows = makeRows(N);
const vectors = matrix(N, DIM);

describe("importDataset(store, input)", () => {
  let v1: Awaited<ReturnType<typeof importDataset>>;

  it("creates version 1 with samples, sites, metadata and float32 vectors", async () => {
    const manifestPath = writeCsv("v1.csv", rows);
    const embeddingsPath = file("v1.npy");
    await writeNpy(embeddingsPath, { dtype: "float32", shape: [N, DIM], data: vectors });
    const progress: string[] = [];
    v1 = await importDataset(
      store,
      base({ manifestPath, embeddingsPath, model: "rad-dino", message: "first" }),
      (phase) => {
        if (!progress.includes(phase)) progress.push(phase);
      },
    );
    expect(progress).toEqual(["manifest", "samples", "embeddings"]);
    expect(v1.created).toBe(true);
    expect(v1.version.number).toBe(1);
    expect(v1.version.parentId).toBeNull();
    expect(v1.version.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.newSamples).toBe(N);
    expect(v1.diff).toEqual({ added: N, removed: 0, changed: 0, unchanged: 0 });
    const sample = await store.prisma.sample.findFirstOrThrow({
      where: { externalId: "s0005" },
      include: { site: true },
    });
    expect(sample.label).toBe("normal");
    expect(sample.uri).toBe("img/5.png");
    expect(sample.site?.code).toBe("H1");
    expect(sample.metadata).toEqual({ age: "25" });
    expect(await store.prisma.site.count()).toBe(4);
    const version = await store.prisma.datasetVersion.findUniqueOrThrow({ where: { id: v1.version.id } });
    expect(version.message).toBe("first");
    expect(version.sampleCount).toBe(N);
    const model = await store.prisma.embeddingModel.findFirstOrThrow({ where: { name: "rad-dino" } });
    expect(model.kind).toBe("EXTERNAL");
    expect(model.dim).toBe(DIM);
  });

  it("stores vectors as little-endian float32 bytes that loadEmbeddingMatrix reads back equal, in position order", async () => {
    const stored = await store.prisma.embeddingVector.findFirstOrThrow({
      where: { setId: v1.embeddings!.setId, sample: { externalId: "s0007" } },
    });
    expect(stored.vector.length).toBe(DIM * 4);
    const bytes = Uint8Array.from(stored.vector);
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual(
      Array.from(vectors.subarray(7 * DIM, 8 * DIM)),
    );
    const pages: number[] = [];
    const m = await loadEmbeddingMatrix(store.sql, v1.embeddings!.setId, { pageRows: 7, onRows: (done) => pages.push(done) });
    expect([m.n, m.dim, m.datasetVersionId]).toEqual([N, DIM, v1.version.id]);
    expect(m.points).toEqual(vectors);
    expect(Array.from(m.positions)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(pages).toEqual([7, 14, 21, 28, 35, 42, 49, 50]);
    const s0 = await store.prisma.sample.findFirstOrThrow({ where: { externalId: "s0000" } });
    expect(m.sampleIds[0]).toBe(s0.id);
    // Each row's sample: ids, labels, the manifest's metadata columns and the site code, in position order.
    expect(m.externalIds).toEqual(rows.map((r) => r.id));
    expect(m.labels).toEqual(rows.map((r) => r.label));
    expect(Object.keys(m.metadata)).toEqual(["age", "site"]);
    expect(m.metadata.age).toEqual(rows.map((r) => r.age));
    expect(m.metadata.site).toEqual(rows.map((r) => r.site));
  });

  it("loadEmbeddingMatrix({ allocate }) reads into the caller's matrix (e.g. on a SharedArrayBuffer at an offset)", async () => {
    const sab = new SharedArrayBuffer(64 + N * DIM * 4);
    const m = await loadEmbeddingMatrix(store.sql, v1.embeddings!.setId, { pageRows: 16, allocate: (n, dim) => new Float32Array(sab, 64, n * dim) });
    expect(m.points.buffer).toBe(sab);
    expect(m.points.byteOffset).toBe(64);
    expect(Array.from(m.points)).toEqual(Array.from(vectors));
    await expect(loadEmbeddingMatrix(store.sql, v1.embeddings!.setId, { allocate: () => new Float32Array(3) })).rejects.toThrow(RangeError);
  });

  it("loadEmbeddingMatrix answers a missing set and a vector of the wrong length with typed errors", async () => {
    await expect(loadEmbeddingMatrix(store.sql, 999_999)).rejects.toMatchObject({ name: "EmbeddingMatrixError", code: "NOT_FOUND" });
    const model = await store.prisma.embeddingModel.create({
      data: { consortiumId: (await store.prisma.consortium.findUniqueOrThrow({ where: { slug: "acme" } })).id, name: "short", kind: "EXTERNAL", dim: 4 },
    });
    const set = await store.prisma.embeddingSet.create({ data: { modelId: model.id, datasetVersionId: v1.version.id, dim: 4, status: "COMPLETE", count: 1 } });
    const first = await store.prisma.datasetVersionSample.findFirstOrThrow({ where: { versionId: v1.version.id, position: 3 } });
    await store.prisma.embeddingVector.create({ data: { setId: set.id, sampleId: first.sampleId, vector: new Uint8Array(12) } });
    const error = await loadEmbeddingMatrix(store.sql, set.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingMatrixError);
    expect(error).toMatchObject({ code: "BAD_VECTOR", message: expect.stringContaining("sample s0003: expected a vector of 4 float32 (16 bytes), got 12 bytes") });
  });

  it("loadEmbeddingMatrix skips samples without a vector and reports their positions", async () => {
    const model = await store.prisma.embeddingModel.create({
      data: {
        consortiumId: (await store.prisma.consortium.findUniqueOrThrow({ where: { slug: "acme" } })).id,
        name: "partial",
        kind: "EXTERNAL",
        dim: 2,
      },
    });
    const set = await store.prisma.embeddingSet.create({
      data: { modelId: model.id, datasetVersionId: v1.version.id, dim: 2, status: "COMPLETE", count: 3 },
    });
    const join = await store.prisma.datasetVersionSample.findMany({
      where: { versionId: v1.version.id, position: { in: [9, 0, 5] } },
    });
    for (const j of join) {
      await store.prisma.embeddingVector.create({
        data: {
          setId: set.id,
          sampleId: j.sampleId,
          vector: new Uint8Array(new Float32Array([j.position, -j.position]).buffer),
        },
      });
    }
    const m = await loadEmbeddingMatrix(store.sql, set.id, { pageRows: 2 });
    expect(m.n).toBe(3);
    expect(Array.from(m.positions)).toEqual([0, 5, 9]);
    expect(Array.from(m.points)).toEqual([0, -0, 5, -5, 9, -9]);
    expect(m.externalIds).toEqual(["s0000", "s0005", "s0009"]);
    expect(m.labels).toEqual(["pneumonia", "normal", "pneumonia"]);
    expect(m.metadata.site).toEqual(["H0", "H1", "H1"]);
  });

  it("re-importing the same content, even reordered, creates no new version and no rows", async () => {
    const before = await tableCounts();
    const again = await importDataset(
      store,
      base({ manifestPath: writeCsv("same.csv", [...rows].reverse()) }),
    );
    expect(again.created).toBe(false);
    expect(again.version.id).toBe(v1.version.id);
    expect(again.summary).toMatch(/no change.*version 1/);
    expect(await tableCounts()).toEqual(before);
  });

  it("changed content gives version 2 whose diff shows added, removed and changed, reusing unchanged Sample rows", async () => {
    const next = rows.slice(1).map((r) => ({ ...r })); // s0000 removed
    next[0]!.label = "pneumonia"; // s0001 changed
    next[1]!.age = "99"; // s0002 changed (metadata)
    next[2]!.site = "H9"; // s0003 changed (new site)
    next.push({ id: "z-new-1", label: "normal", site: "H0", uri: "img/new1.png", age: "30" });
    next.push({ id: "z-new-2", label: "normal", site: "H0", uri: "img/new2.png", age: "31" });
    const samplesBefore = await store.prisma.sample.count();
    const v2 = await importDataset(
      store,
      base({ manifestPath: writeCsv("v2.csv", next), message: "fix labels" }),
    );
    expect(v2.created).toBe(true);
    expect(v2.version.number).toBe(2);
    expect(v2.version.parentId).toBe(v1.version.id);
    expect(v2.diff).toEqual({ added: 2, removed: 1, changed: 3, unchanged: N - 4 });
    expect(v2.newSamples).toBe(5);
    expect(v2.reusedSamples).toBe(N - 4);
    expect(await store.prisma.sample.count()).toBe(samplesBefore + 5);
    // The unchanged samples are the very same rows in both versions.
    const shared = await store.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "DatasetVersionSample" a JOIN "DatasetVersionSample" b ON a."sampleId" = b."sampleId"
       WHERE a."versionId" = $1 AND b."versionId" = $2`,
      [v1.version.id, v2.version.id],
    );
    expect(shared.rows[0]!.n).toBe(N - 4);
    // Version 1 still holds what it held.
    const old = await store.sql.query<{ label: string }>(
      `SELECT s.label FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1 AND s."externalId" = 's0001'`,
      [v1.version.id],
    );
    expect(old.rows[0]!.label).toBe("normal");
    expect(await store.prisma.site.count({ where: { code: "H9" } })).toBe(1);

    const diff = await versionDiff(store, v1.version.id, v2.version.id);
    expect(diff.counts).toEqual(v2.diff);
    expect(diff.items.map((i) => [i.kind, i.externalId])).toEqual([
      ["removed", "s0000"],
      ["changed", "s0001"],
      ["changed", "s0002"],
      ["changed", "s0003"],
      ["added", "z-new-1"],
      ["added", "z-new-2"],
    ]);
    const changed = diff.items[1]!;
    expect([changed.before?.label, changed.after?.label]).toEqual(["normal", "pneumonia"]);
    expect(diff.items[0]!.after).toBeNull();
    expect(diff.items[4]!.before).toBeNull();

    const page1 = await versionDiff(store, v1.version.id, v2.version.id, {
      kinds: ["changed", "added"],
      limit: 2,
    });
    expect(page1.items.map((i) => i.externalId)).toEqual(["s0001", "s0002"]);
    const page2 = await versionDiff(store, v1.version.id, v2.version.id, {
      kinds: ["changed", "added"],
      limit: 2,
      after: page1.nextCursor!,
    });
    expect(page2.items.map((i) => i.externalId)).toEqual(["s0003", "z-new-1"]);
    const page3 = await versionDiff(store, v1.version.id, v2.version.id, {
      kinds: ["changed", "added"],
      limit: 2,
      after: page2.nextCursor!,
    });
    expect(page3.items.map((i) => i.externalId)).toEqual(["z-new-2"]);
    expect(page3.nextCursor).toBeNull();
  });

  it("attaches embeddings of a new model to the existing version when the content is unchanged", async () => {
    const next = await store.prisma.datasetVersion.findFirstOrThrow({ where: { number: 2 } });
    const manifest = await store.sql.query<Row>(
      `SELECT s."externalId" AS id, s.label, st.code AS site, s.uri, s.metadata->>'age' AS age
       FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" LEFT JOIN "Site" st ON st.id = s."siteId"
       WHERE d."versionId" = $1 ORDER BY d.position`,
      [next.id],
    );
    const n = manifest.rows.length;
    const csvEmb = file("v2-emb.csv");
    const data = matrix(n, 3, 5);
    writeFileSync(
      csvEmb,
      "id,a,b,c\n" +
        manifest.rows
          .map((r, i) => `${r.id},${data[i * 3]},${data[i * 3 + 1]},${data[i * 3 + 2]}`)
          .join("\n") +
        "\n",
    );
    const r = await importDataset(
      store,
      base({ manifestPath: writeCsv("v2-again.csv", manifest.rows), embeddingsPath: csvEmb, model: "tiny" }),
    );
    expect(r.created).toBe(false);
    expect(r.version.id).toBe(next.id);
    expect(r.embeddings).toMatchObject({ created: true, dim: 3, count: n });
    const m = await loadEmbeddingMatrix(store.sql, r.embeddings!.setId);
    expect(Array.from(m.points)).toEqual(Array.from(data));
  });

  it("reads Parquet embeddings with an id column", async () => {
    const manifestPath = file("pq.csv");
    writeFileSync(manifestPath, "id,label\na,x\nb,y\nc,x\n");
    const embeddingsPath = file("e.parquet");
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "id", data: ["a", "b", "c"], type: "STRING" },
        { name: "e0", data: new Float32Array([1, 2, 3]), type: "FLOAT" },
        { name: "e1", data: new Float32Array([-1, -2, -3]), type: "FLOAT" },
      ],
    });
    writeFileSync(embeddingsPath, new Uint8Array(buf));
    const r = await importDataset(
      store,
      base({ dataset: "parquet", manifestPath, embeddingsPath, model: "pq" }),
    );
    const m = await loadEmbeddingMatrix(store.sql, r.embeddings!.setId);
    expect(Array.from(m.points)).toEqual([1, -1, 2, -2, 3, -3]);
  });

  it("serialises concurrent imports into one dataset: version numbers 1 and 2, no lost update", async () => {
    const a = writeCsv("ca.csv", rows.slice(0, 10));
    const b = writeCsv("cb.csv", rows.slice(5, 20));
    const [ra, rb] = await Promise.all([
      importDataset(store, base({ dataset: "concurrent", manifestPath: a })),
      importDataset(store, base({ dataset: "concurrent", manifestPath: b })),
    ]);
    expect([ra.version.number, rb.version.number].sort()).toEqual([1, 2]);
    const second = ra.version.number === 2 ? ra : rb;
    const first = second === ra ? rb : ra;
    expect(second.version.parentId).toBe(first.version.id);
  });

  it("takes the reserved Sample ids one by one when the sequence does not give a contiguous run", async () => {
    await store.sql.exec(`ALTER SEQUENCE "Sample_id_seq" INCREMENT BY 3`);
    try {
      const r = await importDataset(
        store,
        base({ dataset: "gaps", manifestPath: writeCsv("gaps.csv", rows.slice(0, 5)) }),
      );
      const ids = await store.sql.query<{ id: number; externalId: string }>(
        `SELECT s.id, s."externalId" FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1 ORDER BY d.position`,
        [r.version.id],
      );
      expect(ids.rows.map((x) => x.externalId)).toEqual(rows.slice(0, 5).map((x) => x.id));
      const gaps = ids.rows.slice(1).map((x, i) => x.id - ids.rows[i]!.id);
      expect(gaps).toEqual([3, 3, 3, 3]);
    } finally {
      await store.sql.exec(`ALTER SEQUENCE "Sample_id_seq" INCREMENT BY 1`);
    }
  });

  it("reads a JSONL manifest with JSON-typed metadata", async () => {
    const f = file("m.jsonl");
    writeFileSync(
      f,
      '{"id":1,"label":"a","path":"p/1.png","scanner":{"vendor":"GE"}}\n{"id":2,"label":"b","path":"p/2.png"}\n',
    );
    const r = await importDataset(store, base({ dataset: "jsonl", manifestPath: f }));
    expect(r.version.sampleCount).toBe(2);
    const s = await store.prisma.sample.findFirstOrThrow({
      where: { datasetId: r.datasetId, externalId: "1" },
    });
    expect(s.uri).toBe("p/1.png");
    expect(s.metadata).toEqual({ scanner: { vendor: "GE" } });
  });
});

describe("importDataset(store, input) on bad input writes nothing", () => {
  const cases: Array<{
    name: string;
    input: () => Promise<ImportInput>;
    code: string;
    row?: number;
    file: string;
  }> = [
    {
      name: "missing id column",
      file: "noid.csv",
      code: "MISSING_COLUMN",
      input: async () => {
        writeFileSync(file("noid.csv"), "key,label\n1,a\n");
        return base({ dataset: "bad", manifestPath: file("noid.csv") });
      },
    },
    {
      name: "duplicate ids",
      file: "dup.csv",
      code: "DUPLICATE_ID",
      row: 3,
      input: async () => {
        writeFileSync(file("dup.csv"), "id,label\n1,a\n2,b\n1,c\n");
        return base({ dataset: "bad", manifestPath: file("dup.csv") });
      },
    },
    {
      name: "a site code outside SITE_CODE",
      file: "badsite.csv",
      code: "BAD_VALUE",
      row: 2,
      input: async () => {
        writeFileSync(file("badsite.csv"), "id,label,site\n1,a,H1\n2,b,../H2\n");
        return base({ dataset: "bad", manifestPath: file("badsite.csv") });
      },
    },
    {
      name: "a NUL character in a label",
      file: "nul.csv",
      code: "BAD_VALUE",
      row: 1,
      input: async () => {
        writeFileSync(file("nul.csv"), "id,label,site\n1,a\u0000b,H1\n");
        return base({ dataset: "bad", manifestPath: file("nul.csv") });
      },
    },
    {
      name: "an unknown site when newSites is refuse",
      file: "newsite.csv",
      code: "UNKNOWN_SITE",
      row: 2,
      input: async () => {
        writeFileSync(file("newsite.csv"), "id,label,site\n1,a,H0\n2,b,NEW\n");
        return base({ dataset: "bad", manifestPath: file("newsite.csv"), newSites: "refuse" });
      },
    },
    {
      name: "ragged row",
      file: "ragged.csv",
      code: "RAGGED_ROW",
      row: 2,
      input: async () => {
        writeFileSync(file("ragged.csv"), "id,label\n1,a\n2\n");
        return base({ dataset: "bad", manifestPath: file("ragged.csv") });
      },
    },
    {
      name: "empty file",
      file: "empty.csv",
      code: "EMPTY_FILE",
      input: async () => {
        writeFileSync(file("empty.csv"), "");
        return base({ dataset: "bad", manifestPath: file("empty.csv") });
      },
    },
    {
      name: "missing id in a JSONL row",
      file: "noid.jsonl",
      code: "MISSING_ID",
      row: 2,
      input: async () => {
        writeFileSync(file("noid.jsonl"), '{"id":"a","label":"x"}\n{"label":"y"}\n');
        return base({ dataset: "bad", manifestPath: file("noid.jsonl") });
      },
    },
    {
      name: "embedding row count differs from the manifest (.npy)",
      file: "short.npy",
      code: "ROW_COUNT_MISMATCH",
      input: async () => {
        await writeNpy(file("short.npy"), {
          dtype: "float32",
          shape: [N - 1, DIM],
          data: matrix(N - 1, DIM),
        });
        return base({
          dataset: "bad",
          manifestPath: writeCsv("ok.csv", rows),
          embeddingsPath: file("short.npy"),
          model: "m",
        });
      },
    },
    {
      name: "embedding row count differs from the manifest (.csv, found while streaming)",
      file: "short.csv",
      code: "ROW_COUNT_MISMATCH",
      input: async () => {
        writeFileSync(file("short.csv"), "1,2\n3,4\n");
        return base({
          dataset: "bad",
          manifestPath: writeCsv("ok.csv", rows),
          embeddingsPath: file("short.csv"),
          model: "m",
        });
      },
    },
    {
      name: "NaN in the last embedding row (found while streaming)",
      file: "nan.npy",
      code: "NON_FINITE",
      row: N,
      input: async () => {
        const data = matrix(N, DIM);
        data[N * DIM - 1] = Number.NaN;
        await writeNpy(file("nan.npy"), { dtype: "float32", shape: [N, DIM], data });
        return base({
          dataset: "bad",
          manifestPath: writeCsv("ok.csv", rows),
          embeddingsPath: file("nan.npy"),
          model: "m",
        });
      },
    },
    {
      name: "Inf in embeddings of a changed version",
      file: "inf.npy",
      code: "NON_FINITE",
      row: 20,
      input: async () => {
        const data = matrix(N, DIM);
        data[19 * DIM] = Number.POSITIVE_INFINITY;
        await writeNpy(file("inf.npy"), { dtype: "float32", shape: [N, DIM], data });
        const changed = rows.map((r) => ({ ...r, label: "other" }));
        return base({
          manifestPath: writeCsv("changed.csv", changed),
          embeddingsPath: file("inf.npy"),
          model: "m",
        });
      },
    },
    {
      name: "wrong dtype (float64 .npy)",
      file: "f64.npy",
      code: "WRONG_DTYPE",
      input: async () => {
        await writeNpy(file("f64.npy"), {
          dtype: "float64",
          shape: [N, DIM],
          data: new Float64Array(N * DIM),
        });
        return base({
          dataset: "bad",
          manifestPath: writeCsv("ok.csv", rows),
          embeddingsPath: file("f64.npy"),
          model: "m",
        });
      },
    },
    {
      name: "embedding ids out of step with the manifest",
      file: "ids.csv",
      code: "ID_MISMATCH",
      row: 2,
      input: async () => {
        writeFileSync(file("m2.csv"), "id,label\na,x\nb,y\n");
        writeFileSync(file("ids.csv"), "id,e0\na,1\nc,2\n");
        return base({
          dataset: "bad",
          manifestPath: file("m2.csv"),
          embeddingsPath: file("ids.csv"),
          model: "m",
        });
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ImportError ${c.code} naming ${c.file}${c.row ? ` row ${c.row}` : ""}`, async () => {
      const input = await c.input();
      const before = await tableCounts();
      const e = await importError(input);
      expect(e.code).toBe(c.code);
      expect(e.file).toBe(file(c.file));
      expect(e.message).toContain(file(c.file));
      if (c.row !== undefined) {
        expect(e.row).toBe(c.row);
        expect(e.message).toContain(`row ${c.row}`);
      }
      expect(await tableCounts()).toEqual(before);
    });
  }

  it("an unsupported embeddings extension is an ImportError naming the file", async () => {
    const e = await importError(
      base({
        dataset: "bad",
        manifestPath: writeCsv("ok.csv", rows),
        embeddingsPath: file("e.h5"),
        model: "m",
      }),
    );
    expect(e.code).toBe("UNSUPPORTED_FORMAT");
    expect(e.file).toBe(file("e.h5"));
  });

  it("an unknown project is NOT_FOUND unless createMissing", async () => {
    const manifestPath = writeCsv("p.csv", rows.slice(0, 3));
    const e = await importError(base({ project: "nope", manifestPath }));
    expect(e.code).toBe("NOT_FOUND");
    const r = await importDataset(
      store,
      base({ consortium: "local", project: "nope", manifestPath, createMissing: true }),
    );
    expect(r.version.number).toBe(1);
  });
});

describe("importDataset and sites", () => {
  it("returns the sites it created (for the caller's audit), and none when they exist", async () => {
    const manifestPath = file("sites.csv");
    writeFileSync(manifestPath, "id,label,site\n1,a,Z2\n2,b,Z1\n3,c,Z2\n");
    const first = await importDataset(store, base({ dataset: "sites", manifestPath }));
    expect(first.createdSites.map((s) => s.code)).toEqual(["Z2", "Z1"]);
    writeFileSync(manifestPath, "id,label,site\n1,a,Z2\n2,b,Z1\n4,d,Z1\n");
    const again = await importDataset(store, base({ dataset: "sites", manifestPath, newSites: "refuse" }));
    expect(again.created).toBe(true);
    expect(again.createdSites).toEqual([]);
  });
});
