// The selection and analysis contract, declared once: every parameter's name, type, range, default,
// description and closed set. The engine's own checks (resolveParams, resolveAnalyzeParams) run
// checkParam over these entries, the server derives its GraphQL input validation and field
// descriptions from them (apps/server/src/graphql/params.ts), the CLI its flags, help and range checks
// (packages/cli/src/params.ts), and the web form its client-side checks (apps/web/src/lib/runForm.ts,
// through the package's "./params" export). Plain data and two small functions, no other runtime
// import than the closed sets and the seed range, so a browser bundle takes this file alone.
import { SEED_MAX, SEED_MIN } from "./rng.js";
import { ALLOCATIONS, KERNELS, NOISE_HANDLING, STRATEGIES, WITHIN_GROUP } from "./select/types.js";

/** The 2-D reductions of the analysis (the server's GraphQL enum and the CLI's --reduce derive from it). */
export const REDUCE_METHODS = ["umap", "tsne", "pca", "none"] as const;
export type ReduceMethod = (typeof REDUCE_METHODS)[number];

interface Common {
  /** One line for people: GraphQL field descriptions and CLI help start with it. */
  readonly description: string;
  /** EngineInputError code when the engine refuses the value. */
  readonly code: string;
  /**
   * Where the parameter is offered by derivation alone: "api" adds it to the GraphQL input
   * (AnalysisParamsInput), "cli" a flag of the command (`stratum analyze`). Absent: engine only.
   * (Selection parameters are wired by name in run.input.ts and the CLI's select.ts.)
   */
  readonly surfaces?: readonly Surface[];
}

export type Surface = "api" | "cli";
const API_CLI = ["api", "cli"] as const satisfies readonly Surface[];

/** An integer in min..max (max absent: no upper bound). */
export interface IntParam extends Common {
  readonly type: "int";
  readonly min: number;
  readonly max?: number;
  /** A number, or the words for a default the engine derives from the data (e.g. per class). */
  readonly default?: number | string;
}

/** A finite number ≥ min (> min when minExclusive), ≤ max when given. */
export interface NumberParam extends Common {
  readonly type: "number";
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly default?: number | string;
  /** Also accepts the string "auto" (eps: the engine chooses). */
  readonly auto?: boolean;
  /** Also accepts null (mergeCrossClass: off). */
  readonly nullable?: boolean;
}

export interface EnumParam<T extends string = string> extends Common {
  readonly type: "enum";
  readonly values: readonly T[];
  readonly default?: T;
}

export interface BooleanParam extends Common {
  readonly type: "boolean";
  readonly default: boolean;
}

/** A non-empty string (a metadata column name). */
export interface StringParam extends Common {
  readonly type: "string";
  readonly maxLength?: number;
}

/** A list of distinct non-empty strings, at most maxItems. */
export interface ListParam extends Common {
  readonly type: "list";
  readonly maxItems: number;
}

export type ParamSpec = IntParam | NumberParam | EnumParam | BooleanParam | StringParam | ListParam;
/** The numeric parameters: what a range check applies to. */
export type RangeParam = IntParam | NumberParam;

const SEED = {
  type: "int",
  min: SEED_MIN,
  max: SEED_MAX,
  default: 0,
  code: "BAD_SEED",
  description: "Seed of every random choice.",
} as const satisfies IntParam;

