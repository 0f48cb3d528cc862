// The engine's analysis and selection on several threads, with the same result as on one, byte for
// byte: the work is split into fixed parts that do not depend on the thread count (one part per class:
// classes draw from their own generators), each part runs the same pure kernel as analyze()/select(),
// and the parts are reduced in their fixed order (finishAnalysis / finishSelection) on the calling thread.
// threads = 1 runs the engine in-process, exactly analyze() / select() / selectConstrained().
import { analyze, finishAnalysis, planAnalysis, type AnalyzeInput, type AnalyzeParams, type ClassLayout, type Findings } from "../analyze.js";
import { finishConstrained, planConstrained, type ConstrainedSelectionResult, type SelectConstraints } from "../select/constrained.js";
import { finishSelection, resolveParams, select, splitByClass, validateInput, type ClassSelection } from "../select/select.js";
import type { SelectInput, SelectParams, SelectionResult } from "../select/types.js";
import { rowsOf } from "../select/constrained.js";
import { sharedMatrixMemory } from "../select/dot-kernel.js";
import type { MetadataColumns, Points, ProgressFn } from "../types.js";
import { ThreadPool, resolveThreads } from "./pool.js";

export interface ThreadOptions {
  /** Threads to use, 1..64 (default: the cores available). */
  threads?: number;
  onProgress?: ProgressFn;
  /** Stops the threads (a cancelled job); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A pool to run on (kept open); default: one for this call, closed at the end. */
  pool?: ThreadPool;
}

/** Runs fn(i) for i in 0..count−1, at most `limit` at once, largest `weight` first; results by index. */
async function forEachLimited<T>(count: number, limit: number, weight: (i: number) => number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => weight(b) - weight(a) || a - b);
  const out = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < order.length) {
      const i = order[next++]!;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return out;
}

async function withPool<T>(threads: number, options: ThreadOptions, fn: (pool: ThreadPool) => Promise<T>): Promise<T> {
  if (options.pool) return fn(options.pool);
  const pool = new ThreadPool(threads, options.signal ? { signal: options.signal } : {});
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

/** Progress from several threads, forwarded at most every 200 ms (and at every phase's end). */
function throttled(onProgress: ProgressFn | undefined): ProgressFn | undefined {
  if (!onProgress) return undefined;
  let last = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (done === total || now - last >= 200) {
      last = now;
      onProgress(phase, done, total);
    }
  };
}

/**
 * Whether the matrix is on a SharedArrayBuffer (e.g. @stratum/engine allocateSharedMatrix, or
 * @stratum/db loadEmbeddingMatrix with `allocate`): then every thread reads it in place and a class is
 * sent as its row indices, not as a copy of its rows.
 */
export function isSharedMatrix(points: Points): boolean {
  return typeof SharedArrayBuffer === "function" && points.data.buffer instanceof SharedArrayBuffer;
}

