import { describe, it, expect, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { openEmbeddings, writeNpy, type EmbeddingChunk } from "../index.js";
import { tempDir, rejection } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

async function collect(
  file: string,
  rowsPerChunk = 3,
): Promise<{ dim: number; rows: number | undefined; chunks: EmbeddingChunk[]; all: number[] }> {
  const r = await openEmbeddings(file, { rowsPerChunk });
  const chunks: EmbeddingChunk[] = [];
  for await (const c of r.chunks()) chunks.push(c);
  return { dim: r.dim, rows: r.rows, chunks, all: chunks.flatMap((c) => Array.from(c.data)) };
}

const matrix = (n: number, dim: number) => new Float32Array(n * dim).map((_, i) => (i % 13) - 6.5);

describe("openEmbeddings(.npy)", () => {
  it("streams a float32 matrix in chunks", async () => {
    const f = tmp.file("e.npy");
    const data = matrix(8, 4);
    await writeNpy(f, { dtype: "float32", shape: [8, 4], data });
    const got = await collect(f);
    expect(got.dim).toBe(4);
    expect(got.rows).toBe(8);
    expect(got.chunks.map((c) => [c.start, c.count])).toEqual([
      [0, 3],
      [3, 3],
      [6, 2],
    ]);
    expect(got.all).toEqual(Array.from(data));
  });

  it("rejects float64 with WRONG_DTYPE and a 1-D array with WRONG_SHAPE", async () => {
    const f8 = tmp.file("f8.npy");
    await writeNpy(f8, { dtype: "float64", shape: [2, 2], data: new Float64Array(4) });
    const e = await rejection(openEmbeddings(f8));
    expect(e.code).toBe("WRONG_DTYPE");
    expect(e.message).toMatch(/expected float32 embeddings.*got float64/);
    const one = tmp.file("1d.npy");
    await writeNpy(one, { dtype: "float32", shape: [4], data: new Float32Array(4) });
    expect((await rejection(openEmbeddings(one))).code).toBe("WRONG_SHAPE");
  });

  it("names the row and column of the first NaN or Inf", async () => {
    const f = tmp.file("nan.npy");
    const data = matrix(8, 4);
    data[5 * 4 + 2] = Number.NaN;
    await writeNpy(f, { dtype: "float32", shape: [8, 4], data });
    const e = await rejection(collect(f));
    expect(e.code).toBe("NON_FINITE");
    expect(e.row).toBe(6);
    expect(e.column).toBe(2);
    expect(e.message).toContain(f);
    const g = tmp.file("inf.npy");
    data[5 * 4 + 2] = 0;
    data[0] = Number.NEGATIVE_INFINITY;
    await writeNpy(g, { dtype: "float32", shape: [8, 4], data });
    expect((await rejection(collect(g))).row).toBe(1);
  });
});

describe("openEmbeddings(.csv)", () => {
  it("reads a headerless numeric CSV", async () => {
    const f = tmp.file("e.csv");
    writeFileSync(f, "1,2,3\n4,5,6.5\n-1e-3,0,1\n7,8,9\n");
    const got = await collect(f);
    expect(got.dim).toBe(3);
    expect(got.all).toEqual([1, 2, 3, 4, 5, 6.5, Math.fround(-1e-3), 0, 1, 7, 8, 9]);
  });

  it("reads a header with an id column and returns the ids", async () => {
    const f = tmp.file("ids.csv");
    writeFileSync(f, "id,e0,e1\na,1,2\nb,3,4\n");
    const got = await collect(f, 10);
    expect(got.dim).toBe(2);
    expect(got.chunks[0]!.ids).toEqual(["a", "b"]);
    expect(got.all).toEqual([1, 2, 3, 4]);
  });

  it("names bad cells, ragged rows and non-finite values", async () => {
    const f = tmp.file("bad.csv");
    writeFileSync(f, "1,2\n3,x\n");
    const e = await rejection(collect(f));
    expect(e.code).toBe("NOT_A_NUMBER");
    expect([e.row, e.column]).toEqual([2, 1]);
    writeFileSync(f, "1,2\n3\n");
    expect((await rejection(collect(f))).code).toBe("RAGGED_ROW");
    writeFileSync(f, "1,2\n3,4\n5,inf\n");
    const inf = await rejection(collect(f));
    expect(inf.code).toBe("NON_FINITE");
    expect(inf.row).toBe(3);
  });
});

describe("openEmbeddings(.parquet)", () => {
  it("reads one float column per dimension, with ids, across row groups", async () => {
    const f = tmp.file("cols.parquet");
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "id", data: ["a", "b", "c", "d", "e"], type: "STRING" },
        { name: "e0", data: new Float32Array([1, 2, 3, 4, 5]), type: "FLOAT" },
        { name: "e1", data: new Float32Array([10, 20, 30, 40, 50]), type: "FLOAT" },
      ],
      rowGroupSize: 2,
    });
    writeFileSync(f, new Uint8Array(buf));
    const got = await collect(f, 10);
    expect(got.dim).toBe(2);
    expect(got.rows).toBe(5);
    expect(got.chunks.flatMap((c) => c.ids)).toEqual(["a", "b", "c", "d", "e"]);
    expect(got.all).toEqual([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
  });

  it("reads a list<double> column and names a NaN's row", async () => {
    const f = tmp.file("list.parquet");
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
      [7, Number.NaN, 9],
    ];
    const buf = parquetWriteBuffer({
      columnData: [{ name: "embedding", data: rows }],
      schema: [
        { name: "root", num_children: 1 },
        { name: "embedding", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: "REQUIRED", type: "DOUBLE" },
      ],
    });
    writeFileSync(f, new Uint8Array(buf));
    const r = await openEmbeddings(f);
    expect(r.dim).toBe(3);
    const e = await rejection(
      (async () => {
        for await (const _ of r.chunks()) void _;
      })(),
    );
    expect(e.code).toBe("NON_FINITE");
    expect(e.row).toBe(3);
  });

  it("rejects string embedding columns with WRONG_DTYPE", async () => {
    const f = tmp.file("str.parquet");
    const buf = parquetWriteBuffer({ columnData: [{ name: "e0", data: ["x", "y"], type: "STRING" }] });
    writeFileSync(f, new Uint8Array(buf));
    const e = await rejection(openEmbeddings(f));
    expect(e.code).toBe("WRONG_DTYPE");
    expect(e.column).toBe("e0");
  });
});
