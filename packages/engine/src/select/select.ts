// select(input, params): the one entry point for every selection strategy. It validates input and
// parameters (EngineInputError with a code and field, before any work), splits rows by class (sorted
// label order), runs the strategy per class, assigns global ranks and hashes the manifest.
import { checkParam, SELECT_PARAMS, type ParamSpec } from "../params.js";
import { EngineInputError, type ProgressFn } from "../types.js";
import { compareStrings } from "./common.js";
import { confounderAwarePool, selectConfounderAware } from "./confounder-aware.js";
import type { StrategyContext } from "./context.js";
import { selectFacilityLocation } from "./facility-location.js";
import { selectHerding } from "./herding.js";
import { selectKCenter } from "./kcenter.js";
import { manifestHash } from "./manifest.js";
import { selectModerate } from "./moderate.js";
import { selectRandom } from "./random.js";
import { selectStratified } from "./stratified.js";
import {
  type CellAllocation,
  type ClassSummary,
  type GroupAllocation,
  type ResolvedParams,
  type SelectInput,
  type SelectParams,
  type SelectedItem,
  type SelectionResult,
  type StrategyPick,
} from "./types.js";

/** A closed-set parameter as given, or its declared default; refused (BAD_PARAM naming it) when not in the set. */
function oneOf<K extends "allocation" | "withinGroup" | "noise" | "kernel">(field: K, value: unknown): (typeof SELECT_PARAMS)[K]["values"][number] {
  const spec = SELECT_PARAMS[field];
  if (value === undefined) return spec.default;
  const expected = checkParam(spec, value);
  if (expected !== null) throw new EngineInputError(spec.code, field, `expected ${field} to be ${expected}, got ${JSON.stringify(value)}`);
  return value as (typeof SELECT_PARAMS)[K]["values"][number];
}

/** At most this many declared columns (params.ts): their cells multiply, and each cell's share shrinks with them. */
export const DECLARED_MAX = SELECT_PARAMS.declared.maxItems;

/** Declared confounder columns: distinct non-empty names, each a metadata column of the input (when given). */
function resolveDeclared(value: unknown, input?: SelectInput): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((c) => typeof c !== "string" || c === "")) {
    throw new EngineInputError("BAD_PARAM", "declared", `expected declared to be a list of metadata column names, got ${JSON.stringify(value)}`);
  }
  const cols = value as string[];
  if (new Set(cols).size !== cols.length) throw new EngineInputError("BAD_PARAM", "declared", `expected distinct declared columns, got ${JSON.stringify(cols)}`);
  if (cols.length > DECLARED_MAX) throw new EngineInputError("BAD_PARAM", "declared", `expected at most ${DECLARED_MAX} declared columns, got ${cols.length}`);
  if (input) {
    for (const col of cols) {
      if (!(input.metadata && Object.prototype.hasOwnProperty.call(input.metadata, col))) {
        const have = Object.keys(input.metadata ?? {});
        throw new EngineInputError("UNKNOWN_COLUMN", "declared", `expected declared column "${col}" to name a metadata column (${have.length ? have.join(", ") : "none given"})`);
      }
    }
  }
  return cols.slice();
}

/**
 * The parameters the declaration marks `requiredByStrategies` for this strategy (stratifyColumn for
 * stratified): each must be given and pass its declared check, else EngineInputError with its code,
 * naming it. Read from SELECT_PARAMS, so a new strategy-required parameter needs no line here.
 */
export function requireForStrategy(strategy: ResolvedParams["strategy"], params: SelectParams): void {
  for (const [name, spec] of Object.entries(SELECT_PARAMS) as Array<[keyof typeof SELECT_PARAMS, ParamSpec]>) {
    if (!spec.requiredByStrategies?.includes(strategy)) continue;
    const value: unknown = params[name as keyof SelectParams];
    if (value === undefined || value === null || checkParam(spec, value) !== null) {
      throw new EngineInputError(spec.code, name, `expected a ${name} for strategy "${strategy}", got ${JSON.stringify(value)}`);
    }
  }
}

