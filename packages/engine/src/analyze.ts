// Confounder discovery, per class: optional PCA → 2-D layout (UMAP by default, t-SNE, PCA, or none)
// → DBSCAN with eps from the k-distance knee → groups, then for every metadata column the strength
// of its link to the groups (bias-corrected Cramér's V, AMI, chi-square p-value) and how well the
// embedding predicts it (leave-one-out k-NN accuracy vs the majority rate).
import { chooseEps } from "./cluster/eps.js";
import { checkPoints, dbscan } from "./cluster/dbscan.js";
import { mergeFragments, type MergeLink } from "./cluster/merge.js";
import { refineGroups } from "./cluster/refine.js";
import { knnGraph, type KnnGraph } from "./neighbors/knn.js";
import { pca } from "./reduce/pca.js";
import { tsne } from "./reduce/tsne.js";
import { umap } from "./reduce/umap.js";
import { ANALYZE_PARAMS, checkParam, type ParamSpec, type ReduceMethod } from "./params.js";
import { createRng } from "./rng.js";
import { adjustedMutualInformation } from "./stats/ami.js";
import { chiSquareTest, contingencyTable, type Contingency } from "./stats/contingency.js";
import { cramersV } from "./stats/cramers-v.js";
import { knnPredictabilityFromGraph } from "./stats/predictability.js";
import { EngineInputError, type MetadataColumns, type Points, type ProgressFn } from "./types.js";


export interface AnalyzeInput {
  points: Points;
  labels: ReadonlyArray<string>;
  metadata?: MetadataColumns;
}

export interface AnalyzeParams {
  /** 2-D reduction before DBSCAN (default "umap"); "none" clusters in the (PCA) space itself. */
  reduce?: ReduceMethod;
  /** PCA components before reduction; default min(50, dim) when dim > 50, else off; 0 = off. */
  pcaComponents?: number;
  /** DBSCAN radius in layout units, or "auto" (default): the knee of the k-distance curve. */
  eps?: "auto" | number;
  /** DBSCAN minPts (point itself included); default per class: clamp(round(2·ln n), 5, 50). */
  minPts?: number;
  /** Seed of the one generator behind every random step (default 0). */
  seed?: number;
  /** t-SNE perplexity (default 30; lowered to (n − 1)/3 for small classes). */
  perplexity?: number;
  /** UMAP neighbours (default 15). */
  nNeighbors?: number;
  /** Neighbours voting in the predictability score (default 10). */
  predictabilityK?: number;
  /**
   * Merge DBSCAN fragments that are strongly linked in the kNN graph of the PCA space into one
   * group, keeping each fragment as a mode (default true). false = the paper's layout + DBSCAN groups.
   */
  merge?: boolean;
  /** Modularity resolution of the merge: merge while observed/expected kNN edges exceed it (default 0.05). */
  mergeResolution?: number;
  /**
   * Let the metadata steer the merge (default true): when a column is strongly tied to the fragments
   * (Cramér's V ≥ 0.5 in the class), fragments dominated (≥ 80 %) by the same level are one group and
   * fragments of different levels are never merged. Without metadata, or with false, the graph decides.
   */
  mergeMetadata?: boolean;
  /**
   * Cross-class rule of the merge (default 0.7; null = off): the graph does not merge two sides of a
   * class when the difference of their means (in the pooled, whitened embedding) is parallel, |cos| >
   * this value, to the difference between two fragments of another class. An acquisition effect shifts
   * every class the same way, while content differs per class; so a split that recurs across classes is
   * kept. Needs ≥ 2 classes; metadata merges are not affected.
   */
  mergeCrossClass?: number | null;
  /**
   * Rounds of membership refinement after the merge (default 5; 0 = off): each non-noise row goes to
   * the group whose mean is nearest in the PCA space whitened by the pooled within-group covariance
   * (linear discriminant, group shares as priors), until no row moves. Moves the rows of a site that
   * a fragment of another site had swallowed. Only with merge.
   */
  refine?: number;
}

