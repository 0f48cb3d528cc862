// Metrics of any selection against its pool: class balance, allocation over confounder groups (with
// total-variation distance from the pool's mix), coverage (distance from each pool point to its
// nearest selected point of the same class) and MMD (RBF) between selection and pool, per class.
import { createRng } from "../rng.js";
import { EngineInputError, type Points } from "../types.js";
import { compareStrings, sampleWithoutReplacement } from "../select/common.js";
import { mmdRbf } from "./mmd.js";

export interface SelectionMetricsInput {
  points: Points;
  labels: ReadonlyArray<string>;
  /** Per row: confounder group within its class, −1 = noise (as for select()). Enables allocation metrics. */
  groups?: Int32Array;
}

export interface SelectionMetricsOptions {
  /** Pool points per class used for MMD (seeded subsample when larger); default 1000. */
  mmdMaxPool?: number;
  /** Seed of that subsample; default 0. */
  seed?: number;
  /** Compute coverage (O(pool × selected × dim)); default true. */
  coverage?: boolean;
  /** Compute MMD; default true. */
  mmd?: boolean;
}

export interface GroupShare {
  group: number;
  pool: number;
  /** pool / class pool. */
  poolShare: number;
  selected: number;
  /** selected / class selected (0 when nothing of the class was selected). */
  selectedShare: number;
}

export interface ClassMetrics {
  label: string;
  pool: number;
  selected: number;
  /** Per confounder group (ascending, noise −1 last), when groups were given. */
  groups?: GroupShare[];
  /** ½ Σ |selectedShare − poolShare| over groups: 0 = same mix as the pool, 1 = disjoint. */
  allocationTv?: number;
  /** Mean / max Euclidean distance from each pool point of the class to its nearest selected one; null if none selected. */
  coverageMean: number | null;
  coverageMax: number | null;
  /** MMD (RBF, median heuristic) between the class's selection and its pool; null if none selected. */
  mmd: number | null;
}

export interface SelectionMetrics {
  selected: number;
  /** Selected count and share per class (sorted labels). */
  classBalance: { label: string; selected: number; share: number }[];
  /** ½ Σ |share − 1/C| over classes: 0 = perfectly balanced. */
  classBalanceTv: number;
  perClass: ClassMetrics[];
  /** Mean of allocationTv over classes; null without groups. */
  allocationTv: number | null;
  /** Over all pool points (each to the nearest selected point of its class). */
  coverageMean: number | null;
  coverageMax: number | null;
  /** Mean of per-class MMD. */
  mmd: number | null;
}

function subsetPoints(points: Points, rows: ArrayLike<number>): Points {
  const { data, dim } = points;
  const out = new Float64Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r]! * dim, rows[r]! * dim + dim), r * dim);
  return { data: out, n: rows.length, dim };
}

/** selectionMetrics(input, selectedRows, options) — see SelectionMetrics. */
export function selectionMetrics(input: SelectionMetricsInput, selectedRows: ArrayLike<number>, options: SelectionMetricsOptions = {}): SelectionMetrics {
  const { points, labels, groups } = input;
  const { n, dim, data } = points;
  if (labels.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "labels", `expected ${n} labels, got ${labels.length}`);
  if (groups && groups.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "groups", `expected ${n} groups, got ${groups.length}`);
  const isSel = new Uint8Array(n);
  for (let k = 0; k < selectedRows.length; k++) {
    const r = selectedRows[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new EngineInputError("BAD_ROW", "selectedRows", `expected a row in 0..${n - 1}, got ${r} at position ${k}`);
    if (isSel[r]) throw new EngineInputError("DUPLICATE_ROW", "selectedRows", `expected distinct rows, got ${r} twice`);
    isSel[r] = 1;
  }
  const classRows = new Map<string, number[]>();
  labels.forEach((l, i) => {
    let list = classRows.get(l);
    if (!list) classRows.set(l, (list = []));
    list.push(i);
  });
  const classes = [...classRows.keys()].sort(compareStrings);
  const total = selectedRows.length;
  const wantCoverage = options.coverage ?? true;
  const wantMmd = options.mmd ?? true;
  const mmdMax = options.mmdMaxPool ?? 1000;
  const rng = createRng(options.seed ?? 0);

  let covSum = 0;
  let covCount = 0;
  let covMax = 0;
  const perClass: ClassMetrics[] = classes.map((label) => {
    const rows = classRows.get(label)!;
    const sel = rows.filter((r) => isSel[r]);
    const cm: ClassMetrics = { label, pool: rows.length, selected: sel.length, coverageMean: null, coverageMax: null, mmd: null };
    if (groups) {
      const poolCount = new Map<number, number>();
      const selCount = new Map<number, number>();
      for (const r of rows) poolCount.set(groups[r]!, (poolCount.get(groups[r]!) ?? 0) + 1);
      for (const r of sel) selCount.set(groups[r]!, (selCount.get(groups[r]!) ?? 0) + 1);
      const ids = [...poolCount.keys()].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
      cm.groups = ids.map((g) => ({
        group: g,
        pool: poolCount.get(g)!,
        poolShare: poolCount.get(g)! / rows.length,
        selected: selCount.get(g) ?? 0,
        selectedShare: sel.length ? (selCount.get(g) ?? 0) / sel.length : 0,
      }));
      cm.allocationTv = sel.length ? cm.groups.reduce((s, g) => s + Math.abs(g.selectedShare - g.poolShare), 0) / 2 : 1;
    }
    if (sel.length && wantCoverage) {
      let sum = 0;
      let max = 0;
      for (const r of rows) {
        let best = Infinity;
        const o = r * dim;
        for (const s of sel) {
          const q = s * dim;
          let d2 = 0;
          for (let t = 0; t < dim; t++) {
            const x = data[o + t]! - data[q + t]!;
            d2 += x * x;
            if (d2 >= best) break;
          }
          if (d2 < best) best = d2;
        }
        const d = Math.sqrt(best);
        sum += d;
        if (d > max) max = d;
      }
      cm.coverageMean = sum / rows.length;
      cm.coverageMax = max;
      covSum += sum;
      covCount += rows.length;
      covMax = Math.max(covMax, max);
    }
    if (sel.length && wantMmd) {
      const poolRows = rows.length > mmdMax ? sampleWithoutReplacement(rows, mmdMax, rng.next).sort((a, b) => a - b) : rows;
      cm.mmd = mmdRbf(subsetPoints(points, sel), subsetPoints(points, poolRows)).mmd;
    }
    return cm;
  });
  const C = classes.length;
  const classBalance = perClass.map((c) => ({ label: c.label, selected: c.selected, share: total ? c.selected / total : 0 }));
  const withMmd = perClass.filter((c) => c.mmd !== null);
  return {
    selected: total,
    classBalance,
    classBalanceTv: classBalance.reduce((s, c) => s + Math.abs(c.share - 1 / C), 0) / 2,
    perClass,
    allocationTv: groups ? perClass.reduce((s, c) => s + c.allocationTv!, 0) / C : null,
    coverageMean: covCount ? covSum / covCount : null,
    coverageMax: covCount ? covMax : null,
    mmd: withMmd.length ? withMmd.reduce((s, c) => s + c.mmd!, 0) / withMmd.length : null,
  };
}
