// A fixed pool of decode workers (worker_threads). Requests are sent in chunks (up to CHUNK per message,
// flushed at the end of the current turn) and answered in chunks: per-message overhead was about a
// third of the decoding cost of a small PNG. workers = 0 decodes inline on the calling thread.
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

const CHUNK = 16;

export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly outbox: Array<Array<{ id: number; input: EmbedInput }>> = [];
  private flushScheduled = false;
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
      worker.on("message", (results: Array<{ id: number } & DecodeOutcome>) => {
        for (const m of results) {
          const p = this.pending.get(m.id);
          if (!p) continue;
          this.pending.delete(m.id);
          this.load[p.worker]!--;
          const { id: _id, ...outcome } = m;
          p.resolve(outcome as DecodeOutcome);
        }
      });
      worker.on("error", (error) => this.fail(new EmbedError("WORKER_FAILED", `decode worker ${w} failed: ${error.message}`, { cause: error })));
      worker.on("exit", (code) => {
        if (!this.closed && code !== 0) this.fail(new EmbedError("WORKER_FAILED", `decode worker ${w} exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
      this.outbox.push([]);
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
      const box = this.outbox[w]!;
      box.push({ id, input });
      if (box.length >= CHUNK) this.flush(w);
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          for (let i = 0; i < this.size; i++) this.flush(i);
        });
      }
    });
  }

  private flush(w: number): void {
    const box = this.outbox[w]!;
    if (box.length === 0 || this.closed) return;
    this.outbox[w] = [];
    this.workers[w]!.postMessage(box);
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
