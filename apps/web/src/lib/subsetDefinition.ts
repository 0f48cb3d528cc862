// Saved subsets' definitions in words (the subsets table) and the lasso polygon as the API takes it.
// Pure functions, unit-tested (subsetDefinition.test.ts).
import type { SubsetKind } from "@/gql/graphql";

/** The API's vertex bounds for a lasso polygon (apps/server subset.input.ts LASSO_VERTICES). */
export const LASSO_MAX_VERTICES = 2000;

/**
 * The drawn stroke (flat [x0, y0, x1, y1, …], as the map records it) as vertices [x, y], thinned
 * evenly to at most `max` (first vertex kept, the rest by stride) and with non-finite points dropped.
 */
export function lassoPolygon(flat: readonly number[], max = LASSO_MAX_VERTICES): [number, number][] {
  const all: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const x = flat[i]!, y = flat[i + 1]!;
    if (Number.isFinite(x) && Number.isFinite(y)) all.push([x, y]);
  }
  if (all.length <= max) return all;
  const out: [number, number][] = [];
  const step = all.length / max;
  for (let k = 0; k < max; k++) out.push(all[Math.floor(k * step)]!);
  return out;
}

const KIND_WORDS: Record<SubsetKind, string> = { LASSO: "lasso", SEARCH: "search", QUALITY_FILTER: "quality filter", METADATA_FILTER: "metadata filter", MANUAL: "list" };

export function subsetKindWords(kind: SubsetKind): string {
  return KIND_WORDS[kind];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const when = (iso: unknown) => (typeof iso === "string" && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") : null);

/** One line on what made a subset, e.g. "lasso, 12 vertices on the analysis of 2026-12-04 18:20". */
export function subsetSummary(kind: SubsetKind, definition: unknown): string {
  const d = isObject(definition) ? definition : {};
  const words = KIND_WORDS[kind];
  switch (kind) {
    case "LASSO": {
      const lasso = isObject(d.lasso) ? d.lasso : null;
      if (!lasso) return `${words} (no polygon recorded)`;
      const n = typeof lasso.vertexCount === "number" ? lasso.vertexCount : Array.isArray(lasso.polygon) ? lasso.polygon.length : 0;
      const at = when(lasso.analysisCreatedAt);
      return `${words}, ${plural(n, "vertex", "vertices")} on the analysis ${at ? `of ${at}` : String(lasso.analysisId ?? "")}`.trimEnd();
    }
    case "SEARCH":
      return typeof d.k === "number" ? `${words}, top ${d.k} like one sample` : words;
    case "QUALITY_FILTER": {
      const rules = isObject(d.rules) ? d.rules : {};
      const parts: string[] = [];
      if (rules.duplicates) parts.push("duplicates");
      if (typeof rules.outlierRank === "number") parts.push(`top ${rules.outlierRank} outliers per class`);
      if (typeof rules.outlierRatio === "number") parts.push(`outliers ≥ ${rules.outlierRatio}× the class median`);
      if (typeof rules.labelErrorScore === "number") parts.push(`label errors ≥ ${rules.labelErrorScore}`);
      return parts.length ? `${words}: ${parts.join(", ")}` : words;
    }
    case "METADATA_FILTER": {
      const values = Array.isArray(d.values) ? d.values.map(String) : [];
      if (typeof d.column !== "string") return words;
      const shown = values.slice(0, 3).join(", ") + (values.length > 3 ? `, +${values.length - 3} more` : "");
      return `${words}: ${d.column} = ${shown}`;
    }
    case "MANUAL":
      return words;
  }
}
