// Loading and registering an ONNX encoder (onnxruntime-node, CPU execution provider).
//
// registerModel(path, config) checks, before any job runs, that the graph has the declared input
// and output, that static input dims agree with the config, and that a dummy batch runs and gives
// the declared dimension. Any mismatch is an EmbedError naming what was expected and what was found.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import { modelLabel, parseModelConfig, type ModelConfig } from "./config.js";
import { EmbedError } from "./errors.js";
import { poolOutput } from "./pooling.js";

export interface SessionOptions {
  /**
   * ORT intra-op threads. Default: cores minus the decode workers, at least 1 — on 2 cores that is
   * 1 thread for inference and 1 core for decoding. More threads than free cores makes ORT's spinning
   * pool fight the decode workers and slows both.
   */
  intraOpThreads?: number;
}

export interface LoadedModel {
  session: ort.InferenceSession;
  config: ModelConfig;
  sha256: string;
  /** Largest batch the graph accepts: Infinity for a dynamic batch axis, else its static size. */
  maxBatch: number;
}

export interface RegisteredModel {
  sha256: string;
  dim: number;
  config: ModelConfig;
  /** "name vN", with " — demo encoder (not pretrained)" when config.pretrained is false. */
  label: string;
  maxBatch: number;
  bytes: number;
  inputShape: Array<number | string>;
  outputShape: Array<number | string>;
}

export function defaultIntraOpThreads(decodeWorkers: number): number {
  return Math.max(1, availableParallelism() - decodeWorkers);
}

export async function createSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const threads = options.intraOpThreads ?? defaultIntraOpThreads(0);
  try {
    return await ort.InferenceSession.create(modelBytes, {
      executionProviders: ["cpu"],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // No busy-waiting: idle ORT threads would otherwise steal the cores the decode workers need.
      extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
    });
  } catch (error) {
    throw new EmbedError("MODEL_LOAD_FAILED", `cannot load the ONNX model: ${(error as Error).message}`, { cause: error });
  }
}

function tensorMeta(list: readonly ort.InferenceSession.ValueMetadata[], name: string): ort.InferenceSession.TensorValueMetadata | undefined {
  const m = list.find((v) => v.name === name);
  return m && m.isTensor ? m : undefined;
}

/** Checks graph input/output names and static dims against the config. Returns the max batch size. */
export function checkSignature(session: ort.InferenceSession, config: ModelConfig): { maxBatch: number; inputShape: Array<number | string>; outputShape: Array<number | string> } {
  const { input, output } = config;
  if (!session.inputNames.includes(input.name)) {
    throw new EmbedError("MODEL_INPUT_MISMATCH", `input.name: expected the model to have an input "${input.name}", got inputs ${session.inputNames.map((n) => `"${n}"`).join(", ")}`);
  }
  if (!session.outputNames.includes(output.name)) {
    throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output.name: expected the model to have an output "${output.name}", got outputs ${session.outputNames.map((n) => `"${n}"`).join(", ")}`);
  }
  const im = tensorMeta(session.inputMetadata, input.name);
  const inputShape = im ? [...im.shape] : [];
  if (im && im.type !== "float32") {
    throw new EmbedError("MODEL_INPUT_MISMATCH", `input "${input.name}": expected a float32 tensor, got ${im.type}`);
  }
  let maxBatch = Infinity;
  if (inputShape.length > 0) {
    if (inputShape.length !== 4) {
      throw new EmbedError("MODEL_INPUT_MISMATCH", `input "${input.name}": expected a 4-D image batch, got shape [${inputShape.join(", ")}]`);
    }
    const expected = input.layout === "NCHW" ? [input.channels, input.height, input.width] : [input.height, input.width, input.channels];
    const names = input.layout === "NCHW" ? ["channels", "height", "width"] : ["height", "width", "channels"];
    for (let i = 0; i < 3; i++) {
      const got = inputShape[i + 1];
      if (typeof got === "number" && got > 0 && got !== expected[i]) {
        throw new EmbedError(
          "MODEL_INPUT_MISMATCH",
          `input "${input.name}" (${input.layout}): expected ${names[i]} ${expected[i]} (input.${names[i]}), the model has ${got} (shape [${inputShape.join(", ")}])`,
        );
      }
    }
    if (typeof inputShape[0] === "number" && inputShape[0] > 0) maxBatch = inputShape[0];
  }
  const om = tensorMeta(session.outputMetadata, output.name);
  const outputShape = om ? [...om.shape] : [];
  if (outputShape.length > 0) {
    const last = outputShape[outputShape.length - 1];
    const rank = outputShape.filter((d, i) => !(i >= 2 && d === 1)).length;
    if (output.pooling === "pooled" && rank !== 2) {
      throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output "${output.name}": pooling "pooled" expects [N, D], the model declares [${outputShape.join(", ")}]`);
    }
    if (output.pooling !== "pooled" && outputShape.length !== 3) {
      throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output "${output.name}": pooling "${output.pooling}" expects tokens [N, T, D], the model declares [${outputShape.join(", ")}]`);
    }
    const d = output.pooling === "pooled" ? outputShape[1] : last;
    if (typeof d === "number" && d > 0 && d !== output.dim) {
      throw new EmbedError("DIM_MISMATCH", `output.dim: expected ${output.dim}, the model's "${output.name}" has dimension ${d} (shape [${outputShape.join(", ")}])`);
    }
  }
  return { maxBatch, inputShape, outputShape };
}

