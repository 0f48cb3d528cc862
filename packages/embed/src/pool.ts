// A fixed pool of decode workers (worker_threads). Each worker takes up to `perWorker` tasks at once
// so file reads overlap with decoding. workers = 0 decodes inline on the calling thread.
import { Worker } from "node:worker_threads";
import "sharp"; // sharp must be loaded by the main thread before any worker loads it (glibc Linux).
import type { ModelConfig } from "./config.js";
import { processInput, type EmbedInput, type ProcessedSample } from "./decode/index.js";
import { EmbedError, SampleError, type SampleFailureCode } from "./errors.js";

export type DecodeOutcome = ({ ok: true } & ProcessedSample) | { ok: false; code: SampleFailureCode; reason: string };

interface Pending {
  resolve: (o: DecodeOutcome) => void;
  reject: (e: unknown) => void;
  worker: number;
}

function spawn(config: ModelConfig): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    // Running from source (vitest): load the TypeScript worker through tsx.
    const target = new URL("./decode-worker.ts", here).href;
    return new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(target)}); });`, {
      eval: true,
      workerData: { config },
    });
  }
  return new Worker(new URL("./decode-worker.js", here), { workerData: { config } });
}

export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: EmbedError | undefined;
  private closed = false;

  constructor(
    private readonly config: ModelConfig,
    readonly size: number,
  ) {
    for (let w = 0; w < size; w++) {
      const worker = spawn(config);
      worker.on("message", (m: { id: number } & DecodeOutcome) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.load[p.worker]!--;
        const { id: _id, ...outcome } = m;
        p.resolve(outcome as DecodeOutcome);
      });
      worker.on("error", (error) => this.fail(new EmbedError("WORKER_FAILED", `decode worker ${w} failed: ${error.message}`, { cause: error })));
      worker.on("exit", (code) => {
        if (!this.closed && code !== 0) this.fail(new EmbedError("WORKER_FAILED", `decode worker ${w} exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  private fail(error: EmbedError): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Decodes and preprocesses one input. Never rejects for a bad sample; rejects when the pool fails or closes. */
  decode(input: EmbedInput): Promise<DecodeOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new EmbedError("ABORTED", "the decode pool is closed"));
    if (this.size === 0) {
      return processInput(input, this.config).then(
        (r): DecodeOutcome => ({ ok: true, ...r }),
        (error: unknown): DecodeOutcome => ({
          ok: false,
          code: error instanceof SampleError ? error.code : "DECODE_FAILED",
          reason: error instanceof Error ? error.message : String(error),
        }),
      );
    }
    let w = 0;
    for (let i = 1; i < this.size; i++) if (this.load[i]! < this.load[w]!) w = i;
    const id = this.nextId++;
    this.load[w]!++;
    return new Promise<DecodeOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      this.workers[w]!.postMessage({ id, input });
    });
  }

  /** Stops the workers. Pending decodes reject with ABORTED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const aborted = new EmbedError("ABORTED", "the decode pool was closed");
    for (const p of this.pending.values()) p.reject(aborted);
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