/** select(input, params): SelectParams, key by key. */
export const SELECT_PARAMS = {
  strategy: { type: "enum", values: STRATEGIES, code: "UNKNOWN_STRATEGY", description: "The selection strategy." },
  perClass: {
    type: "int",
    min: 1,
    code: "BUDGET_TOO_SMALL",
    description: "Budget per class; a smaller class is taken whole, with a warning.",
  },
  seed: SEED,
  allocation: {
    type: "enum",
    values: ALLOCATIONS,
    default: "proportional",
    code: "BAD_PARAM",
    description: "confounder-aware: how each class's budget is shared across its groups.",
  },
  withinGroup: {
    type: "enum",
    values: WITHIN_GROUP,
    default: "facility-location",
    code: "BAD_PARAM",
    description: "confounder-aware: how rows are picked inside a group; facility-location takes its most representative rows, quantile one draw per band of distance to its centre, nearest the rows closest to the centre, kcenter farthest-first.",
  },
  noise: {
    type: "enum",
    values: NOISE_HANDLING,
    default: "own-group",
    code: "BAD_PARAM",
    description: "confounder-aware: noise points form a group of their own, or are left out.",
  },
  declared: {
    type: "list",
    // Their cells multiply, and each cell's share shrinks with them.
    maxItems: 8,
    code: "BAD_PARAM",
    description: "confounder-aware: metadata columns known to be confounders; each class's budget is shared across their levels' combinations first, then across the discovered groups inside each.",
  },
  stratifyColumn: { type: "string", code: "STRATIFY_COLUMN_REQUIRED", description: "stratified: the metadata column to stratify by." },
  kernel: { type: "enum", values: KERNELS, default: "rbf", code: "BAD_PARAM", description: "facility-location: the similarity kernel." },
} as const satisfies Record<string, ParamSpec>;

/**
 * analyze(input, params): AnalyzeParams, key by key. Upper bounds (issue 12, finding 8): some
 * parameters set the size of a neighbour graph (nNeighbors or perplexity near n meant an O(n²) graph);
 * bounds relative to the data (n, dim) are the server's (analysis.service.ts checkRelativeBounds).
 */
export const ANALYZE_PARAMS = {
  reduce: { type: "enum", values: REDUCE_METHODS, default: "umap", code: "BAD_REDUCE", surfaces: API_CLI, description: "2-D reduction before DBSCAN; none clusters in the (PCA) space itself." },
  pcaComponents: {
    type: "int",
    min: 0,
    max: 256,
    default: "min(50, dim) when dim > 50, else off",
    code: "BAD_COMPONENTS",
    surfaces: API_CLI,
    description: "PCA components before the reduction; 0 = off.",
  },
  eps: {
    type: "number",
    min: 0,
    minExclusive: true,
    max: 1_000,
    auto: true,
    default: "auto",
    code: "BAD_EPS",
    surfaces: API_CLI,
    description: "DBSCAN radius in layout units; auto: the knee of the k-distance curve.",
  },
  minPts: {
    type: "int",
    min: 1,
    max: 200,
    default: "per class clamp(round(2 ln n), 5, 50)",
    code: "BAD_MIN_PTS",
    surfaces: API_CLI,
    description: "DBSCAN minPts, the point itself included.",
  },
  seed: { ...SEED, surfaces: API_CLI, description: "Seed of the one generator behind every random step." },
  perplexity: {
    type: "number",
    min: 0,
    minExclusive: true,
    max: 100,
    default: 30,
    code: "BAD_PERPLEXITY",
    surfaces: API_CLI,
    description: "t-SNE perplexity; lowered to (n − 1)/3 for small classes.",
  },
  nNeighbors: { type: "int", min: 2, max: 100, default: 15, code: "BAD_N_NEIGHBORS", surfaces: API_CLI, description: "UMAP neighbours." },
  predictabilityK: { type: "int", min: 1, default: 10, code: "BAD_K", description: "Neighbours voting in the predictability score." },
  merge: { type: "boolean", default: true, code: "BAD_MERGE", description: "Merge DBSCAN fragments strongly linked in the kNN graph into one group (each fragment kept as a mode)." },
  // 0.05: set on the demo pipeline (demo-cnn, 3 sites, seeds 0–2: 3 groups per class, one per site);
  // fragments of one site share few kNN edges (0.1–0.5× chance) but distinct sites share ~none
  mergeResolution: {
    type: "number",
    min: 0,
    minExclusive: true,
    default: 0.05,
    code: "BAD_RESOLUTION",
    description: "Modularity resolution of the merge: merge while observed/expected kNN edges exceed it.",
  },
  mergeMetadata: { type: "boolean", default: true, code: "BAD_MERGE", description: "Let a metadata column strongly tied to the fragments steer the merge." },
  // 0.7: chosen on the discovery bench's tuning cases only (bench/results/discovery.md, "tuning comparison")
  mergeCrossClass: {
    type: "number",
    min: 0,
    minExclusive: true,
    max: 1,
    nullable: true,
    default: 0.7,
    code: "BAD_CROSS_CLASS",
    description: "Cross-class rule of the merge, null = off: a split parallel to one in another class (|cos| above this) is kept.",
  },
  // 5: chosen on the discovery bench's tuning cases only (bench/results/discovery-tuning.md)
  refine: { type: "int", min: 0, default: 5, code: "BAD_REFINE", description: "Rounds of membership refinement after the merge; 0 = off." },
} as const satisfies Record<string, ParamSpec>;

