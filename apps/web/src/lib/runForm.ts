// The new-run form's and the analysis form's rules, checked in the browser before anything is sent.
// The server checks again (and knows the pool sizes); its errors are shown beside the same fields.
// Choices are the generated schema's enums; every range, cap and default is the engine's declaration
// (`@stratum/engine/params`: plain data, no other engine code in the bundle), the one the API and the
// CLI check against, so no bound is typed here.
import {
  ANALYZE_PARAMS,
  RUN_FIELDS,
  SELECT_PARAMS,
  STRATEGIES as ENGINE_STRATEGIES,
  STRATEGY_TEXT,
  describeRange,
  inRange,
  type RangeParam,
  type StrategyText,
} from "@stratum/engine/params";
import { Allocation, Strategy, WithinGroup } from "@/gql/graphql";

// The choices are the schema's enums (generated from the engine's lists into src/gql). A strategy's
// label and hint are the engine's declaration (STRATEGY_TEXT, beside the list itself), matched to the
// generated value by the server's enum naming (confounder-aware → CONFOUNDER_AWARE); runForm.test
// fails when a generated value has no declared text. Only the allocation and within-group labels and
// hints are written here, in Records keyed by the generated types, so a value added to the engine
// fails this file's typecheck until it has a label.
const enumName = (value: string) => value.toUpperCase().replace(/-/g, "_");
const STRATEGY_TEXT_OF = new Map<string, StrategyText>(ENGINE_STRATEGIES.map((s) => [enumName(s), STRATEGY_TEXT[s]]));

const ALLOCATION_TEXT: Record<Allocation, { label: string; hint: string }> = {
  PROPORTIONAL: { label: "Proportional", hint: "Each group gets budget in proportion to its size." },
  BALANCED: { label: "Balanced", hint: "Every group gets the same share (small groups fully taken)." },
  SQRT: { label: "√ size", hint: "In between: share grows with the square root of group size." },
};

const WITHIN_GROUP_TEXT: Record<WithinGroup, { label: string; hint: string }> = {
  FACILITY_LOCATION: { label: "Most representative", hint: "Facility location inside each group: the rows that best stand for the rest (default)." },
  QUANTILE: { label: "Spread by distance", hint: "One pick per band of distance to the group's centre, from core to rim." },
  NEAREST: { label: "Nearest the centre", hint: "The group's most typical rows only." },
  KCENTER: { label: "k-center in group", hint: "Farthest-first inside each group: covers its outskirts." },
};

/** The schema's values in its order (confounder-aware sorts first), each with its label and hint. */
export const STRATEGIES = Object.values(Strategy).map((id) => {
  const text = STRATEGY_TEXT_OF.get(id);
  return { id, label: text?.label ?? id, hint: text?.hint ?? "", needsAnalysis: text?.needsGroups ?? false };
});
export const ALLOCATIONS = Object.values(Allocation).map((id) => ({ id, ...ALLOCATION_TEXT[id] }));
export const WITHIN_GROUP = Object.values(WithinGroup).map((id) => ({ id, ...WITHIN_GROUP_TEXT[id] }));

/** A run's strategy as people read it ("Confounder-aware"), for tables and titles. */
export function strategyLabel(s: Strategy): string {
  return STRATEGY_TEXT_OF.get(s)?.label ?? s;
}

/** `value` if it is one of the enum's values (a form's string → the generated type), else undefined. */
export function enumValue<T extends string>(values: Readonly<Record<string, T>>, value: string): T | undefined {
  return (Object.values(values) as string[]).includes(value) ? (value as T) : undefined;
}

/** The API's `Seed` scalar range: the engine's declared seed (SEED_MIN..SEED_MAX, a uint32). */
export const SEED_MIN = SELECT_PARAMS.seed.min;
export const SEED_MAX = SELECT_PARAMS.seed.max;

/**
 * A declared numeric parameter as typed: blank is "not given" (the default); an int takes digits only
 * (no "1e3", no "0x10", no "1.5"), a number any finite decimal. Checked against the declared range.
 */