/** Runs one batch: input N × sampleSize floats → N × dim vectors. */
export async function runBatch(session: ort.InferenceSession, config: ModelConfig, batch: Float32Array, n: number): Promise<Float32Array> {
  const { input, output } = config;
  const dims = input.layout === "NCHW" ? [n, input.channels, input.height, input.width] : [n, input.height, input.width, input.channels];
  const tensor = new ort.Tensor("float32", batch.length === n * input.channels * input.height * input.width ? batch : batch.subarray(0, n * input.channels * input.height * input.width), dims);
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    result = await session.run({ [input.name]: tensor }, [output.name]);
  } catch (error) {
    throw new EmbedError("INFERENCE_FAILED", `session.run failed on a batch of ${n}: ${(error as Error).message}`, { cause: error });
  }
  const out = result[output.name] as ort.Tensor | undefined;
  if (!out || out.type !== "float32") {
    throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output "${output.name}": expected a float32 tensor, got ${out ? out.type : "nothing"}`);
  }
  if (out.dims[0] !== n) throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output "${output.name}": expected ${n} rows (the batch), got shape [${out.dims.join(", ")}]`);
  const vectors = poolOutput(out.data as Float32Array, out.dims, output.pooling, output.dim, config.l2Normalize);
  for (const r of Object.values(result)) (r as ort.Tensor).dispose?.();
  return vectors;
}

async function readModel(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmbedError(code === "ENOENT" ? "MODEL_NOT_FOUND" : "MODEL_LOAD_FAILED", `${path}: ${code === "ENOENT" ? "model file not found" : (error as Error).message}`);
  }
}

/** Loads a model for a job, after the same checks as registerModel (signature + dummy batch). */
export async function loadModel(path: string, rawConfig: unknown, options: SessionOptions = {}): Promise<LoadedModel & { registered: RegisteredModel }> {
  const config = parseModelConfig(rawConfig);
  const bytes = await readModel(path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const session = await createSession(bytes, options);
  try {
    const { maxBatch, inputShape, outputShape } = checkSignature(session, config);
    const probe = Number.isFinite(maxBatch) ? maxBatch : 2; // a static batch only takes its own size
    const size = config.input.channels * config.input.height * config.input.width;
    // A deterministic non-constant dummy batch: pooling and normalisation see real variation.
    const dummy = new Float32Array(probe * size);
    for (let i = 0; i < dummy.length; i++) dummy[i] = Math.sin(i * 0.37) * 0.5;
    const vectors = await runBatch(session, config, dummy, probe);
    if (vectors.length !== probe * config.output.dim) {
      throw new EmbedError("DIM_MISMATCH", `expected ${probe} × ${config.output.dim} values from the dummy batch, got ${vectors.length}`);
    }
    for (let i = 0; i < vectors.length; i++) {
      if (!Number.isFinite(vectors[i]!)) throw new EmbedError("MODEL_OUTPUT_MISMATCH", "the dummy batch produced non-finite values");
    }
    const registered: RegisteredModel = {
      sha256,
      dim: config.output.dim,
      config,
      label: modelLabel(config),
      maxBatch,
      bytes: bytes.length,
      inputShape,
      outputShape,
    };
    return { session, config, sha256, maxBatch, registered };
  } catch (error) {
    await session.release().catch(() => {});
    throw error;
  }
}

/**
 * Registers an encoder: validates the config, hashes the file, checks the graph signature and runs a
 * dummy batch that must give the declared dimension. Fails fast with an EmbedError; no session is kept.
 */
export async function registerModel(path: string, rawConfig: unknown): Promise<RegisteredModel> {
  const loaded = await loadModel(path, rawConfig, { intraOpThreads: 1 });
  await loaded.session.release().catch(() => {});
  return loaded.registered;
}