/** resolveParams(params, input?) checks every parameter and fills defaults, in canonical key order. */
export function resolveParams(params: SelectParams, input?: SelectInput): ResolvedParams {
  const checked = (field: "strategy" | "perClass" | "seed", value: unknown): void => {
    const spec = SELECT_PARAMS[field];
    const expected = checkParam(spec, value);
    if (expected !== null) throw new EngineInputError(spec.code, field, `expected ${field} to be ${expected}, got ${JSON.stringify(value)}`);
  };
  const strategy = params?.strategy as ResolvedParams["strategy"];
  checked("strategy", strategy);
  const perClass = params.perClass;
  checked("perClass", perClass);
  const seed = params.seed ?? SELECT_PARAMS.seed.default;
  checked("seed", seed);
  const out: ResolvedParams = { strategy, perClass, seed };
  if (strategy === "confounder-aware") {
    out.allocation = oneOf("allocation", params.allocation);
    out.withinGroup = oneOf("withinGroup", params.withinGroup);
    out.noise = oneOf("noise", params.noise);
    const declared = resolveDeclared(params.declared, input);
    if (declared.length) out.declared = declared;
  }
  requireForStrategy(strategy, params);
  if (strategy === "stratified") {
    const col = params.stratifyColumn as string;
    if (input && !(input.metadata && Object.prototype.hasOwnProperty.call(input.metadata, col))) {
      const have = Object.keys(input.metadata ?? {});
      throw new EngineInputError(
        "UNKNOWN_COLUMN",
        "stratifyColumn",
        `expected stratifyColumn to name a metadata column (${have.length ? have.join(", ") : "none given"}), got "${col}"`,
      );
    }
    out.stratifyColumn = col;
  }
  if (strategy === "facility-location") out.kernel = oneOf("kernel", params.kernel);
  return out;
}