export interface ResolvedAnalyzeParams {
  reduce: ReduceMethod;
  /** null: "min(50, dim) when dim > 50" was applied per class (see ClassFindings.pcaComponents). */
  pcaComponents: number | null;
  eps: "auto" | number;
  minPts: number | "auto";
  seed: number;
  perplexity: number;
  nNeighbors: number;
  predictabilityK: number;
  merge: boolean;
  mergeResolution: number;
  mergeMetadata: boolean;
  mergeCrossClass: number | null;
  refine: number;
}

export interface ClassFindings {
  label: string;
  /** Pool row indices of this class, ascending. */
  rows: Int32Array;
  /** Per entry of rows: group 0..k-1 (largest first), or -1 for noise. With merge, a group is one or more modes. */
  groups: Int32Array;
  /**
   * Per entry of rows: mode 0..f-1 (a DBSCAN fragment of the layout), -1 for noise. Modes are
   * numbered group by group (group 0's modes first), largest first within a group. Without merge,
   * each group is exactly one mode and modes equals groups.
   */
  modes: Int32Array;
  modeSizes: number[];
  /** Per group: its mode ids. */
  groupModes: number[][];
  /** Per group: the merges that built it (mode pairs and their kNN connectivity ratio). */
  groupMerges: MergeLink[][];
  /** Per group: connectivity ratio of its weakest merge (1 = chance; higher = surer), null for one mode. */
  mergeConfidence: (number | null)[];
  /** The metadata column that steered the merge in this class (see mergeMetadata), or null. */
  mergeColumn: string | null;
  /** Per entry of rows: x, y of the 2-D layout. */
  layout: Float32Array;
  groupSizes: number[];
  noiseCount: number;
  eps: number;
  minPts: number;
  epsAuto: boolean;
  /** Ratio of variance per PCA component, when PCA ran. */
  explainedVariance?: number[];
  /** Components PCA kept (0 = no PCA). */
  pcaComponents: number;
  /** The reduction actually used (a class under 4 rows falls back from umap/tsne to pca). */
  reduce: ReduceMethod;
}

export interface GroupValueShare {
  group: number;
  size: number;
  /** Most common known value in the group (ties: smallest by code unit), null if none known. */
  dominantValue: string | null;
  /** Share of the group's known values that equal dominantValue. */
  share: number;
}

export interface Association {
  label: string;
  column: string;
  /** Bergsma's bias-corrected Cramér's V of groups (noise excluded) vs column values. */
  cramersV: number;
  /** Adjusted mutual information (arithmetic normaliser). */
  ami: number;
  /** Chi-square test of independence. */
  pValue: number;
  chiSquare: number;
  df: number;
  /** Rows that entered the table (in a group and with a known value). */
  n: number;
  predictability?: { accuracy: number; chance: number; k: number };
  perGroup: GroupValueShare[];
}

export interface Findings {
  params: ResolvedAnalyzeParams;
  classes: ClassFindings[];
  associations: Association[];
}

export function defaultMinPts(n: number): number {
  return Math.max(5, Math.min(50, Math.round(2 * Math.log(Math.max(n, 1)))));
}

