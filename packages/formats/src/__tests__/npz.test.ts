import { describe, it, expect, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readNpz, writeNpz, parseNpz, encodeNpz } from "../index.js";
import { fixtures, tempDir, rejection } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.remove());
// Shipped in the repository (data/demo), so this test never skips.
const pneumonia = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../data/demo/pneumoniamnist.npz");

describe("readNpz(path)", () => {
  it("reads an archive written by np.savez", async () => {
    const arrays = await readNpz(path.join(fixtures, "small.npz"));
    expect([...arrays.keys()].sort()).toEqual(["images", "labels"]);
    expect(arrays.get("images")!.shape).toEqual([2, 2, 2]);
    expect(Array.from(arrays.get("labels")!.data as Uint8Array)).toEqual([0, 1]);
  });

  it("decodes only the names asked for and names a missing one", async () => {
    const only = await readNpz(path.join(fixtures, "small.npz"), { names: ["labels"] });
    expect([...only.keys()]).toEqual(["labels"]);
    const e = await rejection(readNpz(path.join(fixtures, "small.npz"), { names: ["masks"] }));
    expect(e.code).toBe("MISSING_ENTRY");
    expect(e.message).toContain('"masks"');
  });

  it("reads the real PneumoniaMNIST archive", async () => {
    const arrays = await readNpz(pneumonia, { names: ["test_images", "test_labels"] });
    expect(arrays.get("test_images")!.shape).toEqual([468, 28, 28]);
    expect(arrays.get("test_images")!.dtype).toBe("uint8");
    const labels = arrays.get("test_labels")!.data as Uint8Array;
    expect(labels.reduce((a, b) => a + b, 0)).toBe(234);
  });

  it("round-trips through writeNpz, compressed or stored", async () => {
    const f = tmp.file("a.npz");
    const x = { dtype: "float32" as const, shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
    await writeNpz(f, { x });
    expect(Array.from((await readNpz(f)).get("x")!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(parseNpz(encodeNpz(new Map([["x", x]]), false)).get("x")!.shape).toEqual([2, 2]);
  });

  it("rejects a file that is not a zip with BAD_ZIP", async () => {
    const f = tmp.file("bad.npz");
    writeFileSync(f, "not a zip at all");
    const e = await rejection(readNpz(f));
    expect(e.code).toBe("BAD_ZIP");
    expect(e.file).toBe(f);
  });
});
