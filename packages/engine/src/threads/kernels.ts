// The kernels a pool thread runs: the engine's pure steps, named. Each takes plain, structured-clone
// friendly arguments and returns the same. Shared by the worker (which calls them) and the pool (whose
// run() is typed by them); importing this file imports no node: module.
import { analyzeClassLayout, type ClassLayout, type ClassLayoutTask, type ResolvedAnalyzeParams } from "../analyze.js";
import { selectClass, type ClassSelection } from "../select/select.js";
import type { ResolvedParams, SelectInput } from "../select/types.js";
import type { Points, ProgressFn } from "../types.js";

export interface Kernels {
  /** Pass 1 of the analysis for one class (PCA → layout → DBSCAN fragments + the kNN graph). */
  classLayout(args: { points: Points; task: ClassLayoutTask; resolved: ResolvedAnalyzeParams }, onProgress: ProgressFn): ClassLayout;
  /** One class's selection (the strategy over that class's rows). */
  selectClass(args: { input: SelectInput; resolved: ResolvedParams; label: string; classIndex: number; rows: Int32Array }, onProgress: ProgressFn): ClassSelection;
}

export type KernelName = keyof Kernels;
export type KernelArgs<K extends KernelName> = Parameters<Kernels[K]>[0];
export type KernelResult<K extends KernelName> = ReturnType<Kernels[K]>;

export const kernels: Kernels = {
  classLayout: ({ points, task, resolved }, onProgress) => analyzeClassLayout(points, task, resolved, onProgress),
  selectClass: ({ input, resolved, label, classIndex, rows }, onProgress) => selectClass(input, resolved, label, classIndex, rows, onProgress),
};
