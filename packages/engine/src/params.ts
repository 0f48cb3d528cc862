// The selection and analysis contract, declared once: every parameter's name, type, range, default,
// description and closed set. The engine's own checks (resolveParams, resolveAnalyzeParams) run
// checkParam over these entries, the server derives its GraphQL input validation and field
// descriptions from them (apps/server/src/graphql/params.ts), the CLI its flags, help and range checks
// (packages/cli/src/params.ts), and the web form its client-side checks (apps/web/src/lib/runForm.ts,
// through the package's "./params" export). Plain data and a few small functions, no other runtime
// import than the seed range, so a browser bundle takes this file alone.
import { SEED_MAX, SEED_MIN } from "./rng.js";

/** What people read of a strategy (the web's choices and run titles). */
export interface StrategyText {
  readonly label: string;
  readonly hint: string;
  /** It selects over confounder groups: the API needs an analysis, the CLI findings or discovery. */
  readonly needsGroups: boolean;
}

/**
 * The selection strategies, in the order offered (confounder-aware first), with their label and hint:
 * STRATEGIES, the GraphQL enum `Strategy`, the CLI's --strategy choices and the web form's choices
 * follow from the keys, so adding a strategy here (and its case in select/select.ts) offers it everywhere.
 */
export const STRATEGY_TEXT = {
  "confounder-aware": { label: "Confounder-aware", hint: "Share the budget across confounder groups, then cover each group's spread.", needsGroups: true },
  random: { label: "Random", hint: "Uniform at random within each class (baseline).", needsGroups: false },
  stratified: { label: "Stratified", hint: "Random within strata of a metadata column (baseline).", needsGroups: false },
  kcenter: { label: "k-center greedy", hint: "Cover the embedding space (baseline).", needsGroups: false },
  herding: { label: "Herding", hint: "Match the class mean embedding (baseline).", needsGroups: false },
  "facility-location": { label: "Facility location", hint: "Representative submodular selection (baseline).", needsGroups: false },
  moderate: { label: "Moderate", hint: "Samples of median distance to the class centre (baseline).", needsGroups: false },
} as const satisfies Record<string, StrategyText>;

// The closed sets, each declared once as a const list; the types derive from the lists. The server
// registers its GraphQL enums from these lists and the CLI its flag choices (select/types.ts re-exports
// them for the engine's own code).
export type Strategy = keyof typeof STRATEGY_TEXT;
export const STRATEGIES = Object.keys(STRATEGY_TEXT) as readonly Strategy[];
export const ALLOCATIONS = ["proportional", "balanced", "sqrt"] as const;
export type Allocation = (typeof ALLOCATIONS)[number];
export const WITHIN_GROUP = ["facility-location", "quantile", "nearest", "kcenter"] as const;
export type WithinGroup = (typeof WITHIN_GROUP)[number];
export const NOISE_HANDLING = ["own-group", "exclude"] as const;
export type NoiseHandling = (typeof NOISE_HANDLING)[number];
export const KERNELS = ["rbf", "cosine"] as const;
export type Kernel = (typeof KERNELS)[number];

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
   * (SelectionRunStartInput / AnalysisParamsInput), "cli" a flag of the command (`stratum select` /
   * `stratum analyze`). Absent: engine only.
   */
  readonly surfaces?: readonly Surface[];
  /**
   * Its name on a surface where that differs from the engine's (nameOn): the GraphQL field name, the
   * CLI flag without "--". Absent: the engine's name, in kebab case for the CLI (perClass → per-class).
   * Only for names already published (the schema and the flags stay backward compatible).
   */
  readonly names?: Partial<Record<Surface, string>>;
  /** The caller must give it (a non-null GraphQL field, a required flag). */
  readonly required?: boolean;
  /** Only these strategies read it (selection parameters): the CLI refuses it with another strategy. */
  readonly strategies?: readonly Strategy[];
  /**
   * These strategies cannot run without it (a subset of `strategies`): select() refuses the run with the
   * parameter's code, naming it, when it is missing or empty. Optional for every other strategy.
   */
  readonly requiredByStrategies?: readonly Strategy[];
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

/**
 * select(input, params): SelectParams, key by key. All are offered on the API (SelectionRunStartInput)
 * and the CLI (`stratum select`); `declared` keeps its published names there (declaredConfounders,
 * --declare) while the engine, the stored run params and the manifest keep `declared`.
 */
export const SELECT_PARAMS = {
  strategy: { type: "enum", values: STRATEGIES, code: "UNKNOWN_STRATEGY", required: true, surfaces: API_CLI, description: "The selection strategy." },
  perClass: {
    type: "int",
    min: 1,
    code: "BUDGET_TOO_SMALL",
    required: true,
    surfaces: API_CLI,
    description: "Budget per class; a smaller class is taken whole, with a warning.",
  },
  seed: { ...SEED, surfaces: API_CLI },
  allocation: {
    type: "enum",
    values: ALLOCATIONS,
    default: "proportional",
    code: "BAD_PARAM",
    strategies: ["confounder-aware"],
    surfaces: API_CLI,
    description: "confounder-aware: how each class's budget is shared across its groups.",
  },
  withinGroup: {
    type: "enum",
    values: WITHIN_GROUP,
    default: "facility-location",
    code: "BAD_PARAM",
    strategies: ["confounder-aware"],
    surfaces: API_CLI,
    description: "confounder-aware: how rows are picked inside a group; facility-location takes its most representative rows, quantile one draw per band of distance to its centre, nearest the rows closest to the centre, kcenter farthest-first.",
  },
  noise: {
    type: "enum",
    values: NOISE_HANDLING,
    default: "own-group",
    code: "BAD_PARAM",
    strategies: ["confounder-aware"],
    surfaces: API_CLI,
    description: "confounder-aware: noise points form a group of their own, or are left out.",
  },
  declared: {
    type: "list",
    // Their cells multiply, and each cell's share shrinks with them.
    maxItems: 8,
    code: "BAD_PARAM",
    strategies: ["confounder-aware"],
    surfaces: API_CLI,
    names: { api: "declaredConfounders", cli: "declare" },
    description: "confounder-aware: metadata columns known to be confounders; each class's budget is shared across their levels' combinations first, then across the discovered groups inside each.",
  },
  stratifyColumn: {
    type: "string",
    code: "STRATIFY_COLUMN_REQUIRED",
    strategies: ["stratified"],
    requiredByStrategies: ["stratified"],
    surfaces: API_CLI,
    description: "stratified: the metadata column to stratify by.",
  },
  kernel: {
    type: "enum",
    values: KERNELS,
    default: "rbf",
    code: "BAD_PARAM",
    strategies: ["facility-location"],
    surfaces: API_CLI,
    description: "facility-location: the similarity kernel.",
  },
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

/**
 * The entries of a declaration offered on a surface, in declaration order: [engine name, spec, name on
 * the surface (nameOn)].
 */
export function onSurface<T extends Record<string, ParamSpec>>(table: T, surface: Surface): [keyof T & string, ParamSpec, string][] {
  return Object.entries(table)
    .filter(([, spec]) => spec.surfaces?.includes(surface) === true)
    .map(([name, spec]) => [name, spec, nameOn(name, spec, surface)]) as [keyof T & string, ParamSpec, string][];
}

/** A parameter's name on a surface: its declared `names[surface]`, else the engine name (kebab case for the CLI). */
export function nameOn(name: string, spec: ParamSpec, surface: Surface): string {
  return spec.names?.[surface] ?? (surface === "cli" ? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : name);
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