export function paramFromText(spec: RangeParam, text: string): { value?: number; error?: string } {
  const t = text.trim();
  if (t === "") return {};
  const n = spec.type === "int" ? (/^-?\d+$/.test(t) ? Number(t) : NaN) : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN;
  return inRange(spec, n) ? { value: n } : { error: `expected ${describeRange({ ...spec, auto: false, nullable: false } as RangeParam)}, got "${text}"` };
}

/** Whether a typed seed is a whole number in SEED_MIN..SEED_MAX (digits only: no "1e3", no "0x10"). */
export function isSeedText(text: string): boolean {
  return text.trim() !== "" && paramFromText(SELECT_PARAMS.seed, text).value !== undefined;
}

export interface RunFormValues {
  name: string;
  strategy: string;
  /** The budget per class: one name, as the API (selectionRunStart.perClass) and the engine call it. */
  perClass: string;
  allocation: string;
  withinGroup: string;
  seed: string;
  analysisId: string;
  /** confounder-aware: metadata columns declared as known confounders (site first). */
  declared?: string[];
}

/**
 * Field → message; empty when the form may be sent. The budget rule is the server's and the engine's:
 * at most the largest class (`largestClass`, when known); a smaller class is taken whole.
 */
export function validateRunForm(v: RunFormValues, largestClass: number | null): Record<string, string> {
  const e: Record<string, string> = {};
  const strategy = STRATEGIES.find((s) => s.id === v.strategy);
  if (!strategy) e.strategy = `Choose a strategy (got "${v.strategy}").`;
  const budget = paramFromText(SELECT_PARAMS.perClass, v.perClass).value;
  if (budget === undefined) e.perClass = `Budget per class must be a whole number ≥ ${SELECT_PARAMS.perClass.min} (got "${v.perClass}").`;
  else if (largestClass != null && budget > largestClass) e.perClass = `The largest class has ${largestClass} samples; choose at most ${largestClass} (smaller classes are taken whole).`;
  if (!isSeedText(v.seed)) e.seed = `Seed must be a whole number from ${SEED_MIN} to ${SEED_MAX} (got "${v.seed}").`;
  if (strategy?.needsAnalysis) {
    if (!v.analysisId) e.analysisId = "Confounder-aware selection needs a finished confounder analysis of this version.";
    if (!ALLOCATIONS.some((a) => a.id === v.allocation)) e.allocation = `Choose an allocation (got "${v.allocation}").`;
    if (!WITHIN_GROUP.some((w) => w.id === v.withinGroup)) e.withinGroup = `Choose how to pick inside a group (got "${v.withinGroup}").`;
  }
  const declaredMax = SELECT_PARAMS.declared.maxItems;
  if ((v.declared?.length ?? 0) > declaredMax) e.declared = `Declare at most ${declaredMax} columns (got ${v.declared!.length}).`;
  if (v.declared?.length && !strategy?.needsAnalysis) e.declared = "Only confounder-aware selection balances declared confounders.";
  const nameMax = RUN_FIELDS.name.maxLength;
  if (v.name.length > nameMax) e.name = `Name must be at most ${nameMax} characters (got ${v.name.length}).`;
  return e;
}

/** The analysis form as typed; blank eps/minPts mean "choose automatically" (the declared defaults). */
export interface AnalysisFormValues {
  reduce: string;
  eps: string;
  minPts: string;
  seed: string;
}

/** The analysis form's params for analysisStart, or field → message when it may not be sent. */
export function analysisFormParams(form: AnalysisFormValues): { params?: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const params: Record<string, unknown> = { reduce: form.reduce };
  const eps = paramFromText(ANALYZE_PARAMS.eps, form.eps);
  if (eps.error) errors.eps = `${eps.error} (or blank for auto)`;
  else if (eps.value !== undefined) params.eps = eps.value;
  const minPts = paramFromText(ANALYZE_PARAMS.minPts, form.minPts);
  if (minPts.error) errors.minPts = `${minPts.error} (or blank for auto)`;
  else if (minPts.value !== undefined) params.minPts = minPts.value;
  if (!isSeedText(form.seed)) errors.seed = `expected a whole number from ${SEED_MIN} to ${SEED_MAX}, got "${form.seed}"`;
  else params.seed = Number(form.seed.trim());
  return Object.keys(errors).length ? { errors } : { params, errors };
}

