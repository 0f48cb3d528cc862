// embedImages: the streaming embedding pipeline.
//
//   inputs ──► decode workers (read, decode, preprocess) ──► ordered, bounded queue ──► batches ──►
//   session.run (one batch at a time; it holds the JS thread while it runs) ──► pooling ──► yield
//
// - Order: results and failures come out in input order.
// - Overlap: workers decode batches k+1.. while batch k is inferred; the queue is topped up right
//   before each session.run because onnxruntime-node runs inference on the calling thread.
// - Memory: at most batchSize × prefetchBatches samples are in flight or queued, plus the batch being
//   inferred; nothing holds the whole set, so 100k inputs need no more memory than 1k.
// - Failures: a sample that cannot be read/decoded, or whose vector is not finite, is reported with a
//   code and a reason in the next yielded batch (a batch with no items once batchSize failures pile
//   up); the run goes on.
// - Cancellation: `signal` aborts; the generator throws EmbedError ABORTED and stops the workers.
//   Batches already yielded stay valid.
// - Resume: pass the keys already stored as `skip`; those inputs are not decoded and count as skipped.
import { availableParallelism } from "node:os";
import type { InferenceSession } from "onnxruntime-node";
import type { ModelConfig } from "./config.js";
import type { EmbedInput } from "./decode/index.js";
import { EmbedError, type SampleFailureCode } from "./errors.js";
import type { SampleMetadata } from "./image.js";
import { defaultIntraOpThreads, loadModel, runBatch, type LoadedModel } from "./model.js";
import { DecodePool, type DecodeOutcome } from "./pool.js";
import { sampleSize } from "./preprocess.js";

export interface EmbeddedSample {
  key: string;
  /** 0-based position in the input sequence (skipped inputs count). */
  index: number;
  /** config.output.dim floats (L2-normalised when the config says so). */
  vector: Float32Array;
  sha256: string;
  /** DICOM acquisition metadata (empty for PNG/JPEG/TIFF/arrays); never direct identifiers. */
  metadata: SampleMetadata;
}

export interface SampleFailure {
  key: string;
  index: number;
  code: SampleFailureCode;
  reason: string;
}

export interface EmbedProgress {
  /** Inputs settled so far: embedded + failed + skipped. */
  done: number;
  /** Known when inputs is an array or options.total is given. */
  total: number | undefined;
  embedded: number;
  failed: number;
  skipped: number;
  /** Embedded + failed per second since the start (skipped inputs are free and not counted). */
  ratePerSec: number;
  /** Seconds left at the current rate, when total is known. */
  etaSec: number | undefined;
  elapsedMs: number;
  /** Time spent in session.run (incl. pooling) so far. */
  inferenceMs: number;
  /** Time the inference loop waited for decoded samples: near 0 when decoding is hidden behind inference. */
  waitingForDecodeMs: number;
}

export interface EmbedBatch {
  items: EmbeddedSample[];
  failures: SampleFailure[];
  progress: EmbedProgress;
}

export interface EmbedOptions {
  /** An ONNX file and its config (validated, signature-checked and dummy-run here), or a model loaded with loadModel. */
  model: { path: string; config: unknown } | LoadedModel;
  inputs: Iterable<EmbedInput> | AsyncIterable<EmbedInput>;
  /** Number of inputs, for progress/ETA when inputs is an AsyncIterable. */
  total?: number;
  /** Samples per session.run. Default 32, capped by the model's static batch size. */
  batchSize?: number;
  /** Decode worker threads. Default: max(1, floor(cores / 4)) — 1 on 2 cores. 0 decodes inline. */
  workers?: number;
  /** ORT intra-op threads. Default: cores − workers, at least 1 (see SessionOptions). */
  intraOpThreads?: number;
  /** Batches' worth of samples decoded ahead of inference. Default 3. */
  prefetchBatches?: number;
  /** Keys already embedded (resume): not decoded, counted as skipped. */
  skip?: ReadonlySet<string> | ((key: string) => boolean);
  signal?: AbortSignal;
  onProgress?: (progress: EmbedProgress) => void;
}

export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.floor(availableParallelism() / 4));
}

type Slot = { index: number; key: string; skipped: true } | { index: number; key: string; skipped: false; outcome: Promise<DecodeOutcome> };

