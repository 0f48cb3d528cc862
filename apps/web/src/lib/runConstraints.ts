// The run form's pool / exclusion / must-include options (issue 14) in plain words, and their checks
// before anything is sent. The server resolves them again (and knows the exact counts).

export interface SubsetChoice {
  id: string;
  name: string;
  memberCount: number;
}

export interface ConstraintValues {
  poolSubsetId: string;
  excludeSubsetIds: string[];
  includeSubsetIds: string[];
  excludeDuplicates: boolean;
  /** "" = off; else the R most outlying of each class. */
  outlierRank: string;
  /** "" = off; else likely label errors with score ≥ this. */
  labelErrorScore: string;
}

export const NO_CONSTRAINTS: ConstraintValues = { poolSubsetId: "", excludeSubsetIds: [], includeSubsetIds: [], excludeDuplicates: false, outlierRank: "", labelErrorScore: "" };

/** What the latest data-quality report says, for the sentences (null: no report yet). */
export interface QualityFacts {
  /** Duplicate samples beyond the first of each set (what "keep one of each" leaves out). */
  duplicateExtras: number;
  duplicateSets: number;
  /** Label errors the chosen score leaves out. */
  labelIssues: number;
  /** Outliers the chosen rank leaves out. */
  outliers: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** Field → message; empty when the options may be sent. */
export function validateConstraints(v: ConstraintValues, perClass: number, hasReport: boolean, subsets: ReadonlyArray<SubsetChoice>): Record<string, string> {
  const e: Record<string, string> = {};
  const quality = v.excludeDuplicates || v.outlierRank.trim() !== "" || v.labelErrorScore.trim() !== "";
  if (quality && !hasReport) e.qualityExclusions = "These exclusions need a data-quality report of this version: run one on the Data quality tab first.";
  if (v.outlierRank.trim() !== "" && !/^\d+$/.test(v.outlierRank.trim())) e.outlierRank = `Outlier rank must be a whole number ≥ 1 (got "${v.outlierRank}").`;
  else if (v.outlierRank.trim() !== "" && Number(v.outlierRank) < 1) e.outlierRank = "Outlier rank must be at least 1.";
  const s = Number(v.labelErrorScore);
  if (v.labelErrorScore.trim() !== "" && !(Number.isFinite(s) && s >= 0 && s <= 1)) e.labelErrorScore = `Label-error score must be between 0 and 1 (got "${v.labelErrorScore}").`;
  if (v.poolSubsetId && v.excludeSubsetIds.includes(v.poolSubsetId)) e.excludeSubsetIds = "The pool subset cannot also be excluded.";
  const included = v.includeSubsetIds.reduce((t, id) => t + (subsets.find((x) => x.id === id)?.memberCount ?? 0), 0);
  // Only a hint: the budget is per class, and the server counts per class exactly.
  if (Number.isFinite(perClass) && perClass > 0 && included > perClass * 64) e.includeSubsetIds = `${plural(included, "must-include sample")} is far more than the budget of ${perClass} per class.`;
  return e;
}

/** The API's fields for selectionRunStart (only those set). */
export function constraintInput(v: ConstraintValues) {
  const quality = {
    ...(v.excludeDuplicates ? { duplicates: true } : {}),
    ...(v.outlierRank.trim() !== "" ? { outlierRank: Number(v.outlierRank) } : {}),
    ...(v.labelErrorScore.trim() !== "" ? { labelErrorScore: Number(v.labelErrorScore) } : {}),
  };
  return {
    ...(v.poolSubsetId ? { poolSubsetId: v.poolSubsetId } : {}),
    ...(v.excludeSubsetIds.length ? { excludeSubsetIds: v.excludeSubsetIds } : {}),
    ...(v.includeSubsetIds.length ? { includeSubsetIds: v.includeSubsetIds } : {}),
    ...(Object.keys(quality).length ? { qualityExclusions: quality } : {}),
  };
}

/** One sentence per option chosen, e.g. "Exclude 12 duplicates, keep one of each of 9 sets." */
export function describeConstraints(v: ConstraintValues, subsets: ReadonlyArray<SubsetChoice>, facts: QualityFacts | null): string[] {
  const name = (id: string) => subsets.find((s) => s.id === id);
  const out: string[] = [];
  const pool = name(v.poolSubsetId);
  if (pool) out.push(`Select only from “${pool.name}” (${plural(pool.memberCount, "sample")}).`);
  for (const id of v.excludeSubsetIds) {
    const s = name(id);
    if (s) out.push(`Leave out the ${plural(s.memberCount, "sample")} of “${s.name}”.`);
  }
  for (const id of v.includeSubsetIds) {
    const s = name(id);
    if (s) out.push(`Always take the ${plural(s.memberCount, "sample")} of “${s.name}”; they count against each class's budget.`);
  }
  if (v.excludeDuplicates) {
    out.push(facts ? `Exclude ${plural(facts.duplicateExtras, "duplicate")}, keep one of each of ${plural(facts.duplicateSets, "set")}.` : "Exclude duplicates, keep one of each set.");
  }
  const r = Number(v.outlierRank);
  if (v.outlierRank.trim() !== "" && r >= 1) out.push(`Exclude the ${r === 1 ? "most outlying sample" : `${r} most outlying samples`} of each class${facts ? ` (${plural(facts.outliers, "sample")})` : ""}.`);
  if (v.labelErrorScore.trim() !== "") {
    out.push(`Exclude likely label errors scoring ${v.labelErrorScore} or more${facts ? ` (${plural(facts.labelIssues, "sample")})` : ""}.`);
  }
  return out;
}
