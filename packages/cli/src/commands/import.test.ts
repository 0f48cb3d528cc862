import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNpy } from "@stratum/formats";
import { openStore, type OpenStoreOptions } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { main } from "../main.js";

// The CLI opens its store from the environment: a tmp PGlite folder (STRATUM_DATA_DIR), or, when the
// suite runs against PostgreSQL, a fresh database in DATABASE_URL.
const dir = mkdtempSync(path.join(tmpdir(), "stratum-cli-import-"));
const saved = { DATABASE_URL: process.env.DATABASE_URL, STRATUM_DATA_DIR: process.env.STRATUM_DATA_DIR };
let storeOptions: OpenStoreOptions;

beforeAll(async () => {
  const options = await testStoreOptions();
  if (options.databaseUrl) {
    process.env.DATABASE_URL = options.databaseUrl;
    storeOptions = { databaseUrl: options.databaseUrl };
  } else {
    process.env.STRATUM_DATA_DIR = path.join(dir, "pglite");
    storeOptions = { databaseUrl: undefined, dataDir: path.join(dir, "pglite") };
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(["import", ...args]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const n = 12;
const dim = 4;
const manifest = path.join(dir, "m.csv");
const embeddings = path.join(dir, "e.npy");

describe("stratum import", () => {
  it("imports a manifest with embeddings into a new consortium/project and prints version, hash and counts", async () => {
    writeFileSync(
      manifest,
      "id,label,site\n" +
        Array.from({ length: n }, (_, i) => `x${i},${i % 2 ? "a" : "b"},S${i % 3}`).join("\n") +
        "\n",
    );
    await writeNpy(embeddings, {
      dtype: "float32",
      shape: [n, dim],
      data: new Float32Array(n * dim).map((_, i) => i / 7),
    });
    const r = await run([
      "--project",
      "demo",
      "--dataset",
      "d1",
      "--manifest",
      manifest,
      "--embeddings",
      embeddings,
      "--model",
      "ext",
      "--message",
      "hello",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/created version 1 of dataset "d1"/);
    expect(r.out).toMatch(/content hash {2}[0-9a-f]{64}/);
    expect(r.out).toMatch(/samples {7}12 \(12 new rows, 0 reused\)/);
    expect(r.out).toMatch(/embeddings {4}12 × 4 from model "ext"/);

    const store = await openStore(storeOptions);
    try {
      const v = await store.prisma.datasetVersion.findFirstOrThrow({
        include: { dataset: { include: { project: { include: { consortium: true } } } } },
      });
      expect(v.message).toBe("hello");
      expect(v.dataset.project.slug).toBe("demo");
      expect(v.dataset.project.consortium.slug).toBe("local");
      expect(await store.prisma.embeddingVector.count()).toBe(n);
    } finally {
      await store.close();
    }
  });

  it("says unchanged on a second import of the same manifest", async () => {
    const r = await run(["--project", "demo", "--dataset", "d1", "--manifest", manifest, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.created).toBe(false);
    expect(result.version.number).toBe(1);
  });

  it("exits 1 with the file and row on bad input, 2 on a usage error", async () => {
    const bad = path.join(dir, "bad.csv");
    writeFileSync(bad, "id,label\n1,a\n1,b\n");
    const r = await run(["--project", "demo", "--dataset", "d1", "--manifest", bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}: row 2`);
    expect(r.err).toMatch(/expected unique ids/);
    const u = await run([
      "--project",
      "demo",
      "--dataset",
      "d1",
      "--manifest",
      manifest,
      "--embeddings",
      embeddings,
    ]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/--model is required with --embeddings/);
  });
});