/**
 * Fields of a selection run that are not engine parameters but are checked the same way by the API
 * and the web form (one cap, not 120 in one place and 200 in another).
 */
export const RUN_FIELDS = {
  name: { type: "string", maxLength: 200, code: "BAD_PARAM", description: "Display name." },
} as const satisfies Record<string, ParamSpec>;

/** The entries of a declaration offered on a surface, in declaration order. */
export function onSurface<T extends Record<string, ParamSpec>>(table: T, surface: Surface): [keyof T & string, ParamSpec][] {
  return Object.entries(table).filter(([, spec]) => spec.surfaces?.includes(surface) === true) as [keyof T & string, ParamSpec][];
}

/** The range in words: "an integer in 1..200", "a number in (0, 1000]", `"auto" or a number > 0`. */
export function describeRange(spec: ParamSpec): string {
  switch (spec.type) {
    case "int":
      return spec.max === undefined ? `an integer ≥ ${spec.min}` : `an integer in ${spec.min}..${spec.max}`;
    case "number": {
      const range = spec.max === undefined
        ? `a number ${spec.minExclusive ? ">" : "≥"} ${spec.min}`
        : `a number in ${spec.minExclusive ? "(" : "["}${spec.min}, ${spec.max}]`;
      return `${spec.auto ? '"auto" or ' : ""}${range}${spec.nullable ? " or null" : ""}`;
    }
    case "enum":
      return `one of ${spec.values.join(" | ")}`;
    case "boolean":
      return "true or false";
    case "string":
      return spec.maxLength === undefined ? "a non-empty string" : `a string of at most ${spec.maxLength} characters`;
    case "list":
      return `a list of at most ${spec.maxItems} distinct non-empty names`;
  }
}

/** Whether a number lies in a numeric parameter's range (type and bounds; not "auto" or null). */
export function inRange(spec: RangeParam, value: number): boolean {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (spec.type === "int" && !Number.isInteger(value)) return false;
  if (spec.type === "number" && spec.minExclusive === true ? !(value > spec.min) : !(value >= spec.min)) return false;
  return spec.max === undefined || value <= spec.max;
}

/**
 * Whether `value` is valid for `spec` (undefined is "not given" and is the caller's to default).
 * Returns null when it is, else the expectation in words for the error message.
 */
export function checkParam(spec: ParamSpec, value: unknown): string | null {
  let ok: boolean;
  switch (spec.type) {
    case "int":
      ok = typeof value === "number" && inRange(spec, value);
      break;
    case "number":
      ok = (spec.auto === true && value === "auto") || (spec.nullable === true && value === null) || (typeof value === "number" && inRange(spec, value));
      break;
    case "enum":
      ok = typeof value === "string" && (spec.values as readonly string[]).includes(value);
      break;
    case "boolean":
      ok = typeof value === "boolean";
      break;
    case "string":
      ok = typeof value === "string" && value !== "" && (spec.maxLength === undefined || value.length <= spec.maxLength);
      break;
    case "list":
      ok = Array.isArray(value) && value.length <= spec.maxItems && value.every((c) => typeof c === "string" && c !== "") && new Set(value).size === value.length;
      break;
  }
  return ok ? null : describeRange(spec);
}
