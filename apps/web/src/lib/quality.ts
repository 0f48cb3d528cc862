// The data-quality form and lists (issue 14): parameters as typed, checked against the server's ranges
// before sending (the server checks them again, naming the field), and how a duplicate set's flags read.

/** Cosine distance 1 − cos lives in [0, 2]; the server takes (0, 2]. Blank = the engine's default. */
export const THRESHOLD_MAX = 2;
export const K_MIN = 1;
export const K_MAX = 100;

export interface QualityForm {
  threshold: string;
  k: string;
  outlierK: string;
  crossVersions: boolean;
}

export const DEFAULT_QUALITY_FORM: QualityForm = { threshold: "", k: "10", outlierK: "10", crossVersions: true };

export interface QualityParams {
  threshold?: number;
  k?: number;
  outlierK?: number;
  crossVersions: boolean;
}

/** Parameters for dataQualityStart, or errors by field (the same names as the server's input.params.<field>). */
export function qualityParams(form: QualityForm): { params?: QualityParams; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const params: QualityParams = { crossVersions: form.crossVersions };
  const t = form.threshold.trim();
  if (t !== "") {
    const v = Number(t);
    if (!Number.isFinite(v) || v <= 0 || v > THRESHOLD_MAX) errors.threshold = `threshold: expected a cosine distance in (0, ${THRESHOLD_MAX}] or blank for the default, got "${form.threshold}"`;
    else params.threshold = v;
  }
  for (const field of ["k", "outlierK"] as const) {
    const text = form[field].trim();
    if (text === "") continue;
    const v = Number(text);
    if (!Number.isInteger(v) || v < K_MIN || v > K_MAX) errors[field] = `${field}: expected a whole number from ${K_MIN} to ${K_MAX}, got "${form[field]}"`;
    else params[field] = v;
  }
  return Object.keys(errors).length ? { errors } : { params, errors };
}

export interface SetFlags {
  crossSite: boolean;
  crossSplit: boolean;
  conflictingLabels: boolean;
}

export type FlagTone = "bad" | "warn" | "accent";

/** A set's flags in the order they matter: leakage into another split, then two sites, then two labels. */
export function flagBadges(s: SetFlags & { sites?: readonly string[]; labels?: readonly string[] }): { key: keyof SetFlags; text: string; tone: FlagTone; title: string }[] {
  const out: { key: keyof SetFlags; text: string; tone: FlagTone; title: string }[] = [];
  if (s.crossSplit) out.push({ key: "crossSplit", text: "across versions", tone: "bad", title: "Also in another version of the consortium (e.g. a test split): leakage into an evaluation." });
  if (s.crossSite) out.push({ key: "crossSite", text: `sites ${s.sites?.join(", ") ?? ""}`.trim(), tone: "warn", title: "The same image at two or more sites (e.g. a patient referred between hospitals)." });
  if (s.conflictingLabels) out.push({ key: "conflictingLabels", text: `labels ${s.labels?.join(" / ") ?? ""}`.trim(), tone: "bad", title: "The copies carry different labels." });
  return out;
}

/** "0.00213" for small distances, fewer digits for large ones. */
export function fmtDistance(d: number | null | undefined): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return "—";
  if (d === 0) return "0";
  return d < 0.01 ? d.toExponential(2) : d.toFixed(3);
}

/** Outlier rows grouped by class, in rank order, at most `perClass` each. */
export function topPerClass<T extends { label: string; outlierRank: number }>(rows: readonly T[], perClass: number): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of [...rows].sort((a, b) => a.outlierRank - b.outlierRank || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))) {
    const list = out.get(r.label) ?? [];
    if (list.length < perClass) list.push(r);
    out.set(r.label, list);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
