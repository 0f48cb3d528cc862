// The linear-probe evaluator: train multinomial logistic regression on a selection's embeddings,
// then measure it on a held-out test split. Accuracy, balanced accuracy (mean per-class recall) and
// worst-group accuracy, where a group is a (label, confounder value) pair — the number that falls
// when a model has learned the site instead of the disease.
import { compareStrings } from "../select/common.js";
import { EngineInputError, type Points } from "../types.js";
import { fitLogistic, predict, type LogisticOptions } from "./logistic.js";

export interface LinearProbeInput {
  trainPoints: Points;
  trainLabels: ReadonlyArray<string>;
  testPoints: Points;
  testLabels: ReadonlyArray<string>;
  /** Confounder value of each test row (site, scanner…); groups are label × this value. Without it, groups are the classes. */
  testGroups?: ReadonlyArray<string | number | null>;
  /**
   * More groupings of the test rows by name (e.g. { site, scanner }): each gets its own label × value
   * groups and worst-group accuracy in `groupings`, from the same trained model.
   */
  testGroupings?: Readonly<Record<string, ReadonlyArray<string | number | null>>>;
}

export interface LinearProbeOptions extends LogisticOptions {
  /** Groups with fewer test rows are reported but left out of worstGroupAccuracy; default 1. */
  minGroupSize?: number;
}

export interface GroupAccuracy {
  label: string;
  /** Confounder value, or null when no testGroups were given. */
  group: string | null;
  n: number;
  accuracy: number;
}

export interface LinearProbeResult {
  accuracy: number;
  /** Mean over test classes of per-class recall. */
  balancedAccuracy: number;
  /** Lowest accuracy over groups with at least minGroupSize rows. */
  worstGroupAccuracy: number;
  perClass: { label: string; n: number; recall: number }[];
  perGroup: GroupAccuracy[];
  /** Classes the model knows (sorted union of train and test labels). */
  classes: string[];
  converged: boolean;
  /** Per named grouping of testGroupings: its groups and worst-group accuracy. */
  groupings: Record<string, { perGroup: GroupAccuracy[]; worstGroupAccuracy: number }>;
}

export function linearProbe(input: LinearProbeInput, options: LinearProbeOptions = {}): LinearProbeResult {
  const { trainPoints, trainLabels, testPoints, testLabels, testGroups } = input;
  if (trainLabels.length !== trainPoints.n) throw new EngineInputError("LENGTH_MISMATCH", "trainLabels", `expected ${trainPoints.n} labels, got ${trainLabels.length}`);
  if (testLabels.length !== testPoints.n) throw new EngineInputError("LENGTH_MISMATCH", "testLabels", `expected ${testPoints.n} labels, got ${testLabels.length}`);
  if (testGroups && testGroups.length !== testPoints.n) throw new EngineInputError("LENGTH_MISMATCH", "testGroups", `expected ${testPoints.n} values, got ${testGroups.length}`);
  for (const [name, values] of Object.entries(input.testGroupings ?? {})) {
    if (values.length !== testPoints.n) throw new EngineInputError("LENGTH_MISMATCH", `testGroupings.${name}`, `expected ${testPoints.n} values, got ${values.length}`);
  }
  if (trainPoints.n === 0) throw new EngineInputError("EMPTY_INPUT", "trainPoints", "expected at least one training row, got 0");
  if (testPoints.n === 0) throw new EngineInputError("EMPTY_INPUT", "testPoints", "expected at least one test row, got 0");
  if (trainPoints.dim !== testPoints.dim) throw new EngineInputError("DIM_MISMATCH", "testPoints.dim", `expected dim ${trainPoints.dim} (as train), got ${testPoints.dim}`);
  const classes = [...new Set([...trainLabels, ...testLabels])].sort(compareStrings);
  const index = new Map(classes.map((c, i) => [c, i] as const));
  const yTrain = Int32Array.from(trainLabels, (l) => index.get(l)!);
  const model = fitLogistic(trainPoints, yTrain, classes.length, options);
  const pred = predict(model, testPoints);

  let correct = 0;
  const hit = new Uint8Array(testPoints.n);
  const perClassMap = new Map<string, { n: number; ok: number }>();
  for (let i = 0; i < testPoints.n; i++) {
    const label = testLabels[i]!;
    const ok = pred[i] === index.get(label) ? 1 : 0;
    hit[i] = ok;
    correct += ok;
    const pc = perClassMap.get(label) ?? { n: 0, ok: 0 };
    pc.n++;
    pc.ok += ok;
    perClassMap.set(label, pc);
  }
  const perClass = [...perClassMap.entries()]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([label, v]) => ({ label, n: v.n, recall: v.ok / v.n }));
  const minSize = options.minGroupSize ?? 1;
  const main = groupAccuracies(testLabels, hit, testGroups ?? null, minSize);
  const groupings: LinearProbeResult["groupings"] = {};
  for (const [name, values] of Object.entries(input.testGroupings ?? {})) groupings[name] = groupAccuracies(testLabels, hit, values, minSize);
  return {
    accuracy: correct / testPoints.n,
    balancedAccuracy: perClass.reduce((s, c) => s + c.recall, 0) / perClass.length,
    worstGroupAccuracy: main.worstGroupAccuracy,
    perClass,
    perGroup: main.perGroup,
    classes,
    converged: model.converged,
    groupings,
  };
}

/** Accuracy per (label, value) group (null values → "(unknown)"; no values → per label) and the worst eligible one. */
function groupAccuracies(
  labels: ReadonlyArray<string>,
  hit: Uint8Array,
  values: ReadonlyArray<string | number | null> | null,
  minSize: number,
): { perGroup: GroupAccuracy[]; worstGroupAccuracy: number } {
  const map = new Map<string, { label: string; group: string | null; n: number; ok: number }>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const v = values ? values[i] : null;
    const g = values ? (v === null || v === undefined || v === "" ? "(unknown)" : String(v)) : null;
    const key = JSON.stringify([label, g]);
    const pg = map.get(key) ?? { label, group: g, n: 0, ok: 0 };
    pg.n++;
    pg.ok += hit[i]!;
    map.set(key, pg);
  }
  const perGroup = [...map.values()]
    .sort((a, b) => compareStrings(a.label, b.label) || compareStrings(a.group ?? "", b.group ?? ""))
    .map((v) => ({ label: v.label, group: v.group, n: v.n, accuracy: v.ok / v.n }));
  const eligible = perGroup.filter((g) => g.n >= minSize);
  return { perGroup, worstGroupAccuracy: eligible.length ? Math.min(...eligible.map((g) => g.accuracy)) : NaN };
}
