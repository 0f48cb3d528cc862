// The selection contract shared by the server, the workers and the CLI. Keep names and shapes stable.
import type { MetadataColumns, Points } from "../types.js";

// The closed sets are declared with the parameters (../params.ts: STRATEGIES from STRATEGY_TEXT, with
// each strategy's label and hint); re-exported here for the engine's own code.
export { ALLOCATIONS, KERNELS, NOISE_HANDLING, STRATEGIES, WITHIN_GROUP } from "../params.js";
export type { Allocation, Kernel, NoiseHandling, Strategy, WithinGroup } from "../params.js";
import type { Allocation, Kernel, NoiseHandling, Strategy, WithinGroup } from "../params.js";

export interface SelectInput {
  /** n rows. */
  points: Points;
  /** Class of each row. */
  labels: ReadonlyArray<string>;
  /** Stable external id of each row. */
  ids: ReadonlyArray<string>;
  /** Metadata columns, for `stratified`. */
  metadata?: MetadataColumns;
  /**
   * Per row: confounder group within its class (0..k−1), −1 = noise, −2 = rest (rows of no confounder
   * group that are not outliers, e.g. of a group a curator rejected). Required by confounder-aware.
   */
  groups?: Int32Array;
}

export interface SelectParams {
  strategy: Strategy;
  /** Budget per class, a positive integer. */
  perClass: number;
  /** Seed of every random choice; default 0. */
  seed?: number;
  /** confounder-aware: how each class's budget is shared across its groups; default proportional. */
  allocation?: Allocation;
  /**
   * confounder-aware: how to pick inside a group; default facility-location (the group's most
   * representative rows, RBF kernel with one bandwidth per class). quantile: one seeded draw per
   * band of distance to the group's centre; nearest: closest to the centre; kcenter: farthest-first.
   */
  withinGroup?: WithinGroup;
  /** confounder-aware: noise points form a group of their own, or are left out; default own-group. */
  noise?: NoiseHandling;
  /**
   * confounder-aware: metadata columns (of SelectInput.metadata) declared as known confounders. Each
   * class's budget is first shared across the cells of these columns (every combination of their
   * levels present in the class; null or "" is a level of its own) by the allocation rule, then inside
   * each cell across the discovered groups restricted to the cell, by the same rule. Empty or absent:
   * one cell, the behaviour without declared confounders.
   */
  declared?: string[];
  /** stratified: the metadata column to stratify by. */
  stratifyColumn?: string;
  /** facility-location: similarity kernel; default rbf (median-heuristic bandwidth). */
  kernel?: Kernel;
}

/**
 * Parameters with every default filled in, keys in this canonical order. Only the keys that the
 * strategy uses are present (e.g. `allocation` only for confounder-aware).
 */
export interface ResolvedParams {
  strategy: Strategy;
  perClass: number;
  seed: number;
  allocation?: Allocation;
  withinGroup?: WithinGroup;
  noise?: NoiseHandling;
  /** Present only when at least one column is declared. */
  declared?: string[];
  stratifyColumn?: string;
  kernel?: Kernel;
}

export interface SelectedItem {
  /** Row index in the input. */
  row: number;
  id: string;
  label: string;
  /** Group the item was drawn from (confounder group, −1 for noise; stratum index for stratified), else null. */
  group: number | null;
  /** Readable group key ("pneumonia/g2", "pneumonia/noise", "site=A"), else null. */
  groupKey: string | null;
  /** 0..m−1 over the whole selection. */
  rank: number;
  /** Why it was chosen, for people. */
  reason: string;
}

export interface GroupAllocation {
  group: number;
  pool: number;
  share: number;
  /** confounder-aware with declared columns: the cell the share belongs to, e.g. "site=A" or "site=A, scanner=X". */
  cell?: string;
}

/** confounder-aware with declared columns: one cell of the declared levels within a class. */
export interface CellAllocation {
  cell: string;
  /** The cell's level per declared column, in declared order (null = missing). */
  levels: (string | null)[];
  pool: number;
  share: number;
}

export interface ClassSummary {
  label: string;
  /** Rows of this class in the input. */
  pool: number;
  selected: number;
  /** confounder-aware and stratified: per group, its pool size and its share of the budget. */
  allocation?: GroupAllocation[];
  /** confounder-aware with declared columns: the first level of the allocation, per cell. */
  cells?: CellAllocation[];
}

export interface SelectionResult {
  strategy: Strategy;
  params: ResolvedParams;
  seed: number;
  /** rank 0..m−1: classes in sorted label order, each class in the strategy's pick order. */
  selected: SelectedItem[];
  perClass: ClassSummary[];
  /** E.g. `class "x" has 7 samples < N = 10; all taken`. */
  warnings: string[];
  /** "sha256:<hex>", see manifestHash(). */
  manifestHash: string;
}

/** One pick of a per-class strategy, before ranks are assigned. */
export interface StrategyPick {
  row: number;
  group: number | null;
  groupKey: string | null;
  reason: string;
}
