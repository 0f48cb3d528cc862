// ANALYZE split per class (issue 13, scale-out): pass 1 of the engine's analysis (PCA → layout →
// DBSCAN fragments and the kNN graph) is independent per class, so on a large version each class is a
// shard job that any worker takes (jobs/shards.ts); the parent then runs pass 2 (the merge, which looks
// across classes, and the associations) over every class's layout and writes the analysis as before.
// The engine functions are the ones analyze() itself is made of, so a sharded analysis equals the
// unsharded one byte for byte (tested in __tests__/shards.test.ts).
import { deserialize, serialize } from "node:v8";
import { Worker } from "node:worker_threads";
import * as engine from "@stratum/engine";
import type { EmbeddingMatrix } from "@stratum/db";
import type { JobContext } from "../types.js";
import { JobInputError } from "../types.js";

type Input = { points: { data: Float32Array; n: number; dim: number }; labels: string[]; metadata: Record<string, (string | null)[]> };

function inputOf(m: EmbeddingMatrix): Input {
  return { points: { data: m.points, n: m.n, dim: m.dim }, labels: m.labels, metadata: m.metadata };
}

/**
 * In a shard job: one class's pass 1, stored as the shard's output with its SUCCEEDED mark. It loads that
 * class's rows only (so a shard holds 1/classes of the matrix) and hands them to the thread without a copy.
 */
export async function runAnalyzeShard(
  ctx: JobContext,
  labelsOf: () => Promise<{ n: number; labels: string[] }>,
  loadClass: (label: string) => Promise<EmbeddingMatrix>,
  params: engine.AnalyzeParams,
  label: string,
): Promise<void> {
  // The class's generator is picked by its place among all classes (engine classSeed), as unsharded.
  const classIndex = (await labelsOf()).labels.indexOf(label);
  if (classIndex < 0) throw new JobInputError("NOT_FOUND", "shard", `class "${label}" has no rows in this embedding set`);
  const m = await loadClass(label);
  const plan = engine.planAnalysis(inputOf(m), params);
  const only = plan.tasks[0];
  if (plan.tasks.length !== 1 || !only) throw new Error(`analysis shard "${label}": expected the rows of one class, got ${plan.tasks.length} classes`);
  const layout = await layoutInThread(ctx, { data: m.points, n: m.n, dim: m.dim }, { ...only, classIndex }, plan.resolved);
  await ctx.step();
  // v8's structured serialisation keeps the typed arrays as they are (no JSON, no base64). Its rows are
  // the class's own 0..m−1; the parent puts back the pool's row numbers.
  await ctx.shards.commitOutput(serialize(layout), { label, rows: m.n });
}

/**
 * In the parent: whether to shard (rows ≥ ctx.shards.minRows and ≥ 2 classes), and if so the findings from
 * the shards' layouts; null means analyse in this process as usual.
 */
export async function analyzeSharded(
  ctx: JobContext,
  labelsOf: () => Promise<{ n: number; labels: string[] }>,
  load: () => Promise<EmbeddingMatrix>,
  params: engine.AnalyzeParams,
): Promise<{ m: EmbeddingMatrix; findings: engine.Findings; shards: number } | null> {
  const { n, labels } = await labelsOf();
  if (n < ctx.shards.minRows || labels.length < 2) return null;
  // The matrix is loaded after the shards: a parent that runs a shard itself holds one copy, not two.
  const outputs = await ctx.shards.run(labels.map((label) => ({ key: label })));
  const m = await load();
  const input = inputOf(m);
  const plan = engine.planAnalysis(input, params);
  const layouts = plan.tasks.map((task) => {
    const bytes = outputs.get(task.label);
    if (!bytes) throw new Error(`analysis shard for class "${task.label}" is missing (the version changed while it ran?)`);
    const layout = deserialize(bytes) as engine.ClassLayout;
    if (layout.m !== task.rows.length) throw new Error(`analysis shard for class "${task.label}" has ${layout.m} rows, the version ${task.rows.length}`);
    return { ...layout, rows: task.rows };
  });
  outputs.clear();
  const findings = engine.finishAnalysis(input, plan, layouts, (phase, done, total) => ctx.progress(phase, done, total));
  return { m, findings, shards: layouts.length };
}

/**
 * analyzeClassLayout in a worker thread (analyze-shard-thread.ts), so this thread keeps the shard's
 * heartbeat going; the thread is stopped when the job is cancelled or loses its lease.
 */
function layoutInThread(
  ctx: JobContext,
  points: { data: Float32Array; n: number; dim: number },
  task: engine.ClassLayoutTask,
  resolved: engine.ResolvedAnalyzeParams,
): Promise<engine.ClassLayout> {
  // Transferred, not copied: the caller is done with the class's matrix.
  const thread = new Worker(new URL("./analyze-shard-thread.js", import.meta.url), {
    workerData: { points, task, resolved },
    transferList: [points.data.buffer as ArrayBuffer],
  });
  return new Promise((resolve, reject) => {
    const stop = () => void thread.terminate();
    ctx.signal.addEventListener("abort", stop, { once: true });
    const settle = () => ctx.signal.removeEventListener("abort", stop);
    thread.on("message", (msg: { type: "progress"; phase: string; done: number; total: number } | { type: "done"; layout: engine.ClassLayout }) => {
      if (msg.type === "progress") ctx.progress(msg.phase, msg.done, msg.total);
      else {
        settle();
        resolve(msg.layout);
      }
    });
    thread.on("error", (e) => {
      settle();
      reject(e);
    });
    thread.on("exit", (code) => {
      settle();
      if (ctx.signal.aborted) reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error("shard stopped"));
      else if (code !== 0) reject(new Error(`analysis shard thread exited with code ${code}`));
    });
  });
}