/** validateInput(input, needGroups) checks shapes and values; throws EngineInputError naming the field and row. */
export function validateInput(input: SelectInput, needGroups: boolean): void {
  const { points, labels, ids } = input;
  if (!points || !(points.data instanceof Float32Array || points.data instanceof Float64Array)) {
    throw new EngineInputError("BAD_POINTS", "points.data", "expected points.data to be a Float32Array or Float64Array");
  }
  const { n, dim, data } = points;
  if (!Number.isInteger(n) || n < 1) throw new EngineInputError("EMPTY_INPUT", "points.n", `expected at least one point, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new EngineInputError("BAD_POINTS", "points.dim", `expected dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) {
    throw new EngineInputError("LENGTH_MISMATCH", "points.data", `expected n × dim = ${n} × ${dim} = ${n * dim} values, got ${data.length}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new EngineInputError("NON_FINITE", "points.data", `expected finite values, got ${data[i]} at row ${Math.floor(i / dim)}, column ${i % dim}`);
    }
  }
  if (labels.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "labels", `expected ${n} labels (one per point), got ${labels.length}`);
  if (ids.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "ids", `expected ${n} ids (one per point), got ${ids.length}`);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (typeof labels[i] !== "string") throw new EngineInputError("BAD_LABEL", "labels", `expected a string label, got ${JSON.stringify(labels[i])} at row ${i}`);
    const id = ids[i];
    if (typeof id !== "string") throw new EngineInputError("BAD_ID", "ids", `expected a string id, got ${JSON.stringify(id)} at row ${i}`);
    if (seen.has(id)) throw new EngineInputError("DUPLICATE_ID", "ids", `expected unique ids, got "${id}" again at row ${i}`);
    seen.add(id);
  }
  for (const [name, col] of Object.entries(input.metadata ?? {})) {
    if (col.length !== n) throw new EngineInputError("LENGTH_MISMATCH", `metadata.${name}`, `expected ${n} values in column "${name}", got ${col.length}`);
  }
  if (input.groups !== undefined) {
    const g = input.groups;
    if (!(g instanceof Int32Array)) throw new EngineInputError("BAD_GROUPS", "groups", "expected groups to be an Int32Array");
    if (g.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "groups", `expected ${n} group entries (one per point), got ${g.length}`);
    for (let i = 0; i < n; i++) {
      if (g[i]! < -2) throw new EngineInputError("BAD_GROUPS", "groups", `expected a group ≥ 0, −1 for noise or −2 for rest, got ${g[i]} at row ${i}`);
    }
  } else if (needGroups) {
    throw new EngineInputError("GROUPS_REQUIRED", "groups", "expected per-row confounder groups for strategy \"confounder-aware\" (run discovery first), got none");
  }
}

/** Rows of each class, classes in byte-wise sorted label order. */
export function splitByClass(labels: ReadonlyArray<string>): { label: string; rows: Int32Array }[] {
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    let list = byLabel.get(l);
    if (!list) byLabel.set(l, (list = []));
    list.push(i);
  });
  return [...byLabel.keys()].sort(compareStrings).map((label) => ({ label, rows: Int32Array.from(byLabel.get(label)!) }));
}

/** One class's share of select(): its picks (rows of the input), allocation, cells and warnings. */
export interface ClassSelection {
  label: string;
  /** Rows of the class in the pool. */
  pool: number;
  picks: StrategyPick[];
  allocation?: GroupAllocation[];
  cells?: CellAllocation[];
  warnings: string[];
}

/**
 * The strategy for one class. Pure and independent of every other class (each draws from its own
 * generator, seeded by seed and classIndex), so callers may run classes in any order or on other threads
 * (@stratum/engine/threads) and get the same bytes. Expects resolved params and a validated input.
 */
export function selectClass(input: SelectInput, resolved: ResolvedParams, label: string, classIndex: number, rows: Int32Array, onProgress?: ProgressFn): ClassSelection {
  const warnings: string[] = [];
  const ctxBase = { input, points: input.points, params: resolved, seed: resolved.seed, label, classIndex, rows, onProgress };
  const available = resolved.strategy === "confounder-aware" ? confounderAwarePool(ctxBase) : rows.length;
  if (available < resolved.perClass) {
    const what = available < rows.length ? "non-noise samples" : "samples";
    warnings.push(`class "${label}" has ${available} ${what} < N = ${resolved.perClass}; all taken`);
  }
  const ctx: StrategyContext = { ...ctxBase, budget: Math.min(resolved.perClass, available) };
  let picks: StrategyPick[];
  let allocation: GroupAllocation[] | undefined;
  let cells: CellAllocation[] | undefined;
  switch (resolved.strategy) {
    case "confounder-aware": {
      const r = selectConfounderAware(ctx);
      ({ picks, allocation, cells } = r);
      warnings.push(...r.warnings);
      break;
    }
    case "random":
      picks = selectRandom(ctx);
      break;
    case "stratified":
      ({ picks, allocation } = selectStratified(ctx));
      break;
    case "kcenter":
      picks = selectKCenter(ctx);
      break;
    case "herding":
      picks = selectHerding(ctx);
      break;
    case "facility-location": {
      const r = selectFacilityLocation(ctx);
      picks = r.picks;
      warnings.push(...r.warnings);
      break;
    }
    case "moderate":
      picks = selectModerate(ctx);
      break;
  }
  return { label, pool: rows.length, picks, ...(allocation ? { allocation } : {}), ...(cells ? { cells } : {}), warnings };
}

/** The result from every class's selection, in sorted label order: global ranks and the manifest hash. */
export function finishSelection(input: SelectInput, resolved: ResolvedParams, classes: ReadonlyArray<ClassSelection>): SelectionResult {
  const warnings: string[] = [];
  const perClass: ClassSummary[] = [];
  const selected: SelectedItem[] = [];
  for (const c of classes) {
    warnings.push(...c.warnings);
    for (const p of c.picks) {
      selected.push({ row: p.row, id: input.ids[p.row]!, label: c.label, group: p.group, groupKey: p.groupKey, rank: selected.length, reason: p.reason });
    }
    const summary: ClassSummary = { label: c.label, pool: c.pool, selected: c.picks.length };
    if (c.allocation) summary.allocation = c.allocation;
    if (c.cells) summary.cells = c.cells;
    perClass.push(summary);
  }
  return {
    strategy: resolved.strategy,
    params: resolved,
    seed: resolved.seed,
    selected,
    perClass,
    warnings,
    manifestHash: manifestHash(selected),
  };
}

/**
 * select(input, params, onProgress?) chooses up to `perClass` rows from every class with the given
 * strategy. Same input + params + seed → byte-identical result and manifest hash.
 */
export function select(input: SelectInput, params: SelectParams, onProgress?: ProgressFn): SelectionResult {
  const resolved = resolveParams(params, input);
  validateInput(input, resolved.strategy === "confounder-aware");
  const classes = splitByClass(input.labels);
  const results = classes.map(({ label, rows }, classIndex) => {
    onProgress?.("select", classIndex, classes.length);
    return selectClass(input, resolved, label, classIndex, rows, onProgress);
  });
  onProgress?.("select", classes.length, classes.length);
  return finishSelection(input, resolved, results);
}