export function resolveAnalyzeParams(params: AnalyzeParams = {}): ResolvedAnalyzeParams {
  const p = (params ?? {}) as Record<string, unknown>;
  /** The parameter as given, or its declared default; refused (the declared code, naming it) when out of range. */
  const take = <T>(name: keyof typeof ANALYZE_PARAMS, fallback?: T): T => {
    const spec: ParamSpec = ANALYZE_PARAMS[name];
    const given = p[name];
    // null is "not given", except where the declaration gives null a meaning (mergeCrossClass: off)
    const value = given === undefined || (given === null && !(spec.type === "number" && spec.nullable)) ? fallback : given;
    if (value === undefined) return value as T;
    const expected = checkParam(spec, value);
    if (expected !== null) throw new EngineInputError(spec.code, name, `analyze: expected ${name} to be ${expected}, got ${String(value)}`);
    return value as T;
  };
  const d = ANALYZE_PARAMS;
  // In the declaration's order, so the first parameter at fault is the one reported.
  const reduce = take<ReduceMethod>("reduce", d.reduce.default);
  const pcaComponents = take<number | undefined>("pcaComponents");
  const eps = take<"auto" | number>("eps", d.eps.default);
  const minPts = take<number | undefined>("minPts");
  const seed = take<number>("seed", d.seed.default);
  const perplexity = take<number>("perplexity", d.perplexity.default);
  const nNeighbors = take<number>("nNeighbors", d.nNeighbors.default);
  const predictabilityK = take<number>("predictabilityK", d.predictabilityK.default);
  const merge = take<boolean>("merge", d.merge.default);
  const mergeResolution = take<number>("mergeResolution", d.mergeResolution.default);
  const mergeMetadata = take<boolean>("mergeMetadata", d.mergeMetadata.default);
  const mergeCrossClass = take<number | null>("mergeCrossClass", d.mergeCrossClass.default);
  const refine = take<number>("refine", d.refine.default);
  return {
    reduce, pcaComponents: pcaComponents ?? null, eps, minPts: minPts ?? "auto", seed, perplexity, nNeighbors, predictabilityK, merge, mergeResolution,
    mergeMetadata, mergeCrossClass, refine,
  };
}

function checkInput(input: AnalyzeInput): void {
  if (!input || typeof input !== "object") throw new EngineInputError("BAD_INPUT", "input", "analyze: expected an input object");
  checkPoints(input.points, "analyze");
  const { n } = input.points;
  if (!input.labels || input.labels.length !== n) {
    throw new EngineInputError("BAD_LENGTH", "labels", `analyze: expected ${n} labels (one per row), got ${input.labels?.length ?? 0}`);
  }
  for (let i = 0; i < n; i++) {
    if (typeof input.labels[i] !== "string") {
      throw new EngineInputError("BAD_LABEL", "labels", `analyze: expected a string label at row ${i}, got ${String(input.labels[i])}`);
    }
  }
  for (const [name, column] of Object.entries(input.metadata ?? {})) {
    if (!column || column.length !== n) {
      throw new EngineInputError("BAD_LENGTH", `metadata.${name}`, `analyze: expected ${n} values in metadata column "${name}", got ${column?.length ?? 0}`);
    }
  }
}

/**
 * One class's share of pass 1: which rows, and whether any metadata value is known for them (then the
 * associations need a kNN graph). Plain data, so a worker thread can take it.
 */
export interface ClassLayoutTask {
  label: string;
  /** Position in sorted label order: picks the class's own generator (see classSeed). */
  classIndex: number;
  /** Pool row indices of this class, ascending. */
  rows: Int32Array;
  anyKnown: boolean;
}

/** Pass 1's result for one class (structured-clone friendly: typed arrays, numbers, strings). */
export interface ClassLayout {
  label: string;
  rows: Int32Array;
  m: number;
  /** The (PCA) space the class was laid out from, as float32: the merge's refinement reassigns rows in it. */
  space: Points;
  graph: KnnGraph | undefined;
  layout: Float64Array;
  db: ReturnType<typeof dbscan>;
  merging: boolean;
  base: Pick<ClassFindings, "eps" | "minPts" | "epsAuto" | "explainedVariance" | "pcaComponents" | "reduce">;
}

/** What analyze() does before the per-class work: checked params, the classes and the metadata columns. */
export interface AnalyzePlan {
  resolved: ResolvedAnalyzeParams;
  tasks: ClassLayoutTask[];
  columns: string[];
}

/**
 * The seed of class classIndex's generator. Each class draws from its own stream so classes can run in
 * any order or on different threads with the same result; class 0 keeps the run's seed itself.
 */
export function classSeed(seed: number, classIndex: number): number {
  return (seed + Math.imul(classIndex, 0x9e3779b9)) >>> 0;
}

