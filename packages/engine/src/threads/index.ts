// @stratum/engine/threads: the engine on every core (node only: node:worker_threads, node:os). The
// engine's pure core never imports this folder; this folder imports the core. See README "Threads".
export { ThreadPool, defaultThreads, resolveThreads, THREADS_MAX, type ThreadPoolOptions } from "./pool.js";
export { analyzeThreaded, selectThreaded, selectConstrainedThreaded, isSharedMatrix, type ThreadOptions } from "./parallel.js";
export { allocateSharedMatrix } from "../select/dot-kernel.js";
export type { KernelName, KernelArgs, KernelResult, Kernels } from "./kernels.js";
