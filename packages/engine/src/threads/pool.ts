// ThreadPool: a fixed number of node:worker_threads, each running the engine's kernels (kernels.ts) one
// task at a time. run() resolves with that task's own result, whatever thread took it and whenever it
// finished, so a caller that reduces results in task order gets the same bytes for any thread count.
// Threads start on first use and stay until close(); an aborted signal stops them all.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EngineInputError, type ProgressFn } from "../types.js";
import type { KernelArgs, KernelName, KernelResult } from "./kernels.js";

/** At most this many threads (the setting's upper bound in the API and the CLI). */
export const THREADS_MAX = 64;

/** The cores this process may use (os.availableParallelism()), clamped to 1..THREADS_MAX. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(THREADS_MAX, availableParallelism()));
}

/**
 * A `threads` setting checked: an integer in 1..64 (a number, or a decimal string from an environment
 * variable or a flag). Anything else is an EngineInputError (code BAD_THREADS) naming `field`.
 */
export function resolveThreads(value: unknown, field = "threads"): number {
  if (value === undefined || value === null || value === "") return defaultThreads();
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > THREADS_MAX) {
    throw new EngineInputError("BAD_THREADS", field, `expected ${field} to be an integer in 1..${THREADS_MAX}, got ${JSON.stringify(value)}`);
  }
  return n;
}

interface Task {
  id: number;
  kernel: KernelName;
  args: unknown;
  transfer: ArrayBuffer[];
  onProgress: ProgressFn | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Reply =
  | { id: number; type: "progress"; phase: string; done: number; total: number }
  | { id: number; type: "done"; result: unknown }
  | { id: number; type: "error"; name: string; message: string; code?: string; field?: string };

function spawn(): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    // From source (vitest): the TypeScript worker through tsx.
    const target = new URL("./worker.ts", here).href;
    return new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(target)}); });`, { eval: true });
  }
  return new Worker(new URL("./worker.js", here));
}

export interface ThreadPoolOptions {
  /** Stops every thread and rejects every task when aborted (a cancelled job). */
  signal?: AbortSignal;
}

export class ThreadPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;
  private readonly onAbort: () => void;

  constructor(
    threads: number,
    private readonly options: ThreadPoolOptions = {},
  ) {
    this.threads = resolveThreads(threads);
    this.onAbort = () => this.fail(options.signal!.reason instanceof Error ? options.signal!.reason : new Error("thread pool aborted"));
    options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /**
   * Runs kernel(args) on a thread. `transfer`: buffers of args handed over without a copy (the caller must
   * not use them after). Progress of the kernel is forwarded, at most every 100 ms per task.
   */
  run<K extends KernelName>(kernel: K, args: KernelArgs<K>, opts: { transfer?: ArrayBuffer[]; onProgress?: ProgressFn } = {}): Promise<KernelResult<K>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("thread pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kernel, args, transfer: opts.transfer ?? [], onProgress: opts.onProgress, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stops the threads (running tasks are rejected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    for (const task of this.queue.splice(0)) task.reject(new Error("thread pool closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.threads) worker = this.start();
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.postMessage({ id: task.id, kernel: task.kernel, args: task.args }, task.transfer);
    }
  }

  private start(): Worker {
    const worker = spawn();
    this.workers.push(worker);
    worker.on("message", (msg: Reply) => {
      const task = this.busy.get(worker);
      if (!task || task.id !== msg.id) return;
      if (msg.type === "progress") {
        task.onProgress?.(msg.phase, msg.done, msg.total);
        return;
      }
      this.busy.delete(worker);
      this.idle.push(worker);
      if (msg.type === "done") task.resolve(msg.result);
      else {
        const err = msg.code !== undefined ? new EngineInputError(msg.code, msg.field ?? "", msg.message) : Object.assign(new Error(msg.message), { name: msg.name });
        task.reject(err);
      }
      this.dispatch();
    });
    worker.on("error", (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(new Error(`engine thread exited with code ${code}`));
    });
    return worker;
  }

  /** A thread died or the signal fired: every task fails, every thread stops. */
  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    for (const task of this.busy.values()) task.reject(error);
    this.busy.clear();
    for (const task of this.queue.splice(0)) task.reject(error);
    void this.close();
  }
}