export function analyze(input: AnalyzeInput, params: AnalyzeParams = {}, onProgress?: ProgressFn): Findings {
  const plan = planAnalysis(input, params);
  const layouts = plan.tasks.map((task) => analyzeClassLayout(input.points, task, plan.resolved, onProgress));
  return finishAnalysis(input, plan, layouts, onProgress);
}

/** Checks input and params (EngineInputError before any work) and splits the rows by class. */
export function planAnalysis(input: AnalyzeInput, params: AnalyzeParams = {}): AnalyzePlan {
  const resolved = resolveAnalyzeParams(params);
  checkInput(input);
  const { labels } = input;
  const { n } = input.points;
  const byLabel = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    let list = byLabel.get(l);
    if (!list) byLabel.set(l, (list = []));
    list.push(i);
  }
  const classLabels = [...byLabel.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const columns = Object.keys(input.metadata ?? {}).sort();
  const tasks = classLabels.map((label, classIndex): ClassLayoutTask => {
    const rows = Int32Array.from(byLabel.get(label)!);
    const anyKnown = columns.some((column) => {
      const all = input.metadata![column]!;
      for (let r = 0; r < rows.length; r++) {
        const v = all[rows[r]!] ?? null;
        if (v !== null && v !== "") return true;
      }
      return false;
    });
    return { label, classIndex, rows, anyKnown };
  });
  return { resolved, tasks, columns };
}

/**
 * Pass 1 for one class: PCA → layout → DBSCAN fragments, and the kNN graph the merge and the
 * associations use. Pure and independent of every other class (its own generator), so callers may run
 * classes in parallel (@stratum/engine/threads) and get the same bytes.
 */
export function analyzeClassLayout(points: Points, task: ClassLayoutTask, resolved: ResolvedAnalyzeParams, onProgress?: ProgressFn): ClassLayout {
  const { dim, data } = points;
  const { label, rows, anyKnown } = task;
  const rng = createRng(classSeed(resolved.seed, task.classIndex));
  const m = rows.length;
  const progress: ProgressFn | undefined = onProgress ? (phase, done, total) => onProgress(`${label}: ${phase}`, done, total) : undefined;
  // 1. PCA, reading the class's rows where they are (no copy of the class: at 1M × 768 a class is
  // gigabytes); bit for bit the PCA of the copied rows. Without PCA the layout needs the rows contiguous.
  let space: Points;
  let explainedVariance: number[] | undefined;
  let pcaK = resolved.pcaComponents ?? (dim > 50 ? 50 : 0);
  pcaK = Math.min(pcaK, m, dim);
  if (pcaK > 0 && pcaK < dim) {
    progress?.("PCA", 0, 1);
    const p = pca(points, { components: pcaK, rng, rows });
    space = { data: p.projected, n: m, dim: pcaK };
    explainedVariance = Array.from(p.explainedVarianceRatio);
    progress?.("PCA", 1, 1);
  } else {
    pcaK = 0;
    const X = data instanceof Float32Array ? new Float32Array(m * dim) : new Float64Array(m * dim);
    for (let r = 0; r < m; r++) {
      const o = rows[r]! * dim;
      for (let t = 0; t < dim; t++) X[r * dim + t] = data[o + t]!;
    }
    space = { data: X, n: m, dim };
  }

  // 2. layout
  let reduce: ReduceMethod = resolved.reduce;
  if ((reduce === "umap" || reduce === "tsne") && m < 4) reduce = "pca";
  let graph: KnnGraph | undefined;
  let layout: Float64Array;
  if (reduce === "umap") {
    const u = umap(space, { rng, nNeighbors: resolved.nNeighbors, ...(progress ? { onProgress: progress } : {}) });
    layout = u.embedding;
    graph = u.knn;
  } else if (reduce === "tsne") {
    const perplexity = Math.min(resolved.perplexity, Math.max(1, (m - 1) / 3));
    const t = tsne(space, { rng, perplexity, ...(progress ? { onProgress: progress } : {}) });
    layout = t.embedding;
    graph = t.knn;
  } else {
    layout = twoD(space, rng);
  }
  const clusterSpace: Points = reduce === "none" ? space : { data: layout, n: m, dim: 2 };

  // 3. DBSCAN
  const minPts = resolved.minPts === "auto" ? defaultMinPts(m) : resolved.minPts;
  let eps: number;
  const epsAuto = resolved.eps === "auto";
  if (resolved.eps === "auto") eps = m >= 2 ? chooseEps(clusterSpace, minPts).eps : 1;
  else eps = resolved.eps;
  progress?.("DBSCAN", 0, 1);
  const db = dbscan(clusterSpace, eps, minPts);
  progress?.("DBSCAN", 1, 1);
  const merging = resolved.merge && db.clusters > 1 && m >= 3;
  // decide merges on the kNN graph of the PCA space (UMAP's and t-SNE's own graph when they ran)
  if (merging && !graph) graph = knnGraph(space, Math.min(resolved.nNeighbors, m - 1), rng);
  // the associations' graph, built here so the generator is drawn in the same order as ever
  const assocK = Math.min(resolved.predictabilityK, m - 1);
  if (anyKnown && m >= 3 && (!graph || graph.k < assocK)) graph = knnGraph(space, Math.max(assocK, Math.min(15, m - 1)), rng);
  return {
    label, rows, m, graph, layout, db, merging,
    // float32 (half the bytes a shard hands back); the refinement reads it, nothing else does
    space: { data: space.data instanceof Float32Array ? space.data : Float32Array.from(space.data), n: m, dim: space.dim },
    base: { eps, minPts, epsAuto, ...(explainedVariance ? { explainedVariance } : {}), pcaComponents: pcaK, reduce },
  };
}

