import type { Points, ProgressFn } from "../types.js";
import type { ResolvedParams, SelectInput } from "./types.js";

/** What a per-class strategy sees. */
export interface StrategyContext {
  input: SelectInput;
  points: Points;
  params: ResolvedParams;
  seed: number;
  label: string;
  /** Position of this class in sorted label order. */
  classIndex: number;
  /** Rows of this class, ascending. */
  rows: Int32Array;
  /** How many to pick: min(perClass, rows available). */
  budget: number;
  onProgress?: ProgressFn;
}
