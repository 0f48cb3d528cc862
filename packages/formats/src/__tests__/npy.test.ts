import { describe, it, expect, afterAll } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readNpy, writeNpy, openNpy, parseNpy, encodeNpy, parseNpyHeader, FormatError } from "../index.js";
import { fixtures, tempDir, rejection } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

describe("readNpy(path) on files written by NumPy", () => {
  it("reads a float32 2-D array (format 1.0)", async () => {
    const a = await readNpy(path.join(fixtures, "f4_2x3.npy"));
    expect(a.dtype).toBe("float32");
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float32Array)).toEqual([1.5, -2, 3, 4, 5, 6.25]);
  });

  it("reads a uint8 array with a format 2.0 header", async () => {
    const a = await readNpy(path.join(fixtures, "u1_v2.npy"));
    expect(a.dtype).toBe("uint8");
    expect(a.shape).toEqual([3, 4]);
    expect(Array.from(a.data as Uint8Array)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("byte-swaps a big-endian int32 array", async () => {
    const a = await readNpy(path.join(fixtures, "i4_bigendian.npy"));
    expect(a.dtype).toBe("int32");
    expect(Array.from(a.data as Int32Array)).toEqual([1, -2, 300000]);
  });

  it("reads int64 as BigInt64Array", async () => {
    const a = await readNpy(path.join(fixtures, "i8_1d.npy"));
    expect(Array.from(a.data as BigInt64Array)).toEqual([1n, -(2n ** 40n)]);
  });

  it("rejects Fortran order with FORTRAN_ORDER", async () => {
    const e = await rejection(readNpy(path.join(fixtures, "f8_fortran.npy")));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.code).toBe("FORTRAN_ORDER");
    expect(e.message).toContain("f8_fortran.npy");
  });

  it("rejects a structured dtype with UNSUPPORTED_DTYPE", async () => {
    const e = await rejection(readNpy(path.join(fixtures, "structured.npy")));
    expect(e.code).toBe("UNSUPPORTED_DTYPE");
  });

  it("names a missing file with FILE_NOT_FOUND", async () => {
    const e = await rejection(readNpy(tmp.file("nope.npy")));
    expect(e.code).toBe("FILE_NOT_FOUND");
    expect(e.file).toBe(tmp.file("nope.npy"));
  });
});

describe("encodeNpy(array) / writeNpy(path, array)", () => {
  it("round-trips every dtype and pads the header to 64 bytes", async () => {
    const cases = [
      { dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, Math.PI]) },
      { dtype: "float64", shape: [3], data: new Float64Array([1e-300, -0, 7]) },
      { dtype: "uint16", shape: [1, 2], data: new Uint16Array([65535, 1]) },
      { dtype: "int32", shape: [2], data: new Int32Array([-5, 2 ** 30]) },
      { dtype: "uint8", shape: [0, 5], data: new Uint8Array(0) },
    ] as const;
    for (const c of cases) {
      const bytes = encodeNpy({ dtype: c.dtype, shape: [...c.shape], data: c.data });
      const header = parseNpyHeader(bytes)!;
      expect(header.dataOffset % 64).toBe(0);
      const back = parseNpy(bytes);
      expect(back.dtype).toBe(c.dtype);
      expect(back.shape).toEqual(c.shape);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(c.data));
    }
    const f = tmp.file("w.npy");
    await writeNpy(f, { dtype: "float32", shape: [1, 3], data: new Float32Array([1, 2, 3]) });
    expect(Array.from((await readNpy(f)).data as Float32Array)).toEqual([1, 2, 3]);
  });

  it("writes exactly the bytes NumPy writes for the same array", () => {
    const ours = encodeNpy({
      dtype: "float32",
      shape: [2, 3],
      data: new Float32Array([1.5, -2, 3, 4, 5, 6.25]),
    });
    expect(Buffer.from(ours).equals(readFileSync(path.join(fixtures, "f4_2x3.npy")))).toBe(true);
  });

  it("rejects data whose length does not match the shape", () => {
    expect(() => encodeNpy({ dtype: "float32", shape: [2, 2], data: new Float32Array(3) })).toThrow(
      /expected data.length/,
    );
  });
});

describe("openNpy(path) streaming rows", () => {
  const n = 1000;
  const dim = 7;
  const data = new Float32Array(n * dim).map((_, i) => i * 0.5);
  const file = tmp.file("big.npy");

  it("yields every row exactly once in chunks of the requested size", async () => {
    await writeNpy(file, { dtype: "float32", shape: [n, dim], data });
    const npy = await openNpy(file);
    expect(npy.rows).toBe(n);
    expect(npy.rowLength).toBe(dim);
    const seen = new Float32Array(n * dim);
    const counts: number[] = [];
    for await (const chunk of npy.chunks(300)) {
      seen.set(chunk.data as Float32Array, chunk.start * dim);
      counts.push(chunk.count);
    }
    await npy.close();
    expect(counts).toEqual([300, 300, 300, 100]);
    expect(seen).toEqual(data);
  });

  it("reads an arbitrary row range", async () => {
    const npy = await openNpy(file);
    const rows = (await npy.readRows(998, 2)) as Float32Array;
    await npy.close();
    expect(Array.from(rows)).toEqual(Array.from(data.subarray(998 * dim)));
  });

  it("reports a truncated file with the number of complete rows", async () => {
    const full = readFileSync(file);
    const cut = tmp.file("cut.npy");
    writeFileSync(cut, full.subarray(0, full.length - 10));
    const e = await rejection(openNpy(cut));
    expect(e.code).toBe("TRUNCATED");
    expect(e.message).toMatch(/999 complete rows/);
  });

  it("rejects an empty file and a file that is not .npy", async () => {
    const empty = tmp.file("empty.npy");
    writeFileSync(empty, "");
    expect((await rejection(openNpy(empty))).code).toBe("EMPTY_FILE");
    const text = tmp.file("text.npy");
    writeFileSync(text, "id,label\n1,a\n");
    expect((await rejection(openNpy(text))).code).toBe("BAD_MAGIC");
  });
});