/** Pass 2 over every class's layout (in plan order): merge fragments into groups, then the associations. */
export function finishAnalysis(input: AnalyzeInput, plan: AnalyzePlan, pending: ClassLayout[], onProgress?: ProgressFn): Findings {
  const { resolved, columns } = plan;
  const classes: ClassFindings[] = [];
  const associations: Association[] = [];
  // Cross-class evidence: each fragment's mean in one whitened space shared by all classes.
  const cross = resolved.merge && resolved.mergeCrossClass !== null && pending.filter((c) => c.merging || c.db.clusters > 1).length >= 2
    ? crossClassMeans(input.points, pending, resolved.seed)
    : null;

  pending.forEach((c, ci) => {
    const { label, rows, m, db } = c;
    const progress: ProgressFn | undefined = onProgress ? (phase, done, total) => onProgress(`${label}: ${phase}`, done, total) : undefined;
    const graph = c.graph;
    let groups: Int32Array;
    let sizes: number[];
    let modeInfo: Pick<ClassFindings, "modes" | "modeSizes" | "groupModes" | "groupMerges" | "mergeConfidence" | "mergeColumn">;
    if (c.merging && graph) {
      const steer = resolved.mergeMetadata ? metadataKeys(db.labels, db.clusters, rows, input.metadata, columns) : null;
      const separate = cross ? crossClassRule(cross, ci, resolved.mergeCrossClass!) : undefined;
      progress?.("merge", 0, 1);
      // t-SNE's graph has 3·perplexity neighbours, wide enough to span conditions: merge on the nearest nNeighbors
      const fragments = mergeFragments(truncateGraph(graph, Math.min(resolved.nNeighbors, m - 1)), db.labels, db.clusters, {
        resolution: resolved.mergeResolution,
        ...(steer ? { keys: steer.keys } : {}),
        ...(separate ? { separate } : {}),
      });
      // membership refinement in the PCA space: draws nothing, so the generator's stream is unchanged
      const merged = resolved.refine > 0 ? refineGroups(c.space, fragments, { iterations: resolved.refine }) : fragments;
      progress?.("merge", 1, 1);
      groups = merged.groups;
      sizes = merged.groupSizes;
      modeInfo = {
        modes: merged.modes, modeSizes: merged.modeSizes, groupModes: merged.groupModes, groupMerges: merged.groupMerges,
        mergeConfidence: merged.mergeConfidence, mergeColumn: steer?.column ?? null,
      };
    } else {
      ({ groups, sizes } = renumberBySize(db.labels, db.clusters));
      modeInfo = {
        modes: groups, modeSizes: sizes, groupModes: sizes.map((_, g) => [g]), groupMerges: sizes.map(() => []),
        mergeConfidence: sizes.map(() => null), mergeColumn: null,
      };
    }

    classes.push({ label, rows, groups, ...modeInfo, layout: Float32Array.from(c.layout), groupSizes: sizes, noiseCount: db.noise, ...c.base });

    // 4. associations
    for (const column of columns) {
      const all = input.metadata![column]!;
      const values: (string | null)[] = new Array(m);
      let known = 0;
      for (let r = 0; r < m; r++) {
        const v = all[rows[r]!] ?? null;
        values[r] = v === "" ? null : v;
        if (values[r] !== null) known++;
      }
      if (known === 0) continue;
      const table = contingencyTable(groups, values);
      const chi = chiSquareTest(table);
      const assoc: Association = {
        label, column,
        cramersV: cramersV(table),
        ami: table.total > 0 ? adjustedMutualInformation(table) : 0,
        pValue: chi.pValue, chiSquare: chi.statistic, df: chi.df, n: table.total,
        perGroup: perGroupShares(groups, values, sizes),
      };
      if (m >= 3 && graph) {
        const k = Math.min(resolved.predictabilityK, m - 1);
        const p = knnPredictabilityFromGraph(graph, values, k);
        if (p) assoc.predictability = { accuracy: p.accuracy, chance: p.chance, k: p.k };
      }
      associations.push(assoc);
    }
  });
  return { params: resolved, classes, associations };
}

