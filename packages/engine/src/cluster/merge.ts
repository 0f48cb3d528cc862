// Merges density fragments (DBSCAN clusters of a 2-D layout) that are one acquisition condition.
// UMAP/t-SNE tear one well-mixed condition into several dense islands; in the embedding (PCA)
// space the islands stay tightly linked, while distinct conditions barely touch. So the decision is
// made on the kNN graph of the PCA space, not on layout distances: agglomerate fragments greedily by
// modularity gain (Newman's ΔQ, as Louvain's second level does, starting from the fragments instead
// of single rows) and stop when no merge gains. Each fragment stays as a *mode* of its group.
import type { KnnGraph } from "../neighbors/graph.js";
import { EngineInputError } from "../types.js";

export interface MergeLink {
  /** The two fragments (modes, as numbered in MergeResult.modes) whose merge joined the group. */
  a: number;
  b: number;
  /**
   * kNN edges observed between the two sides over those expected if edges fell at random in
   * proportion to degree (PAGA's connectivity ratio); merged only when above `resolution`. 1 is chance.
   */
  connectivity: number;
  /** What decided the merge: the kNN graph, or a metadata level both sides are dominated by. */
  by: "graph" | "metadata";
}

export interface MergeResult {
  /** Per row: merged group 0..g-1 (largest first), -1 for noise. */
  groups: Int32Array;
  groupSizes: number[];
  /** Per row: fragment (mode) 0..f-1, numbered group by group, largest first within a group; -1 noise. */
  modes: Int32Array;
  modeSizes: number[];
  /** Per group: its modes, ascending (largest first). */
  groupModes: number[][];
  /** Per group: the merges that built it, in merge order (empty for a single fragment). */
  groupMerges: MergeLink[][];
  /**
   * Per group: the weakest merge's connectivity (how sure the least certain merge was), null for a
   * group of one fragment.
   */
  mergeConfidence: (number | null)[];
}

export interface MergeOptions {
  /** Modularity resolution γ: merge while observed/expected edges between two sides exceed γ (default 1). */
  resolution?: number;
  /**
   * Per fragment: the metadata level (0..) that dominates it, or -1. Fragments with the same level are
   * merged first, whatever the graph says (one site torn into islands by content); sides dominated by
   * different levels are never merged (two sites that touch in the graph stay apart). -1 sides follow
   * the graph alone.
   */
  keys?: Int32Array;
  /**
   * Called with the fragment ids of two sides before the graph merges them; true keeps them apart
   * (the next best pair is tried instead). Metadata merges (keys) are not asked. analyze() uses it for
   * the cross-class rule: sides whose mean difference recurs between fragments of another class.
   */
  separate?: (a: readonly number[], b: readonly number[]) => boolean;
}

/**
 * Greedy modularity agglomeration of `fragments` (per row, -1 = noise, 0..count-1) on the
 * symmetrised kNN graph. Deterministic: ties go to the smallest pair of fragment ids.
 */
