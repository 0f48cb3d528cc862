// One pool thread (pool.ts): runs kernels (kernels.ts) on request, one at a time, until the pool closes.
// Messages in: { id, kernel, args }. Out: { id, type: "progress" | "done" | "error", ... }. Results go
// back with their typed arrays transferred (the thread keeps nothing).
import { parentPort } from "node:worker_threads";
import { EngineInputError } from "../types.js";
import { kernels, type KernelName } from "./kernels.js";
import { buffersOf } from "./transfer.js";

const PROGRESS_MS = 100;

parentPort!.on("message", (msg: { id: number; kernel: KernelName; args: never }) => {
  const { id, kernel, args } = msg;
  let last = 0;
  const onProgress = (phase: string, done: number, total: number) => {
    const now = Date.now();
    if (done === total || now - last >= PROGRESS_MS) {
      last = now;
      parentPort!.postMessage({ id, type: "progress", phase, done, total });
    }
  };
  try {
    const fn = kernels[kernel] as (a: never, p: typeof onProgress) => unknown;
    if (typeof fn !== "function") throw new Error(`engine thread: unknown kernel "${String(kernel)}"`);
    const result = fn(args, onProgress);
    parentPort!.postMessage({ id, type: "done", result }, buffersOf(result));
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({
      id,
      type: "error",
      name: err?.name ?? "Error",
      message: err?.message ?? String(e),
      ...(e instanceof EngineInputError ? { code: e.code, field: e.field } : {}),
    });
  }
});