/** Components of the pooled whitening, and the rows (at most) it is estimated on. */
const CROSS_COMPONENTS = 30;
const CROSS_SAMPLE = 4096;

interface CrossClassMeans {
  /** Per class, per fragment: its mean in the whitened space (CROSS_COMPONENTS or fewer values). */
  means: Float64Array[][];
  sizes: number[][];
}

/**
 * Every fragment's mean in one space shared by all classes: the input's first principal axes over all
 * rows (an even stride of at most 4096 rows), each axis scaled to unit
 * variance. Why whitened: a few high-variance axes (overall activation, brightness) would otherwise make
 * every difference look parallel to every other.
 */
function crossClassMeans(points: Points, pending: ClassLayout[], seed: number): CrossClassMeans {
  const { n, dim, data } = points;
  const take = Math.min(n, CROSS_SAMPLE);
  const sample = new Float64Array(take * dim);
  for (let s = 0; s < take; s++) {
    const r = Math.floor((s * n) / take);
    for (let t = 0; t < dim; t++) sample[s * dim + t] = data[r * dim + t]!;
  }
  const K = Math.max(1, Math.min(CROSS_COMPONENTS, dim, take - 1));
  // its own generator (only the randomized PCA above 800 dimensions draws), so the main stream is untouched
  const p = pca({ data: sample, n: take, dim }, { components: K, rng: createRng(seed ^ 0x2545f491) });
  const scale = Array.from(p.explainedVariance, (v) => (v > 0 ? 1 / Math.sqrt(v) : 0));
  const means: Float64Array[][] = [];
  const sizes: number[][] = [];
  for (const c of pending) {
    const f = c.db.clusters;
    const raw = new Float64Array(f * dim);
    const count = new Array<number>(f).fill(0);
    for (let r = 0; r < c.m; r++) {
      const g = c.db.labels[r]!;
      if (g < 0) continue;
      count[g]!++;
      const o = c.rows[r]! * dim;
      for (let t = 0; t < dim; t++) raw[g * dim + t]! += data[o + t]!;
    }
    const z: Float64Array[] = [];
    for (let g = 0; g < f; g++) {
      const out = new Float64Array(K);
      if (count[g]! > 0) {
        for (let a = 0; a < K; a++) {
          let acc = 0;
          for (let t = 0; t < dim; t++) acc += (raw[g * dim + t]! / count[g]! - p.mean[t]!) * p.components[a * dim + t]!;
          out[a] = acc * scale[a]!;
        }
      }
      z.push(out);
    }
    means.push(z);
    sizes.push(count);
  }
  return { means, sizes };
}

