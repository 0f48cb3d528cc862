// qualityExclusions(findings, rules): which rows a selection leaves out because of data-quality
// findings (issue 14), each with its reason. Keys are the caller's (sample ids on the server, row
// indices in the CLI); `name(key)` writes a key in a reason.
//   duplicates       sets that share a member are one set (union–find), so every member of a chain of
//                    duplicates is accounted for; of each, the smallest key is kept, the rest excluded.
//   outlierRank R    the R most outlying of each class (ranks 0..R−1; rank 0 = most outlying).
//   outlierRatio x   outlier score at least x times its class's median.
//   labelErrorScore s  likely label errors (confident learning flagged them) with score ≥ s.
import { EngineInputError } from "../types.js";

export interface QualityExclusionRules {
  duplicates?: boolean;
  outlierRank?: number;
  outlierRatio?: number;
  labelErrorScore?: number;
}

export interface QualityFindingRow {
  key: number;
  label?: string;
  outlierRank: number | null;
  outlierRatio: number | null;
  labelErrorScore: number | null;
  labelIssue: boolean;
}

export interface QualityExclusions {
  /** Excluded key → reason (first rule that matched: duplicates, outliers, label errors). */
  excluded: Map<number, string>;
  counts: { duplicates: number; outliers: number; labelErrors: number; total: number };
  /** Duplicate sets (overlapping ones merged) that lost a member. */
  duplicateSets: number;
}

/** Checks the rules' ranges; EngineInputError naming the rule. */
export function checkQualityRules(rules: QualityExclusionRules): void {
  const { outlierRank, outlierRatio, labelErrorScore } = rules;
  if (outlierRank !== undefined && !(Number.isInteger(outlierRank) && outlierRank >= 1)) {
    throw new EngineInputError("BAD_PARAM", "outlierRank", `expected outlierRank to be an integer ≥ 1 (the most outlying R of each class), got ${outlierRank}`);
  }
  if (outlierRatio !== undefined && !(Number.isFinite(outlierRatio) && outlierRatio > 1)) {
    throw new EngineInputError("BAD_PARAM", "outlierRatio", `expected outlierRatio to be a multiple of the class median above 1, got ${outlierRatio}`);
  }
  if (labelErrorScore !== undefined && !(Number.isFinite(labelErrorScore) && labelErrorScore >= 0 && labelErrorScore <= 1)) {
    throw new EngineInputError("BAD_PARAM", "labelErrorScore", `expected labelErrorScore in [0, 1], got ${labelErrorScore}`);
  }
}

/** Keys to exclude from duplicate sets, keeping the smallest key of each (merged) set: excluded → kept. */
export function duplicateExclusions(sets: ReadonlyArray<ReadonlyArray<number>>): { excluded: Map<number, number>; sets: number } {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; parent.get(y) !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const set of sets) {
    for (const k of set) if (!parent.has(k)) parent.set(k, k);
    for (let i = 1; i < set.length; i++) {
      const a = find(set[0]!);
      const b = find(set[i]!);
      // The smaller key is the root, so the root is each component's kept member.
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    }
  }
  const excluded = new Map<number, number>();
  for (const k of parent.keys()) {
    const r = find(k);
    if (r !== k) excluded.set(k, r);
  }
  return { excluded, sets: new Set(excluded.values()).size };
}

export function qualityExclusions(
  rows: ReadonlyArray<QualityFindingRow>,
  duplicateSets: ReadonlyArray<ReadonlyArray<number>>,
  rules: QualityExclusionRules,
  name: (key: number) => string = String,
): QualityExclusions {
  checkQualityRules(rules);
  const excluded = new Map<number, string>();
  const counts = { duplicates: 0, outliers: 0, labelErrors: 0, total: 0 };
  let setCount = 0;
  if (rules.duplicates) {
    const d = duplicateExclusions(duplicateSets);
    setCount = d.sets;
    for (const [k, kept] of [...d.excluded].sort((a, b) => a[0] - b[0])) {
      excluded.set(k, `duplicate of ${name(kept)} (kept one of its set)`);
      counts.duplicates++;
    }
  }
  for (const row of rows) {
    if (excluded.has(row.key)) continue;
    const cls = row.label !== undefined ? ` in "${row.label}"` : " in its class";
    if (rules.outlierRank !== undefined && row.outlierRank !== null && row.outlierRank < rules.outlierRank) {
      excluded.set(row.key, `outlier: rank ${row.outlierRank + 1}${cls} (top ${rules.outlierRank} excluded)`);
      counts.outliers++;
    } else if (rules.outlierRatio !== undefined && row.outlierRatio !== null && row.outlierRatio >= rules.outlierRatio) {
      excluded.set(row.key, `outlier: ${row.outlierRatio.toFixed(2)}× the class median${cls} (≥ ${rules.outlierRatio} excluded)`);
      counts.outliers++;
    } else if (rules.labelErrorScore !== undefined && row.labelIssue && row.labelErrorScore !== null && row.labelErrorScore >= rules.labelErrorScore) {
      excluded.set(row.key, `likely label error: score ${row.labelErrorScore.toFixed(3)} (≥ ${rules.labelErrorScore} excluded)`);
      counts.labelErrors++;
    }
  }
  counts.total = excluded.size;
  return { excluded, counts, duplicateSets: setCount };
}
