// The kernels a pool thread runs: the engine's pure steps, named. Each takes plain, structured-clone
// friendly arguments and returns the same. Shared by the worker (which calls them) and the pool (whose
// run() is typed by them); importing this file imports no node: module.
import { analyzeClassLayout, type ClassLayout, type ClassLayoutTask, type ResolvedAnalyzeParams } from "../analyze.js";
import { adoptSharedMatrix } from "../select/dot-kernel.js";
import { selectClass, type ClassSelection } from "../select/select.js";
import type { ResolvedParams, SelectInput } from "../select/types.js";
import type { MetadataColumns, Points, ProgressFn } from "../types.js";

/**
 * A class of a matrix the threads share (a SharedArrayBuffer: no copy is sent): the whole matrix, the
 * class's rows of it, and the class's metadata values and groups in the order of those rows.
 */
export interface SharedClassSelect {
  /** The whole matrix (data on a SharedArrayBuffer). */
  points: Points;
  /** allocateSharedMatrix's WebAssembly memory holding points.data, when it is one (the dot kernel reads rows in place). */
  memory: object | null;
  resolved: ResolvedParams;
  label: string;
  classIndex: number;
  /** The class's rows of points, ascending. */
  rows: Int32Array;
  /** Value i is row rows[i]'s (only the columns the strategy reads). */
  metadata?: MetadataColumns;
  /** Value i is row rows[i]'s group. */
  groups?: Int32Array;
}

export interface Kernels {
  /** Pass 1 of the analysis for one class (PCA → layout → DBSCAN fragments + the kNN graph). `memory`: see SharedClassSelect. */
  classLayout(args: { points: Points; task: ClassLayoutTask; resolved: ResolvedAnalyzeParams; memory?: object | null }, onProgress: ProgressFn): ClassLayout;
  /** One class's selection (the strategy over that class's rows). */
  selectClass(args: { input: SelectInput; resolved: ResolvedParams; label: string; classIndex: number; rows: Int32Array }, onProgress: ProgressFn): ClassSelection;
  /** One class's selection over a shared matrix: picks are rows of the whole matrix. */
  selectSharedClass(args: SharedClassSelect, onProgress: ProgressFn): ClassSelection;
}

export type KernelName = keyof Kernels;
export type KernelArgs<K extends KernelName> = Parameters<Kernels[K]>[0];
export type KernelResult<K extends KernelName> = ReturnType<Kernels[K]>;

/** points with its data adopted as a shared matrix of this thread (when memory is given). */
function adopted(points: Points, memory: object | null | undefined): Points {
  const data = memory ? adoptSharedMatrix(memory, points.data) : null;
  return data ? { ...points, data } : points;
}

/**
 * selectClass over a class of a shared matrix. The strategies read points, metadata and groups at the
 * class's rows only, so the class's values are put back at those rows of full-length columns (holes
 * elsewhere): the picks and every number are those of selectClass on the whole input.
 */
function selectSharedClass(args: SharedClassSelect, onProgress: ProgressFn): ClassSelection {
  const points = adopted(args.points, args.memory);
  const { n } = points;
  const { rows } = args;
  const input: SelectInput = { points, labels: [], ids: [] };
  if (args.metadata) {
    const metadata: Record<string, (string | null)[]> = {};
    for (const [name, local] of Object.entries(args.metadata)) {
      const col = new Array<string | null>(n);
      for (let r = 0; r < rows.length; r++) col[rows[r]!] = local[r] ?? null;
      metadata[name] = col;
    }
    input.metadata = metadata;
  }
  if (args.groups) {
    const groups = new Int32Array(n).fill(-1);
    for (let r = 0; r < rows.length; r++) groups[rows[r]!] = args.groups[r]!;
    input.groups = groups;
  }
  return selectClass(input, args.resolved, args.label, args.classIndex, rows, onProgress);
}

export const kernels: Kernels = {
  classLayout: ({ points, task, resolved, memory }, onProgress) => analyzeClassLayout(adopted(points, memory), task, resolved, onProgress),
  selectClass: ({ input, resolved, label, classIndex, rows }, onProgress) => selectClass(input, resolved, label, classIndex, rows, onProgress),
  selectSharedClass,
};
