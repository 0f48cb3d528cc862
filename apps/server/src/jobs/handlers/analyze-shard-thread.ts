// Worker thread for one analysis shard (analyze-shards.ts): the engine's pass 1 for one class is minutes
// of synchronous work at scale, and a job's heartbeat is a timer on the main thread. Run there, it would
// starve the heartbeat and the other workers' reapers would take the shard away mid-run; here the main
// thread keeps beating (and reading cancellation) while this thread computes.
import { parentPort, workerData } from "node:worker_threads";
import * as engine from "@stratum/engine";

interface ShardThreadInput {
  points: { data: Float32Array; n: number; dim: number };
  task: engine.ClassLayoutTask;
  resolved: engine.ResolvedAnalyzeParams;
}

const { points, task, resolved } = workerData as ShardThreadInput;
let last = 0;
const layout = engine.analyzeClassLayout(points, task, resolved, (phase, done, total) => {
  const now = Date.now();
  if (done === total || now - last >= 100) {
    last = now;
    parentPort!.postMessage({ type: "progress", phase, done, total });
  }
});
// Copied, not transferred: a class's layout and graph are tens of MB, a moment against the layout itself.
parentPort!.postMessage({ type: "done", layout });
