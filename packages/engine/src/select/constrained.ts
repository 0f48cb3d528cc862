// selectConstrained(input, params, constraints): select() over a restricted pool, with rows left out
// and rows that must be taken (issue 14: saved subsets and quality exclusions used by runs).
//
// Rules, in this order:
//   1. The candidates are the pool rows (every row without a pool), minus the excluded rows, minus the
//      must-include rows.
//   2. A must-include row is always selected, also when it is excluded or outside the pool: a curator
//      named it explicitly, an exclusion is a rule. It counts against its class's budget; more
//      must-include rows in a class than perClass is an EngineInputError (INCLUDE_OVER_BUDGET, "include").
//   3. The strategy runs on the candidates with each class's remaining budget. Classes that share a
//      remaining budget run in one select() call (without must-include rows that is one call over all
//      candidates, so a run with empty constraints equals plain select() on its candidates).
//   4. Items: per class (sorted label order) the must-include rows first (by id, byte order), then the
//      strategy's picks in their order; ranks 0..m−1 over the whole selection; the manifest hash as
//      select()'s. Without any constraint the result is select()'s, byte for byte.
import { sha256Hex } from "../sha256.js";
import { EngineInputError, type ProgressFn } from "../types.js";
import { compareStrings } from "./common.js";
import { manifestHash } from "./manifest.js";
import { resolveParams, select, splitByClass, validateInput } from "./select.js";
import type { ClassSummary, SelectInput, SelectParams, SelectedItem, SelectionResult } from "./types.js";

export interface SelectConstraints {
  /** Rows the strategy may choose from; absent: every row. */
  pool?: ArrayLike<number>;
  /** Rows never chosen by the strategy. */
  exclude?: ArrayLike<number>;
  /** Rows that are always selected and count against their class's budget. */
  include?: ArrayLike<number>;
  /** Reason recorded for a must-include row; default "must include". */
  includeReason?: (row: number) => string;
}

export interface ConstrainedClassSummary extends ClassSummary {
  /** Must-include rows of the class (part of `selected`). */
  included: number;
}

export interface ConstrainedSelectionResult extends SelectionResult {
  perClass: ConstrainedClassSummary[];
  /** Rows the selection was made over: candidates and must-include rows, ascending (for metrics). */
  poolRows: Int32Array;
  /** Counts as applied: excluded rows that were candidates otherwise, must-include rows. */
  counts: { pool: number; excluded: number; included: number };
}

function rowSet(field: string, rows: ArrayLike<number> | undefined, n: number): Uint8Array | null {
  if (rows === undefined) return null;
  const mask = new Uint8Array(n);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new EngineInputError("BAD_ROW", field, `expected ${field} rows in 0..${n - 1}, got ${r} at position ${k}`);
    mask[r] = 1;
  }
  return mask;
}