/** A group of the chosen analysis as the run form sees it. */
export interface FormGroup {
  label: string;
  index: number;
  isNoise: boolean;
  verdict: string;
  /** As the API gives it: the curator's name, else "<label> #<index>". */
  name: string;
}

/**
 * Per class, what confounder-aware will allocate over under the current verdicts, as the select job
 * does: rejected groups are the class's rest; groups a curator gave the same name (trimmed, any case)
 * are one group; the others as discovered.
 */
export function effectiveGroupCounts(groups: ReadonlyArray<FormGroup>): { label: string; groups: number; rejected: number; merged: number }[] {
  const byLabel = new Map<string, { keys: Set<string>; rejected: number; named: number }>();
  for (const g of groups) {
    if (g.isNoise) continue;
    let c = byLabel.get(g.label);
    if (!c) byLabel.set(g.label, (c = { keys: new Set(), rejected: 0, named: 0 }));
    if (g.verdict === "REJECTED") {
      c.rejected++;
      continue;
    }
    const given = g.name.trim() !== "" && g.name !== `${g.label} #${g.index}`;
    c.keys.add(given ? `=${g.name.trim().toLowerCase()}` : `#${g.index}`);
    if (given) c.named++;
  }
  return [...byLabel.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, c]) => {
      const namedKeys = [...c.keys].filter((k) => k.startsWith("=")).length;
      return { label, groups: c.keys.size, rejected: c.rejected, merged: c.named - namedKeys };
    });
}

const RULE_WORDS: Record<Allocation, string> = {
  BALANCED: "shared equally",
  PROPORTIONAL: "shared in proportion to their size",
  SQRT: "shared by the square root of their size",
};

function declaredWords(declared: ReadonlyArray<string>): { across: string; inside: string } {
  if (declared.length === 1) {
    const c = declared[0]!;
    return c === "site" ? { across: "sites", inside: "each site" } : { across: `the levels of ${c}`, inside: `each ${c} level` };
  }
  const all = declared.join(" × ");
  return { across: `the combinations of ${all}`, inside: "each combination" };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The run form's plain-words sentence of what a confounder-aware run will balance, e.g. "Each class's
 * 50 picks are shared equally across sites, then across the 3 discovered groups inside each site;
 * 1 rejected group is treated as ordinary rows."
 */
export function describeBalance(opts: { perClass: number; allocation: string; declared: ReadonlyArray<string>; groups: ReadonlyArray<FormGroup> | null }): string {
  const known = enumValue(Allocation, opts.allocation);
  const rule = known ? RULE_WORDS[known] : `shared by the ${opts.allocation} rule`;
  const counts = opts.groups ? effectiveGroupCounts(opts.groups) : null;
  const same = counts && counts.length > 0 && counts.every((c) => c.groups === counts[0]!.groups);
  const groupsPhrase = !counts || counts.length === 0
    ? "the discovered groups"
    : same
      ? `the ${plural(counts[0]!.groups, "discovered group")}`
      : `the discovered groups (${counts.map((c) => `${c.label}: ${c.groups}`).join(", ")})`;
  const picks = `Each class's ${opts.perClass} ${opts.perClass === 1 ? "pick is" : "picks are"} ${rule}`;
  let sentence = opts.declared.length
    ? `${picks} across ${declaredWords(opts.declared).across}, then across ${groupsPhrase} inside ${declaredWords(opts.declared).inside}`
    : `${picks} across ${groupsPhrase}`;
  const notes: string[] = [];
  const rejected = counts?.reduce((s, c) => s + c.rejected, 0) ?? 0;
  const merged = counts?.reduce((s, c) => s + c.merged, 0) ?? 0;
  if (rejected) notes.push(`${plural(rejected, "rejected group")} ${rejected === 1 ? "is" : "are"} treated as ordinary rows`);
  if (merged) notes.push(`${plural(merged, "group")} named like another ${merged === 1 ? "counts" : "count"} as one with it`);
  sentence += notes.length ? `; ${notes.join("; ")}.` : ".";
  return sentence;
}
