// findings.json: the file `stratum analyze` writes and `stratum select --findings` reads. Rows are
// named by sample id, not by position, so a findings file stays valid against a re-ordered pool.
// This module is the file's shape only; the conversion from and to the engine's findings (pool rows
// and typed arrays) lives with the caller (packages/cli/src/findings.ts), as formats imports no engine.
//
// {"format":"stratum.findings/1", "params":{...},
//  "classes":[{"label", "n", "reduce", "pcaComponents", "explainedVariance"?, "eps", "minPts", "epsAuto", "mergeColumn"?,
//              "groups":[{"id", "size", "members":[ids], "modes"?:[{"size", "members":[ids]}],
//                         "mergeConfidence"?: number|null}], "noise":[ids],
//              "layout":{"ids":[...], "xy":[x0, y0, x1, y1, ...]}}],
//  "associations":[{"label", "column", "cramersV", "ami", "pValue", "chiSquare", "df", "n",
//                   "predictability"?: {"accuracy", "chance", "k"}, "perGroup":[...]}]}
//
// A reader needs only label, groups[].members, noise, eps and minPts per class; everything else is
// optional (files from before a field existed lack it).

export const FINDINGS_FORMAT = "stratum.findings/1";

export interface FindingsFileGroup {
  id: number;
  size: number;
  members: string[];
  /** The group's modes (merged layout fragments); absent in files from before the merge. */
  modes?: { size: number; members: string[] }[];
  mergeConfidence?: number | null;
}

export interface FindingsFileClass {
  label: string;
  n: number;
  /** "umap" | "tsne" | "pca" | "none" (the analysis' reduction). */
  reduce: string;
  pcaComponents: number;
  explainedVariance?: number[];
  eps: number;
  minPts: number;
  epsAuto: boolean;
  /** The metadata column that steered the merge, if any (absent in older files). */
  mergeColumn?: string | null;
  groups: FindingsFileGroup[];
  noise: string[];
  layout: { ids: string[]; xy: number[] };
}

/** The analysis' resolved parameters; keys added later are optional (older files lack them). */
export interface FindingsFileParams {
  reduce: string;
  pcaComponents: number | null;
  eps: number | "auto";
  minPts: number | "auto";
  seed: number;
  perplexity?: number;
  nNeighbors?: number;
  predictabilityK?: number;
  merge?: boolean;
  mergeResolution?: number;
  mergeMetadata?: boolean;
  mergeCrossClass?: number | null;
  /** Rounds of membership refinement after the merge (0 = none). */
  refine?: number;
}

export interface FindingsFileAssociation {
  label: string;
  column: string;
  cramersV: number;
  ami: number;
  pValue: number;
  chiSquare: number;
  df: number;
  n: number;
  predictability?: { accuracy: number; chance: number; k: number };
  perGroup: { group: number; size: number; dominantValue: string | null; share: number }[];
}

export interface FindingsFile {
  format: typeof FINDINGS_FORMAT;
  params: FindingsFileParams;
  classes: FindingsFileClass[];
  associations: FindingsFileAssociation[];
}
