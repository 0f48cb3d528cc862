// Decode worker: receives chunks of { id, input }, answers each chunk with one message of
// { id, ok, tensor | code, reason }. Tensor buffers are transferred, not copied. The model config
// arrives once, as workerData.
import { parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";
import type { ModelConfig } from "./config.js";
import { processInput, type EmbedInput } from "./decode/index.js";
import { SampleError } from "./errors.js";

// Parallelism comes from the workers; one libvips thread per decode keeps the core count honest.
sharp.concurrency(1);
sharp.cache(false);

const config = (workerData as { config: ModelConfig }).config;
const port = parentPort!;

port.on("message", (tasks: Array<{ id: number; input: EmbedInput }>) => {
  void (async () => {
    const results: unknown[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const t of tasks) {
      try {
        const r = await processInput(t.input, config, true);
        results.push({ id: t.id, ok: true, ...r });
        transfer.push(r.tensor.buffer as ArrayBuffer);
      } catch (error) {
        const code = error instanceof SampleError ? error.code : "DECODE_FAILED";
        const reason = error instanceof Error ? error.message : String(error);
        results.push({ id: t.id, ok: false, code, reason });
      }
    }
    port.postMessage(results, transfer);
  })();
});