/** The rows of `input` at `rows`, in that order (points copied, metadata and groups sliced). */
export function rowsOf(input: SelectInput, at: ArrayLike<number>): SelectInput {
  const rows = Array.from(at);
  const { dim, data } = input.points;
  const out = new (data instanceof Float64Array ? Float64Array : Float32Array)(rows.length * dim);
  rows.forEach((r, i) => out.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
  const metadata: Record<string, (string | null)[]> = {};
  for (const [name, col] of Object.entries(input.metadata ?? {})) metadata[name] = rows.map((r) => col[r] ?? null);
  return {
    points: { data: out, n: rows.length, dim },
    labels: rows.map((r) => input.labels[r]!),
    ids: rows.map((r) => input.ids[r]!),
    ...(input.metadata ? { metadata } : {}),
    ...(input.groups ? { groups: Int32Array.from(rows, (r) => input.groups![r]!) } : {}),
  };
}

/**
 * What selectConstrained does before any strategy runs: checked params and constraints, each class's
 * must-include rows and candidates, and the select() calls to make (`calls`, in order; their inputs are
 * row subsets of the input, `rows` maps a call's rows back). Plain data: the calls may run on other
 * threads (@stratum/engine/threads) and come back to finishConstrained in the same order.
 */
export interface ConstrainedPlan {
  resolved: ReturnType<typeof resolveParams>;
  /** No constraint at all: the one call is select() on the input itself. */
  plain: boolean;
  classes: { label: string; included: number[]; candidates: number[]; budget: number }[];
  excluded: number;
  calls: { input: SelectInput; params: SelectParams; rows: number[] | null }[];
}

export function planConstrained(input: SelectInput, params: SelectParams, constraints: SelectConstraints = {}): ConstrainedPlan {
  const resolved = resolveParams(params, input);
  validateInput(input, resolved.strategy === "confounder-aware");
  const n = input.points.n;
  const pool = rowSet("pool", constraints.pool, n);
  const exclude = rowSet("exclude", constraints.exclude, n);
  const include = rowSet("include", constraints.include, n);
  if (!pool && !exclude && !include) return { resolved, plain: true, classes: [], excluded: 0, calls: [{ input, params, rows: null }] };
  const classes = splitByClass(input.labels);
  let excluded = 0;
  const perClassPlan = classes.map(({ label, rows }) => {
    const included: number[] = [];
    const candidates: number[] = [];
    for (const r of rows) {
      if (include?.[r]) included.push(r);
      else if (pool && !pool[r]) continue;
      else if (exclude?.[r]) excluded++;
      else candidates.push(r);
    }
    if (included.length > resolved.perClass) {
      throw new EngineInputError(
        "INCLUDE_OVER_BUDGET",
        "include",
        `expected at most perClass = ${resolved.perClass} must-include samples in class "${label}", got ${included.length}`,
      );
    }
    included.sort((a, b) => compareStrings(input.ids[a]!, input.ids[b]!));
    return { label, included, candidates, budget: resolved.perClass - included.length };
  });
  // One select() per distinct remaining budget (one call when nothing is included).
  const budgets = [...new Set(perClassPlan.filter((c) => c.budget > 0 && c.candidates.length > 0).map((c) => c.budget))].sort((a, b) => b - a);
  const calls = budgets.map((budget) => {
    const rows = perClassPlan.filter((c) => c.budget === budget && c.candidates.length > 0).flatMap((c) => c.candidates);
    return { input: rowsOf(input, rows), params: { ...params, perClass: budget }, rows };
  });
  return { resolved, plain: false, classes: perClassPlan, excluded, calls };
}

/** The constrained result from the plan's calls' results (in plan order). */
export function finishConstrained(input: SelectInput, plan: ConstrainedPlan, results: ReadonlyArray<SelectionResult>, constraints: SelectConstraints = {}): ConstrainedSelectionResult {
  const { resolved } = plan;
  const n = input.points.n;
  if (results.length !== plan.calls.length) throw new Error(`finishConstrained: expected ${plan.calls.length} results, got ${results.length}`);
  if (plan.plain) {
    const plain = results[0]!;
    return {
      ...plain,
      perClass: plain.perClass.map((c) => ({ ...c, included: 0 })),
      poolRows: Int32Array.from({ length: n }, (_, i) => i),
      counts: { pool: n, excluded: 0, included: 0 },
    };
  }
  const reasonOf = constraints.includeReason ?? (() => "must include");
  const warnings: string[] = [];
  const picked = new Map<string, SelectionResult["selected"]>();
  const summaries = new Map<string, ClassSummary>();
  plan.calls.forEach(({ rows }, k) => {
    const sub = results[k]!;
    for (const it of sub.selected) {
      const list = picked.get(it.label) ?? [];
      list.push({ ...it, row: rows![it.row]! });
      picked.set(it.label, list);
    }
    for (const c of sub.perClass) summaries.set(c.label, c);
    warnings.push(...sub.warnings);
  });
  const selected: SelectedItem[] = [];
  const perClass: ConstrainedClassSummary[] = [];
  for (const c of plan.classes) {
    for (const row of c.included) {
      selected.push({ row, id: input.ids[row]!, label: c.label, group: null, groupKey: "include", rank: selected.length, reason: reasonOf(row) });
    }
    for (const it of picked.get(c.label) ?? []) selected.push({ ...it, rank: selected.length });
    const chosen = (picked.get(c.label) ?? []).length;
    if (c.candidates.length === 0 && c.included.length === 0) warnings.push(`class "${c.label}" has no samples left in the pool; none taken`);
    if (c.included.length > 0) warnings.push(`class "${c.label}": ${c.included.length} must-include of N = ${resolved.perClass}; the strategy chose ${chosen} more`);
    const base = summaries.get(c.label);
    perClass.push({
      ...(base ?? { label: c.label }),
      label: c.label,
      pool: c.candidates.length + c.included.length,
      selected: c.included.length + chosen,
      included: c.included.length,
    } as ConstrainedClassSummary);
  }
  const poolRows = Int32Array.from(plan.classes.flatMap((c) => [...c.included, ...c.candidates])).sort();
  const included = plan.classes.reduce((s, c) => s + c.included.length, 0);
  if (selected.length === 0) throw new EngineInputError("EMPTY_POOL", "pool", "expected at least one sample left to select from after the pool and exclusions, got none");
  return {
    strategy: resolved.strategy,
    params: resolved,
    seed: resolved.seed,
    selected,
    perClass,
    warnings,
    manifestHash: manifestHash(selected),
    poolRows,
    counts: { pool: poolRows.length, excluded: plan.excluded, included },
  };
}

export function selectConstrained(input: SelectInput, params: SelectParams, constraints: SelectConstraints = {}, onProgress?: ProgressFn): ConstrainedSelectionResult {
  const plan = planConstrained(input, params, constraints);
  const results = plan.calls.map((call) => select(call.input, call.params, onProgress));
  return finishConstrained(input, plan, results, constraints);
}

/** "sha256:<hex>" over the sorted member keys (decimal, one a line): a saved subset's fingerprint. */
export function memberHash(keys: ArrayLike<number>): string {
  const sorted = Float64Array.from(keys).sort();
  return "sha256:" + sha256Hex(Array.from(sorted, String).join("\n"));
}