/**
 * The merge's `separate` test for class ci: two sides stay apart when the difference of their
 * (size-weighted) means is parallel, |cos| > threshold, to the difference of some pair of fragments of
 * another class — the same shift seen in two classes is an acquisition effect, not content.
 */
function crossClassRule(cross: CrossClassMeans, ci: number, threshold: number): ((a: readonly number[], b: readonly number[]) => boolean) | undefined {
  const others: Float64Array[] = [];
  cross.means.forEach((frags, cj) => {
    if (cj === ci) return;
    for (let p = 0; p < frags.length; p++) {
      for (let q = p + 1; q < frags.length; q++) {
        if (!cross.sizes[cj]![p] || !cross.sizes[cj]![q]) continue;
        others.push(frags[p]!.map((v, t) => v - frags[q]![t]!));
      }
    }
  });
  if (!others.length) return undefined;
  const means = cross.means[ci]!;
  const sizes = cross.sizes[ci]!;
  const K = means[0]?.length ?? 0;
  const sideMean = (side: readonly number[]) => {
    const out = new Float64Array(K);
    let total = 0;
    for (const f of side) {
      total += sizes[f]!;
      for (let t = 0; t < K; t++) out[t]! += means[f]![t]! * sizes[f]!;
    }
    if (total > 0) for (let t = 0; t < K; t++) out[t]! /= total;
    return out;
  };
  return (a, b) => {
    const ma = sideMean(a);
    const mb = sideMean(b);
    const d = ma.map((v, t) => v - mb[t]!);
    let dd = 0;
    for (let t = 0; t < K; t++) dd += d[t]! * d[t]!;
    if (!(dd > 0)) return false;
    for (const e of others) {
      let de = 0;
      let ee = 0;
      for (let t = 0; t < K; t++) {
        de += d[t]! * e[t]!;
        ee += e[t]! * e[t]!;
      }
      if (ee > 0 && Math.abs(de) / Math.sqrt(dd * ee) > threshold) return true;
    }
    return false;
  };
}

/** V above which a column is taken to describe the fragments, and the share that makes a level dominant. */
const STEER_MIN_V = 0.5;
const STEER_MIN_SHARE = 0.8;

/**
 * The metadata column most strongly tied to this class's fragments (bias-corrected Cramér's V ≥ 0.5;
 * ties by name) and, per fragment, the index of the level holding ≥ 80 % of its known values (−1 when
 * none does). Null when no column qualifies. Why: a site that content tears into islands shows the same
 * level on each island, which the graph alone cannot tell from a second site that looks alike.
 */
function metadataKeys(
  fragments: Int32Array,
  count: number,
  rows: Int32Array,
  metadata: MetadataColumns | undefined,
  columns: string[],
): { column: string; keys: Int32Array } | null {
  let best: { column: string; v: number; table: Contingency } | null = null;
  for (const column of columns) {
    const all = metadata![column]!;
    const values = Array.from(rows, (r) => all[r] ?? null);
    const table = contingencyTable(fragments, values);
    if (table.rows < 2 || table.cols < 2) continue;
    const v = cramersV(table);
    if (v >= STEER_MIN_V && (!best || v > best.v)) best = { column, v, table };
  }
  if (!best) return null;
  const { table } = best;
  const keys = new Int32Array(count).fill(-1);
  for (let r = 0; r < table.rows; r++) {
    let top = 0;
    for (let c = 1; c < table.cols; c++) if (table.counts[r * table.cols + c]! > table.counts[r * table.cols + top]!) top = c;
    if (table.rowSums[r]! > 0 && table.counts[r * table.cols + top]! / table.rowSums[r]! >= STEER_MIN_SHARE) keys[table.rowKeys[r]!] = top;
  }
  return { column: best.column, keys };
}

