import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseModelConfig } from "./config.js";
import { EmbedError } from "./errors.js";
import { loadModel, registerModel, runBatch, type LoadedModel } from "./model.js";
import { poolOutput } from "./pooling.js";
import { demoConfig } from "./__tests__/fixtures.js";

async function rejection(p: Promise<unknown>): Promise<EmbedError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(EmbedError);
    return error as EmbedError;
  }
  throw new Error("expected a rejection");
}

describe("poolOutput(data, dims, pooling, dim, l2)", () => {
  // One sample, 3 tokens of dim 2: CLS [1, 2], patches [3, 4] and [5, 8].
  const tokens = new Float32Array([1, 2, 3, 4, 5, 8]);
  it("cls takes token 0, mean averages the patch tokens only", () => {
    expect(Array.from(poolOutput(tokens, [1, 3, 2], "cls", 2, false))).toEqual([1, 2]);
    expect(Array.from(poolOutput(tokens, [1, 3, 2], "mean", 2, false))).toEqual([4, 6]);
  });
  it("L2-normalises each row and leaves a zero row at zero", () => {
    const v = poolOutput(new Float32Array([3, 4, 0, 0]), [2, 2], "pooled", 2, true);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });
  it("accepts pooled [N, D, 1, 1] and rejects a wrong dim or rank", () => {
    expect(Array.from(poolOutput(new Float32Array([1, 2]), [1, 2, 1, 1], "pooled", 2, false))).toEqual([1, 2]);
    expect(() => poolOutput(tokens, [1, 3, 2], "cls", 4, false)).toThrow(/expected output dimension 4 \(output\.dim\), got 2/);
    expect(() => poolOutput(tokens, [1, 6], "mean", 6, false)).toThrow(/expects tokens of shape \[N, T, D\], got \[1, 6\]/);
  });
});

describe("registerModel(path, config)", () => {
  it("registers the demo CNN: sha256 of the file, declared dim, honest label", async () => {
    const { model, raw } = demoConfig("demo-cnn");
    const r = await registerModel(model, raw);
    expect(r.sha256).toBe(createHash("sha256").update(readFileSync(model)).digest("hex"));
    expect(r.dim).toBe(128);
    expect(r.label).toBe("demo-cnn v1 — demo encoder (not pretrained)");
    expect(r.maxBatch).toBe(Infinity);
    expect(r.inputShape).toEqual(["batch", 1, 64, 64]);
  });

  it("rejects a wrong declared dimension before any job", async () => {
    const { model, raw } = demoConfig("demo-cnn", (c) => (c.output.dim = 256));
    const e = await rejection(registerModel(model, raw));
    expect(e.code).toBe("DIM_MISMATCH");
    expect(e.message).toContain("output.dim: expected 256");
    expect(e.message).toContain("has dimension 128");
  });

  it("rejects a wrong input name, listing the real inputs", async () => {
    const { model, raw } = demoConfig("demo-cnn", (c) => (c.input.name = "pixel_values"));
    const e = await rejection(registerModel(model, raw));
    expect(e.code).toBe("MODEL_INPUT_MISMATCH");
    expect(e.message).toBe('input.name: expected the model to have an input "pixel_values", got inputs "image"');
  });

  it("rejects a wrong input size, channel count and layout", async () => {
    const size = await rejection(registerModel(...args("demo-cnn", (c) => (c.input.height = 32))));
    expect(size.code).toBe("MODEL_INPUT_MISMATCH");
    expect(size.message).toContain("expected height 32 (input.height), the model has 64");
    const ch = await rejection(registerModel(...args("demo-cnn", (c) => (c.input.channels = 3))));
    expect(ch.message).toContain("expected channels 3 (input.channels), the model has 1");
    const layout = await rejection(registerModel(...args("demo-vit", (c) => (c.input.layout = "NHWC"))));
    expect(layout.code).toBe("MODEL_INPUT_MISMATCH");
  });

  it("rejects a wrong output name or a pooling that doesn't fit the output", async () => {
    const out = await rejection(registerModel(...args("demo-cnn", (c) => (c.output.name = "last_hidden_state"))));
    expect(out.code).toBe("MODEL_OUTPUT_MISMATCH");
    expect(out.message).toContain('got outputs "embedding"');
    const pool = await rejection(registerModel(...args("demo-cnn", (c) => (c.output.pooling = "cls"))));
    expect(pool.code).toBe("MODEL_OUTPUT_MISMATCH");
    expect(pool.message).toContain('pooling "cls" expects tokens [N, T, D]');
  });

  it("rejects a missing file and an invalid config", async () => {
    const { raw } = demoConfig("demo-cnn");
    expect((await rejection(registerModel("/nonexistent/model.onnx", raw))).code).toBe("MODEL_NOT_FOUND");
    expect((await rejection(registerModel(demoConfig("demo-cnn").model, { name: "x" }))).code).toBe("CONFIG_INVALID");
  });
});

function args(name: "demo-cnn" | "demo-vit", patch: (c: Record<string, any>) => void): [string, unknown] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { model, raw } = demoConfig(name, patch);
  return [model, raw];
}

describe("ViT-shaped demo model: CLS vs mean pooling", () => {
  let loaded: LoadedModel;
  let tokens: Float32Array;
  const n = 2;
  const size = 3 * 32 * 32;
  const input = new Float32Array(n * size);
  for (let i = 0; i < input.length; i++) input[i] = Math.cos(i * 0.013) * (i < size ? 1 : -0.5);

  beforeAll(async () => {
    const { model, raw } = demoConfig("demo-vit", (c) => (c.l2Normalize = false));
    loaded = await loadModel(model, raw, { intraOpThreads: 1 });
    // Raw tokens straight from onnxruntime, as the reference.
    const out = await loaded.session.run({ pixel_values: new ort.Tensor("float32", input.slice(), [n, 3, 32, 32]) });
    const t = out.last_hidden_state as ort.Tensor;
    expect(t.dims).toEqual([n, 17, 64]);
    tokens = t.data as Float32Array;
  });
  afterAll(async () => loaded.session.release());

  it("cls returns token 0 of each sample", async () => {
    const v = await runBatch(loaded.session, loaded.config, input, n);
    expect(v.length).toBe(n * 64);
    for (let s = 0; s < n; s++) for (let j = 0; j < 64; j++) expect(v[s * 64 + j]).toBe(tokens[s * 17 * 64 + j]);
  });

  it("mean returns the average of tokens 1..16 and differs from cls", async () => {
    const meanConfig = parseModelConfig({ ...demoConfig("demo-vit").raw, l2Normalize: false, output: { name: "last_hidden_state", pooling: "mean", dim: 64 } });
    const v = await runBatch(loaded.session, meanConfig, input, n);
    let diff = 0;
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < 64; j++) {
        let sum = 0;
        for (let k = 1; k < 17; k++) sum += tokens[s * 17 * 64 + k * 64 + j]!;
        expect(v[s * 64 + j]).toBeCloseTo(sum / 16, 5);
        diff += Math.abs(v[s * 64 + j]! - tokens[s * 17 * 64 + j]!);
      }
    }
    expect(diff).toBeGreaterThan(1);
  });

  it("l2Normalize gives unit vectors", async () => {
    const v = await runBatch(loaded.session, { ...loaded.config, l2Normalize: true }, input, n);
    for (let s = 0; s < n; s++) {
      let norm = 0;
      for (let j = 0; j < 64; j++) norm += v[s * 64 + j]! ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
    }
  });
});