export function mergeFragments(graph: KnnGraph, fragments: Int32Array, count: number, options: MergeOptions = {}): MergeResult {
  const { n, k, indices } = graph;
  if (fragments.length !== n) {
    throw new EngineInputError("BAD_LENGTH", "fragments", `mergeFragments: expected ${n} fragment labels (one per graph row), got ${fragments.length}`);
  }
  const gamma = options.resolution ?? 1;
  if (!(gamma > 0) || !Number.isFinite(gamma)) {
    throw new EngineInputError("BAD_RESOLUTION", "resolution", `mergeFragments: expected resolution > 0, got ${gamma}`);
  }
  // W[a][b]: weight between fragments, each directed kNN edge counted once in each direction so the
  // graph is symmetric (an edge found from both ends weighs 2). vol[a] = Σ_b W[a][b] (self included).
  const W = new Float64Array(count * count);
  for (let i = 0; i < n; i++) {
    const a = fragments[i]!;
    if (a < 0) continue;
    if (a >= count) throw new EngineInputError("BAD_LABEL", "fragments", `mergeFragments: fragment ${a} at row ${i} is not below ${count}`);
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!;
      if (j < 0) continue;
      const b = fragments[j]!;
      if (b < 0) continue;
      W[a * count + b]! += 1;
      W[b * count + a]! += 1;
    }
  }
  const vol = new Float64Array(count);
  let total = 0; // 2m
  for (let a = 0; a < count; a++) {
    for (let b = 0; b < count; b++) vol[a]! += W[a * count + b]!;
    total += vol[a]!;
  }
  const keys = options.keys;
  if (keys && keys.length !== count) {
    throw new EngineInputError("BAD_LENGTH", "keys", `mergeFragments: expected ${count} keys (one per fragment), got ${keys.length}`);
  }
  const key = keys ? Int32Array.from(keys) : new Int32Array(count).fill(-1);
  // union of fragments: each side is represented by its smallest fragment id
  const alive = new Uint8Array(count).fill(1);
  const members: number[][] = Array.from({ length: count }, (_, a) => [a]);
  const merges: MergeLink[][] = Array.from({ length: count }, () => []);
  const fold = (a: number, b: number, connectivity: number, by: MergeLink["by"]) => {
    for (let c = 0; c < count; c++) {
      if (c === a || c === b) continue;
      W[a * count + c]! += W[b * count + c]!;
      W[c * count + a] = W[a * count + c]!;
    }
    W[a * count + a]! += W[b * count + b]! + 2 * W[a * count + b]!;
    W[a * count + b] = 0;
    W[b * count + a] = 0;
    vol[a]! += vol[b]!;
    alive[b] = 0;
    if (key[a]! < 0) key[a] = key[b]!;
    merges[a]!.push({ a: members[a]![0]!, b: members[b]![0]!, connectivity, by }, ...merges[b]!);
    members[a]!.push(...members[b]!);
    members[b] = [];
    merges[b] = [];
  };
  const ratio = (a: number, b: number) => (vol[a]! > 0 && vol[b]! > 0 ? (W[a * count + b]! * total) / (vol[a]! * vol[b]!) : 0);
  // 1. metadata: same dominant level → one side (in fragment order, so deterministic)
  for (let a = 0; a < count; a++) {
    if (!alive[a] || key[a]! < 0) continue;
    for (let b = a + 1; b < count; b++) if (alive[b] && key[b] === key[a]) fold(a, b, ratio(a, b), "metadata");
  }
  // 2. the graph: greedy modularity gain, never across two different levels
  if (total > 0) {
    for (;;) {
      let best = -1;
      let bestA = -1;
      let bestB = -1;
      let bestGain = 0;
      for (let a = 0; a < count; a++) {
        if (!alive[a]) continue;
        for (let b = a + 1; b < count; b++) {
          if (!alive[b]) continue;
          if (key[a]! >= 0 && key[b]! >= 0 && key[a] !== key[b]) continue;
          const w = W[a * count + b]!;
          if (w === 0) continue;
          // ΔQ ∝ w_ab − γ·vol_a·vol_b / 2m  (both in symmetric-weight units)
          const gain = w - (gamma * vol[a]! * vol[b]!) / total;
          if (gain > bestGain && !(options.separate && options.separate(members[a]!, members[b]!))) {
            bestGain = gain;
            bestA = a;
            bestB = b;
            best = (w * total) / (vol[a]! * vol[b]!);
          }
        }
      }
      if (bestA < 0) break;
      fold(bestA, bestB, best, "graph");
    }
  }

  // sizes, then renumber: groups largest first (tie: smallest fragment id), modes by group then size
  const fragSize = new Array<number>(count).fill(0);
  for (const f of fragments) if (f >= 0) fragSize[f]!++;
  const roots = [...Array(count).keys()].filter((a) => alive[a]);
  const rootSize = (a: number) => members[a]!.reduce((s, f) => s + fragSize[f]!, 0);
  roots.sort((x, y) => rootSize(y) - rootSize(x) || x - y);
  const groupOfFrag = new Int32Array(count);
  const modeOfFrag = new Int32Array(count);
  const groupSizes: number[] = [];
  const modeSizes: number[] = [];
  const groupModes: number[][] = [];
  const groupMerges: MergeLink[][] = [];
  const mergeConfidence: (number | null)[] = [];
  roots.forEach((root, g) => {
    const frags = [...members[root]!].sort((x, y) => fragSize[y]! - fragSize[x]! || x - y);
    const ids: number[] = [];
    for (const f of frags) {
      groupOfFrag[f] = g;
      modeOfFrag[f] = modeSizes.length;
      ids.push(modeSizes.length);
      modeSizes.push(fragSize[f]!);
    }
    groupModes.push(ids);
    groupSizes.push(rootSize(root));
    const links = merges[root]!.map((l) => ({ a: modeOfFrag[l.a]!, b: modeOfFrag[l.b]!, connectivity: l.connectivity, by: l.by }));
    groupMerges.push(links);
    mergeConfidence.push(links.length ? Math.min(...links.map((l) => l.connectivity)) : null);
  });
  const groups = new Int32Array(n);
  const modes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = fragments[i]!;
    groups[i] = f >= 0 ? groupOfFrag[f]! : -1;
    modes[i] = f >= 0 ? modeOfFrag[f]! : -1;
  }
  return { groups, groupSizes, modes, modeSizes, groupModes, groupMerges, mergeConfidence };
}