/** The graph's k nearest per row (rows are sorted nearest first), or the graph itself when k ≥ its k. */
function truncateGraph(graph: KnnGraph, k: number): KnnGraph {
  if (k >= graph.k) return graph;
  const indices = new Int32Array(graph.n * k);
  const distances = new Float64Array(graph.n * k);
  for (let i = 0; i < graph.n; i++) {
    indices.set(graph.indices.subarray(i * graph.k, i * graph.k + k), i * k);
    distances.set(graph.distances.subarray(i * graph.k, i * graph.k + k), i * k);
  }
  return { n: graph.n, k, indices, distances, method: graph.method };
}

/** A 2-D view of `space`: its first two principal components (or the data itself when dim ≤ 2). */
function twoD(space: Points, rng: ReturnType<typeof createRng>): Float64Array {
  const { n, dim, data } = space;
  const out = new Float64Array(2 * n);
  if (dim <= 2 || n < 2) {
    for (let i = 0; i < n; i++) {
      out[2 * i] = data[i * dim]!;
      out[2 * i + 1] = dim >= 2 ? data[i * dim + 1]! : 0;
    }
    return out;
  }
  const p = pca(space, { components: 2, rng });
  out.set(p.projected);
  return out;
}

/** Renumbers DBSCAN clusters so group 0 is the largest (ties: the one whose first row comes first). */
export function renumberBySize(labels: Int32Array, clusters: number): { groups: Int32Array; sizes: number[] } {
  const size = new Array<number>(clusters).fill(0);
  for (const l of labels) if (l >= 0) size[l]!++;
  // DBSCAN numbers clusters by first row already, so a stable sort by size keeps that tie-break
  const order = Array.from({ length: clusters }, (_, c) => c).sort((a, b) => size[b]! - size[a]! || a - b);
  const map = new Int32Array(clusters);
  order.forEach((c, i) => (map[c] = i));
  const groups = labels.map((l) => (l >= 0 ? map[l]! : -1));
  return { groups, sizes: order.map((c) => size[c]!) };
}

function perGroupShares(groups: Int32Array, values: (string | null)[], sizes: number[]): GroupValueShare[] {
  const counts = sizes.map(() => new Map<string, number>());
  for (let r = 0; r < groups.length; r++) {
    const g = groups[r]!;
    const v = values[r];
    if (g < 0 || v === null || v === undefined) continue;
    const c = counts[g]!;
    c.set(v, (c.get(v) ?? 0) + 1);
  }
  return sizes.map((size, g) => {
    let best: string | null = null;
    let bestCount = 0;
    let known = 0;
    for (const [v, c] of counts[g]!) {
      known += c;
      if (c > bestCount || (c === bestCount && best !== null && v < best)) {
        best = v;
        bestCount = c;
      }
    }
    return { group: g, size, dominantValue: best, share: known > 0 ? bestCount / known : 0 };
  });
}

/**
 * Per pool row: its group within its class (what select()'s `groups` input takes), -1 for noise
 * and for rows no class mentions.
 */
export function groupsPerRow(findings: Pick<Findings, "classes">, n: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  for (const c of findings.classes) {
    for (let r = 0; r < c.rows.length; r++) {
      const row = c.rows[r]!;
      if (row < 0 || row >= n) throw new EngineInputError("BAD_ROW", "findings", `groupsPerRow: expected rows in 0..${n - 1}, got ${row}`);
      out[row] = c.groups[r]!;
    }
  }
  return out;
}
