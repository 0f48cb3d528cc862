// Decode worker: receives { id, input }, answers { id, ok, tensor | code, reason }. The tensor's
// buffer is transferred, not copied. The model config arrives once, as workerData.
import { parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";
import type { ModelConfig } from "./config.js";
import { closeArrayCache } from "./decode/array.js";
import { processInput, type EmbedInput } from "./decode/index.js";
import { SampleError } from "./errors.js";

// Parallelism comes from the workers; one libvips thread per decode keeps the core count honest.
sharp.concurrency(1);
sharp.cache(false);

const config = (workerData as { config: ModelConfig }).config;
const port = parentPort!;

port.on("message", (msg: { id: number; input: EmbedInput } | { close: true }) => {
  if ("close" in msg) {
    void closeArrayCache().finally(() => port.close());
    return;
  }
  processInput(msg.input, config, true).then(
    (r) => port.postMessage({ id: msg.id, ok: true, ...r }, [r.tensor.buffer as ArrayBuffer]),
    (error: unknown) => {
      const code = error instanceof SampleError ? error.code : "DECODE_FAILED";
      const reason = error instanceof Error ? error.message : String(error);
      port.postMessage({ id: msg.id, ok: false, code, reason });
    },
  );
});