/** A bounded FIFO between the producer (submitting decodes) and the consumer (batching). */
class BoundedQueue<T> {
  private readonly items: T[] = [];
  private waitingPush: Array<() => void> = [];
  private waitingShift: Array<() => void> = [];
  private ended = false;
  private error: unknown;
  constructor(private readonly capacity: number) {}
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.error) await new Promise<void>((r) => this.waitingPush.push(r));
    if (this.error) throw this.error;
    this.items.push(item);
    this.wake("shift");
  }
  /** Resolves undefined when ended and drained. */
  async shift(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.ended && !this.error) await new Promise<void>((r) => this.waitingShift.push(r));
    if (this.error) throw this.error;
    const item = this.items.shift();
    this.wake("push");
    return item;
  }
  end(): void {
    this.ended = true;
    this.wake("shift");
  }
  fail(error: unknown): void {
    this.error ??= error;
    this.wake("push");
    this.wake("shift");
  }
  private wake(which: "push" | "shift"): void {
    const list = which === "push" ? this.waitingPush : this.waitingShift;
    if (which === "push") this.waitingPush = [];
    else this.waitingShift = [];
    for (const r of list) r();
  }
}

function abortError(signal: AbortSignal): EmbedError {
  const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason ? String(signal.reason) : "cancelled";
  return new EmbedError("ABORTED", `embedding cancelled: ${reason}`);
}

function isLoaded(m: EmbedOptions["model"]): m is LoadedModel {
  return (m as LoadedModel).session !== undefined;
}

/**
 * Embeds images as a stream of batches in input order. See the module comment and the package README.
 * Throws EmbedError for job-level problems (config/model mismatch, cancellation, a dead worker).
 */