/** The rows of points at rows, as a new matrix of the same type (its buffer is the caller's to transfer). */
function pointsAt(points: Points, rows: Int32Array): Points {
  const { dim, data } = points;
  const out = new (data instanceof Float64Array ? Float64Array : Float32Array)(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  return { data: out, n: rows.length, dim };
}

/**
 * analyze() with each class's pass 1 (PCA → layout → DBSCAN → kNN graph) on its own thread; pass 2
 * (the merge, which looks across classes, and the associations) on this thread. Same Findings as analyze().
 * A shared matrix (isSharedMatrix) is read in place by every thread; otherwise a thread holds a copy of
 * its class's rows only. At most `threads` classes are in flight.
 */
export async function analyzeThreaded(input: AnalyzeInput, params: AnalyzeParams = {}, options: ThreadOptions = {}): Promise<Findings> {
  const threads = resolveThreads(options.threads);
  const plan = planAnalysis(input, params);
  if (threads === 1 || plan.tasks.length < 2) return analyze(input, params, options.onProgress);
  const progress = throttled(options.onProgress);
  const layouts = await withPool(Math.min(threads, plan.tasks.length), options, (pool) =>
    forEachLimited(plan.tasks.length, pool.threads, (i) => plan.tasks[i]!.rows.length, async (i): Promise<ClassLayout> => {
      const task = plan.tasks[i]!;
      if (isSharedMatrix(input.points)) {
        // the shared matrix and the class's rows (PCA reads them in place: pca rows, same bytes)
        return pool.run("classLayout", { points: input.points, task, resolved: plan.resolved, memory: sharedMatrixMemory(input.points.data) }, {
          ...(progress ? { onProgress: progress } : {}),
        });
      }
      const points = pointsAt(input.points, task.rows);
      // the class's own matrix: rows 0..m−1 of it, as an analysis shard (same bytes; tested)
      const local = { ...task, rows: Int32Array.from({ length: task.rows.length }, (_, r) => r) };
      const layout = await pool.run("classLayout", { points, task: local, resolved: plan.resolved }, {
        transfer: [points.data.buffer as ArrayBuffer],
        ...(progress ? { onProgress: progress } : {}),
      });
      return { ...layout, rows: task.rows };
    }),
  );
  return finishAnalysis(input, plan, layouts, options.onProgress);
}

/**
 * What a strategy reads besides the points, at a class's rows: the metadata columns its parameters name
 * (declared confounders, the stratification column) and the groups.
 */
function classColumns(input: SelectInput, resolved: ReturnType<typeof resolveParams>, rows: Int32Array): { metadata?: MetadataColumns; groups?: Int32Array } {
  const names = [...(resolved.declared ?? []), ...(resolved.stratifyColumn !== undefined ? [resolved.stratifyColumn] : [])];
  const out: { metadata?: MetadataColumns; groups?: Int32Array } = {};
  if (input.metadata && names.length) {
    const metadata: Record<string, (string | null)[]> = {};
    for (const name of names) {
      const col = input.metadata[name];
      if (col) metadata[name] = Array.from(rows, (r) => col[r] ?? null);
    }
    out.metadata = metadata;
  }
  if (input.groups) out.groups = Int32Array.from(rows, (r) => input.groups![r]!);
  return out;
}

/**
 * Each class's selection on a pool thread, over that class's rows only; picks mapped back to input rows.
 * A shared matrix goes as it is with the class's rows (no copy); otherwise as a copy of the class.
 */
async function classSelections(pool: ThreadPool, input: SelectInput, resolved: ReturnType<typeof resolveParams>, progress: ProgressFn | undefined): Promise<ClassSelection[]> {
  const classes = splitByClass(input.labels);
  let finished = 0;
  progress?.("select", 0, classes.length);
  return forEachLimited(classes.length, pool.threads, (i) => classes[i]!.rows.length, async (classIndex) => {
    const { label, rows } = classes[classIndex]!;
    if (isSharedMatrix(input.points)) {
      const c = await pool.run("selectSharedClass", {
        points: input.points,
        memory: sharedMatrixMemory(input.points.data),
        resolved,
        label,
        classIndex,
        rows,
        ...classColumns(input, resolved, rows),
      });
      progress?.("select", ++finished, classes.length);
      return c;
    }
    const sub = rowsOf(input, rows);
    const local = Int32Array.from({ length: rows.length }, (_, r) => r);
    const c = await pool.run("selectClass", { input: sub, resolved, label, classIndex, rows: local }, { transfer: [sub.points.data.buffer as ArrayBuffer] });
    progress?.("select", ++finished, classes.length);
    return { ...c, picks: c.picks.map((p) => ({ ...p, row: rows[p.row]! })) };
  });
}

/** select() with each class on its own thread. Same result and manifest hash as select(). */
export async function selectThreaded(input: SelectInput, params: SelectParams, options: ThreadOptions = {}): Promise<SelectionResult> {
  const threads = resolveThreads(options.threads);
  const resolved = resolveParams(params, input);
  validateInput(input, resolved.strategy === "confounder-aware");
  const classCount = splitByClass(input.labels).length;
  if (threads === 1 || classCount < 2) return select(input, params, options.onProgress);
  const results = await withPool(Math.min(threads, classCount), options, (pool) => classSelections(pool, input, resolved, options.onProgress));
  return finishSelection(input, resolved, results);
}

/** selectConstrained() with each class of each of its select() calls on a thread. Same result. */
export async function selectConstrainedThreaded(
  input: SelectInput,
  params: SelectParams,
  constraints: SelectConstraints = {},
  options: ThreadOptions = {},
): Promise<ConstrainedSelectionResult> {
  const threads = resolveThreads(options.threads);
  const plan = planConstrained(input, params, constraints);
  const results: SelectionResult[] = [];
  if (threads === 1) {
    for (const call of plan.calls) results.push(select(call.input, call.params, options.onProgress));
  } else {
    await withPool(threads, options, async (pool) => {
      for (const call of plan.calls) results.push(await selectThreaded(call.input, call.params, { ...options, pool }));
    });
  }
  return finishConstrained(input, plan, results, constraints);
}



