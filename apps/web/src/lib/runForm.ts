// The new-run form's rules, checked in the browser before anything is sent. The server checks again
// (and knows the pool sizes); its errors are shown beside the same fields.

export const STRATEGIES = [
  { id: "confounder-aware", label: "Confounder-aware", hint: "Share the budget across confounder groups, then cover each group's spread.", needsAnalysis: true },
  { id: "random", label: "Random", hint: "Uniform at random within each class (baseline).", needsAnalysis: false },
  { id: "stratified", label: "Stratified", hint: "Random within strata of a metadata column (baseline).", needsAnalysis: false },
  { id: "kcenter", label: "k-center greedy", hint: "Cover the embedding space (baseline).", needsAnalysis: false },
  { id: "herding", label: "Herding", hint: "Match the class mean embedding (baseline).", needsAnalysis: false },
  { id: "facility-location", label: "Facility location", hint: "Representative submodular selection (baseline).", needsAnalysis: false },
  { id: "moderate", label: "Moderate", hint: "Samples of median distance to the class centre (baseline).", needsAnalysis: false },
] as const;

export const ALLOCATIONS = [
  { id: "proportional", label: "Proportional", hint: "Each group gets budget in proportion to its size." },
  { id: "balanced", label: "Balanced", hint: "Every group gets the same share (small groups fully taken)." },
  { id: "sqrt", label: "√ size", hint: "In between: share grows with the square root of group size." },
] as const;

export const WITHIN_GROUP = [
  { id: "facility-location", label: "Most representative", hint: "Facility location inside each group: the rows that best stand for the rest (default)." },
  { id: "quantile", label: "Spread by distance", hint: "One pick per band of distance to the group's centre, from core to rim." },
  { id: "nearest", label: "Nearest the centre", hint: "The group's most typical rows only." },
  { id: "kcenter", label: "k-center in group", hint: "Farthest-first inside each group: covers its outskirts." },
] as const;

export interface RunFormValues {
  name: string;
  strategy: string;
  budgetPerClass: string;
  allocation: string;
  withinGroup: string;
  seed: string;
  analysisId: string;
}

/** Field → message; empty when the form may be sent. `smallestClass` bounds the budget when known. */
export function validateRunForm(v: RunFormValues, smallestClass: number | null): Record<string, string> {
  const e: Record<string, string> = {};
  const strategy = STRATEGIES.find((s) => s.id === v.strategy);
  if (!strategy) e.strategy = `Choose a strategy (got "${v.strategy}").`;
  const budget = Number(v.budgetPerClass);
  if (v.budgetPerClass.trim() === "" || !Number.isInteger(budget) || budget < 1) e.budgetPerClass = `Budget per class must be a whole number ≥ 1 (got "${v.budgetPerClass}").`;
  else if (budget > 1_000_000) e.budgetPerClass = `Budget per class must be at most 1,000,000 (got ${budget}).`;
  else if (smallestClass != null && budget > smallestClass) e.budgetPerClass = `The smallest class has ${smallestClass} samples; a budget of ${budget} would take all of it. Choose at most ${smallestClass}.`;
  const seed = Number(v.seed);
  if (v.seed.trim() === "" || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) e.seed = `Seed must be a whole number from 0 to 2147483647 (got "${v.seed}").`;
  if (strategy?.needsAnalysis) {
    if (!v.analysisId) e.analysisId = "Confounder-aware selection needs a finished confounder analysis of this version.";
    if (!ALLOCATIONS.some((a) => a.id === v.allocation)) e.allocation = `Choose an allocation (got "${v.allocation}").`;
    if (!WITHIN_GROUP.some((w) => w.id === v.withinGroup)) e.withinGroup = `Choose how to pick inside a group (got "${v.withinGroup}").`;
  }
  if (v.name.length > 120) e.name = `Name must be at most 120 characters (got ${v.name.length}).`;
  return e;
}