export async function* embedImages(options: EmbedOptions): AsyncGenerator<EmbedBatch, void, undefined> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const workers = options.workers ?? defaultDecodeWorkers();
  if (!Number.isInteger(workers) || workers < 0) throw new EmbedError("INPUT_INVALID", `workers: expected an integer ≥ 0, got ${workers}`);
  const requestedBatch = options.batchSize ?? 32;
  if (!Number.isInteger(requestedBatch) || requestedBatch < 1) throw new EmbedError("INPUT_INVALID", `batchSize: expected an integer ≥ 1, got ${requestedBatch}`);
  const prefetch = options.prefetchBatches ?? 3;
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new EmbedError("INPUT_INVALID", `prefetchBatches: expected an integer ≥ 1, got ${prefetch}`);

  const owned = !isLoaded(options.model);
  const model: LoadedModel = isLoaded(options.model)
    ? options.model
    : await loadModel(options.model.path, options.model.config, { intraOpThreads: options.intraOpThreads ?? defaultIntraOpThreads(workers) });
  const config: ModelConfig = model.config;
  const session: InferenceSession = model.session;
  const batchSize = Math.min(requestedBatch, model.maxBatch);
  const perSample = sampleSize(config);
  const dim = config.output.dim;
  const skip = options.skip;
  const isSkipped = typeof skip === "function" ? skip : skip ? (k: string) => skip.has(k) : () => false;
  const total = options.total ?? (Array.isArray(options.inputs) ? options.inputs.length : undefined);

  const pool = new DecodePool(config, workers);
  const queue = new BoundedQueue<Slot>(batchSize * prefetch);
  const started = performance.now();
  let embedded = 0;
  let failed = 0;
  let skipped = 0;
  let stopProducer = false;
  let inferenceMs = 0;
  let waitingForDecodeMs = 0;

  const onAbort = () => queue.fail(abortError(signal!));
  signal?.addEventListener("abort", onAbort, { once: true });

  // Producer: walks the inputs and submits decodes, never more than the queue holds.
  const producer = (async () => {
    let index = 0;
    try {
      for await (const input of options.inputs as AsyncIterable<EmbedInput>) {
        if (stopProducer) break;
        const key = input?.key;
        if (typeof key !== "string" || key === "") {
          throw new EmbedError("INPUT_INVALID", `inputs[${index}].key: expected a non-empty string, got ${JSON.stringify(key)}`);
        }
        if (isSkipped(key)) {
          await queue.push({ index: index++, key, skipped: true });
          continue;
        }
        const outcome = pool.decode(input);
        outcome.catch(() => {}); // consumed later; never an unhandled rejection
        await queue.push({ index: index++, key, skipped: false, outcome });
      }
      queue.end();
    } catch (error) {
      queue.fail(error);
    }
  })();

  const progress = (): EmbedProgress => {
    const elapsedMs = performance.now() - started;
    const done = embedded + failed + skipped;
    const ratePerSec = (embedded + failed) / Math.max(elapsedMs / 1000, 1e-3);
    const etaSec = total !== undefined && ratePerSec > 0 ? Math.max(0, (total - done) / ratePerSec) : undefined;
    return { done, total, embedded, failed, skipped, ratePerSec, etaSec, elapsedMs, inferenceMs, waitingForDecodeMs };
  };

  const batch = new Float32Array(batchSize * perSample);
  let pendingSamples: Array<{ key: string; index: number; sha256: string; metadata: SampleMetadata }> = [];
  let failures: SampleFailure[] = [];

  const infer = async (): Promise<EmbeddedSample[]> => {
    const n = pendingSamples.length;
    if (n === 0) return [];
    // onnxruntime-node's session.run holds the JS thread for the whole batch. Let the producer top up
    // the decode queue first (one macrotask turn), so the workers stay busy during inference.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let vectors: Float32Array | undefined;
    const t0 = performance.now();
    try {
      // A graph with a static batch size only takes full batches: pad the last one with zeros.
      const runN = Number.isFinite(model.maxBatch) && n < batchSize ? batchSize : n;
      if (runN > n) batch.fill(0, n * perSample);
      vectors = await runBatch(session, config, batch, runN);
      inferenceMs += performance.now() - t0;
    } catch (error) {
      // A model-level mismatch is fatal; a failed run is retried sample by sample below.
      if (!(error instanceof EmbedError) || error.code !== "INFERENCE_FAILED") throw error;
    }
    const items: EmbeddedSample[] = [];
    for (let i = 0; i < n; i++) {
      const s = pendingSamples[i]!;
      let v: Float32Array | undefined;
      if (vectors) {
        v = vectors.slice(i * dim, (i + 1) * dim);
      } else {
        // The batch failed as a whole: retry this sample alone to find which input is at fault.
        try {
          const one = batch.subarray(i * perSample, (i + 1) * perSample);
          if (Number.isFinite(model.maxBatch)) {
            const padded = new Float32Array(batchSize * perSample);
            padded.set(one);
            v = (await runBatch(session, config, padded, batchSize)).slice(0, dim);
          } else {
            v = (await runBatch(session, config, one, 1)).slice(0, dim);
          }
        } catch (error) {
          failures.push({ key: s.key, index: s.index, code: "INFERENCE_FAILED", reason: (error as Error).message });
          failed++;
          continue;
        }
      }
      if (!v.every(Number.isFinite)) {
        failures.push({ key: s.key, index: s.index, code: "NON_FINITE", reason: "the model produced non-finite values for this sample" });
        failed++;
        continue;
      }
      items.push({ ...s, vector: v });
      embedded++;
    }
    pendingSamples = [];
    return items;
  };

  try {
    for (;;) {
      const w0 = performance.now();
      const slot = await queue.shift();
      if (signal?.aborted) throw abortError(signal);
      if (slot === undefined) break;
      if (slot.skipped) {
        skipped++;
        continue;
      }
      const o = await slot.outcome;
      waitingForDecodeMs += performance.now() - w0;
      if (!o.ok) {
        failures.push({ key: slot.key, index: slot.index, code: o.code, reason: o.reason });
        failed++;
        if (failures.length >= batchSize) {
          // A long run of bad inputs: hand the failures over now (memory stays bounded, progress moves).
          const out: EmbedBatch = { items: [], failures, progress: progress() };
          failures = [];
          options.onProgress?.(out.progress);
          yield out;
        }
        continue;
      }
      batch.set(o.tensor, pendingSamples.length * perSample);
      pendingSamples.push({ key: slot.key, index: slot.index, sha256: o.sha256, metadata: o.metadata });
      if (pendingSamples.length === batchSize) {
        const items = await infer();
        if (signal?.aborted) throw abortError(signal);
        const out: EmbedBatch = { items, failures, progress: progress() };
        failures = [];
        options.onProgress?.(out.progress);
        yield out;
      }
    }
    const items = await infer();
    const out: EmbedBatch = { items, failures, progress: progress() };
    options.onProgress?.(out.progress);
    if (items.length > 0 || failures.length > 0) yield out;
  } finally {
    stopProducer = true;
    queue.fail(new EmbedError("ABORTED", "the pipeline stopped"));
    signal?.removeEventListener("abort", onAbort);
    await producer;
    await pool.close();
    if (owned) await session.release().catch(() => {});
  }
}
