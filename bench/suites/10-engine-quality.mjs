// Quality of selection on real images with a planted confounder.
//
// Data: PneumoniaMNIST (pool = train split, 2428 images; test = test + val, 738). Three simulated
// acquisition sites (engine simulateAcquisition: gamma, contrast, noise, blur, burned-in marker),
// with site tied to label in the pool (label c prefers site c mod 3 with P = 0.8) and independent of
// label in the test split.
// Each of 10 pool seeds re-simulates the sites and noise; on each pool, every strategy selects with 4
// selection seeds. Worst-group accuracy from 20–50 training images per class varies far more between
// draws than between good strategies, so the targets are judged on paired differences (same pool,
// test split and selection seed), averaged per pool: mean, standard error and 95% t-interval over pools.
// Embedding: pixels standardised per pixel on the pool, then PCA to 64 (bench/lib/features.mjs).
// Discovery: engine analyze() with its defaults (UMAP → DBSCAN, eps auto), seeded.
// For N = 10, 25, 50, 100 per class, every strategy selects from the pool; a linear probe (engine
// linearProbe: L2 multinomial logistic regression, λ = 1) is trained on the selection and scored on
// the test split: balanced accuracy, and worst-group accuracy over label × site (6 groups).
// References measured in the same run: random selection, and the probe trained on the whole pool.
// Writes bench/results/engine-quality.{json,md}.
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adjustedRandIndex, analyze, composition, linearProbe, select, selectionMetrics, simulateAcquisition } from "@stratum/engine";
import { loadPneumonia } from "../lib/pneumonia.mjs";
import { pixelPcaFeatures } from "../lib/features.mjs";
import { gather, mean, pm, peakRssMb, sd } from "../lib/stats.mjs";

const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
// Pools 0–9 were used to choose the confounder-aware defaults (within-group rule included); 10–19 were
// not, and their verdicts are reported on their own as well.
const SEEDS = QUICK ? [0, 1] : Array.from({ length: 20 }, (_, i) => i);
const HELD_OUT_FROM = 10; // pool seeds from here on were not used to choose defaults
const SELECTION_SEEDS = QUICK ? 1 : 4; // per pool; selection seed = pool seed + 1000 · s
const BUDGETS = QUICK ? [10, 25] : [10, 25, 50, 100];
const STRENGTH = Number(process.env.STRATUM_QUALITY_STRENGTH ?? 1);
const LABEL_SITE_BIAS = 0.8;
const DIM = 64;

const CONFIGS = [
  { name: "random", params: { strategy: "random" } },
  { name: "stratified (true site column)", params: { strategy: "stratified", stratifyColumn: "site" }, oracle: true },
  { name: "kcenter", params: { strategy: "kcenter" } },
  { name: "herding", params: { strategy: "herding" } },
  { name: "facility-location", params: { strategy: "facility-location" } },
  { name: "moderate", params: { strategy: "moderate" } },
  { name: "confounder-aware proportional", params: { strategy: "confounder-aware", allocation: "proportional" } },
  { name: "confounder-aware sqrt", params: { strategy: "confounder-aware", allocation: "sqrt" } },
  { name: "confounder-aware balanced", params: { strategy: "confounder-aware", allocation: "balanced" } },
  // The within-group rule that was the default before facility-location, kept as a reference.
  { name: "confounder-aware balanced, within-group quantile", params: { strategy: "confounder-aware", allocation: "balanced", withinGroup: "quantile" } },
  { name: "confounder-aware balanced (true sites as groups)", params: { strategy: "confounder-aware", allocation: "balanced" }, trueGroups: true, oracle: true },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const t0 = Date.now();
const data = await loadPneumonia();
const pixels = data.height * data.width;
const ids = data.pool.labels.map((_, i) => `pool-${i}`);

const results = {}; // name → N → { bal: [], wg: [], siteTv: [] }
const discovery = [];
const fullPool = [];
const timing = { features: [], analyze: [], selectAndProbe: [] };
for (const seed of SEEDS) {
  const sim = { height: data.height, width: data.width, strength: STRENGTH, labelSiteBias: LABEL_SITE_BIAS };
  const pool = simulateAcquisition(data.pool.images, data.pool.labels, { ...sim, split: "pool", seed: 1000 + seed });
  const test = simulateAcquisition(data.test.images, data.test.labels, { ...sim, split: "test", seed: 2000 + seed });
  let t = Date.now();
  const feats = pixelPcaFeatures(pool.images, test.images, pixels, DIM, seed);
  timing.features.push(Date.now() - t);

  t = Date.now();
  const findings = analyze({ points: feats.pool, labels: data.pool.labels }, { seed });
  timing.analyze.push(Date.now() - t);
  const groups = new Int32Array(feats.pool.n).fill(-1);
  for (const c of findings.classes) {
    c.rows.forEach((r, k) => (groups[r] = c.groups[k]));
    const sites = Array.from(c.rows, (r) => pool.sites[r]);
    const g = Array.from(c.groups);
    const kept = g.flatMap((x, i) => (x >= 0 ? [i] : []));
    discovery.push({
      seed,
      label: c.label,
      groups: c.groupSizes.length,
      groupSizes: c.groupSizes,
      noise: c.noiseCount,
      ari: adjustedRandIndex(g, sites),
      ariNonNoise: adjustedRandIndex(kept.map((i) => g[i]), kept.map((i) => sites[i])),
    });
  }

  const testGroups = Array.from(test.sites, (s) => `site${s}`);
  const probe = (rows) =>
    linearProbe({
      trainPoints: gather(feats.pool, rows),
      trainLabels: rows.map((r) => data.pool.labels[r]),
      testPoints: feats.test,
      testLabels: data.test.labels,
      testGroups,
    });
  const all = probe(Array.from({ length: feats.pool.n }, (_, i) => i));
  fullPool.push({ seed, balancedAccuracy: all.balancedAccuracy, worstGroupAccuracy: all.worstGroupAccuracy });

  t = Date.now();
  const input = { points: feats.pool, labels: data.pool.labels, ids, groups, metadata: { site: Array.from(pool.sites, (s) => `site${s}`) } };
  const trueSites = { ...input, groups: pool.sites };
  for (let s = 0; s < SELECTION_SEEDS; s++) {
  for (const N of BUDGETS) {
    for (const cfg of CONFIGS) {
      const sel = select(cfg.trueGroups ? trueSites : input, { ...cfg.params, perClass: N, seed: seed + 1000 * s });
      const rows = sel.selected.map((s) => s.row);
      const p = probe(rows);
      // How far the selection's site mix is from uniform within each class (0 = balanced sites).
      const m = selectionMetrics({ points: feats.pool, labels: data.pool.labels, groups: pool.sites }, rows, { coverage: false, mmd: false });
      const siteTv = mean(
        m.perClass.map((c) => c.groups.reduce((s, g) => s + Math.abs(g.selectedShare - 1 / c.groups.length), 0) / 2),
      );
      // What the selection does to the confounding: per class the largest site's share, and Cramér's V
      // between label and site inside the selection (the run page's two numbers).
      const counts = new Map();
      for (const row of rows) {
        const key = `${data.pool.labels[row]}\u0000${pool.sites[row]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const comp = composition([...counts].map(([key, count]) => ({ label: key.split("\u0000")[0], level: key.split("\u0000")[1], count })));
      const r = ((results[cfg.name] ??= {})[N] ??= { bal: [], wg: [], siteTv: [], largest: [], v: [] });
      r.bal.push(p.balancedAccuracy);
      r.wg.push(p.worstGroupAccuracy);
      r.siteTv.push(siteTv);
      r.largest.push(mean(comp.classes.map((c) => c.largestShare)));
      r.v.push(comp.cramersV);
    }
  }
  }
  timing.selectAndProbe.push(Date.now() - t);
  console.error(`seed ${seed}: features ${timing.features.at(-1)} ms, analyze ${timing.analyze.at(-1)} ms, select+probe ${timing.selectAndProbe.at(-1)} ms`);
}

// ── discovery at weaker acquisition effects (ARI only)
const ARI_STRENGTHS = QUICK ? [] : [0.25, 0.5];
const ariSweep = [{ strength: STRENGTH, ari: discovery.map((d) => d.ari) }];
for (const strength of ARI_STRENGTHS) {
  const aris = [];
  for (const seed of SEEDS) {
    const pool = simulateAcquisition(data.pool.images, data.pool.labels, { height: data.height, width: data.width, strength, labelSiteBias: LABEL_SITE_BIAS, split: "pool", seed: 1000 + seed });
    const feats = pixelPcaFeatures(pool.images, new Uint8Array(0), pixels, DIM, seed);
    const findings = analyze({ points: feats.pool, labels: data.pool.labels }, { seed });
    for (const c of findings.classes) aris.push(adjustedRandIndex(Array.from(c.groups), Array.from(c.rows, (r) => pool.sites[r])));
  }
  ariSweep.push({ strength, ari: aris });
  console.error(`strength ${strength}: ARI ${mean(aris).toFixed(3)}`);
}
ariSweep.sort((a, b) => a.strength - b.strength);

// ── report
const summary = {};
for (const cfg of CONFIGS) {
  summary[cfg.name] = {};
  for (const N of BUDGETS) {
    const r = results[cfg.name][N];
    summary[cfg.name][N] = {
      balancedAccuracy: { mean: mean(r.bal), sd: sd(r.bal), values: r.bal },
      worstGroupAccuracy: { mean: mean(r.wg), sd: sd(r.wg), values: r.wg },
      siteImbalanceTv: { mean: mean(r.siteTv), sd: sd(r.siteTv) },
      largestSiteShare: { mean: mean(r.largest), sd: sd(r.largest) },
      cramersVLabelSite: { mean: mean(r.v), sd: sd(r.v) },
    };
  }
}
const S = (name, N) => summary[name][N];
// Two-sided 95% Student t quantiles by degrees of freedom (1–19).
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093];
/**
 * Paired difference a − b of a metric (same pool, test split and selection seed). Replicates on one
 * pool share its simulated sites, so they are not independent: the differences are averaged per pool
 * and the standard error and 95% t-interval are taken over pools. `clear` = the interval excludes 0.
 */
const paired = (a, b, N, metric, pools = SEEDS.map((_, p) => p)) => {
  const all = summary[a][N][metric].values.map((v, i) => v - summary[b][N][metric].values[i]);
  const d = pools.flatMap((p) => all.slice(p * SELECTION_SEEDS, (p + 1) * SELECTION_SEEDS));
  const perPool = pools.map((p) => mean(all.slice(p * SELECTION_SEEDS, (p + 1) * SELECTION_SEEDS)));
  const se = sd(perPool) / Math.sqrt(perPool.length);
  const half = (T95[perPool.length - 1] ?? 1.96) * se;
  const m = mean(d);
  return { mean: m, sd: sd(d), se, ci95: [m - half, m + half], clear: m - half > 0, n: d.length, pools: perPool.length };
};
const heldOutPools = SEEDS.flatMap((seed, p) => (seed >= HELD_OUT_FROM ? [p] : []));
const targets = {
  balancedBeatsRandomAndKcenterOnWorstGroup: BUDGETS.filter((N) => N <= 25).map((N) => ({
    N,
    balanced: S("confounder-aware balanced", N).worstGroupAccuracy.mean,
    random: S("random", N).worstGroupAccuracy.mean,
    kcenter: S("kcenter", N).worstGroupAccuracy.mean,
    marginOverRandom: paired("confounder-aware balanced", "random", N, "worstGroupAccuracy"),
    marginOverKcenter: paired("confounder-aware balanced", "kcenter", N, "worstGroupAccuracy"),
    heldOut: heldOutPools.length > 1
      ? {
          pools: heldOutPools.map((p) => SEEDS[p]),
          marginOverRandom: paired("confounder-aware balanced", "random", N, "worstGroupAccuracy", heldOutPools),
          marginOverKcenter: paired("confounder-aware balanced", "kcenter", N, "worstGroupAccuracy", heldOutPools),
        }
      : null,
  })),
  proportionalVsRandomBalancedAccuracy: BUDGETS.map((N) => ({
    N,
    proportional: S("confounder-aware proportional", N).balancedAccuracy.mean,
    random: S("random", N).balancedAccuracy.mean,
    difference: paired("confounder-aware proportional", "random", N, "balancedAccuracy"),
  })),
  ari: { mean: mean(discovery.map((d) => d.ari)), min: Math.min(...discovery.map((d) => d.ari)), meanNonNoise: mean(discovery.map((d) => d.ariNonNoise)) },
};
const seconds = (Date.now() - t0) / 1000;
const out = {
  suite: "engine-quality",
  quick: QUICK,
  setup: {
    data: "PneumoniaMNIST (pool: train 2428; test: test+val 738)",
    sites: 3,
    strength: STRENGTH,
    labelSiteBias: LABEL_SITE_BIAS,
    embedding: `pixels standardised on the pool, PCA to ${DIM}`,
    discovery: "analyze() defaults (UMAP → DBSCAN, eps auto)",
    probe: "linearProbe: L2 multinomial logistic regression (λ = 1, standardised features)",
    seeds: SEEDS,
    selectionSeedsPerPool: SELECTION_SEEDS,
    budgets: BUDGETS,
  },
  references: { fullPool: { balancedAccuracy: pm(fullPool.map((f) => f.balancedAccuracy)), worstGroupAccuracy: pm(fullPool.map((f) => f.worstGroupAccuracy)) }, random: "row 'random'" },
  discovery,
  ariByStrength: ariSweep.map((a) => ({ strength: a.strength, mean: mean(a.ari), min: Math.min(...a.ari), values: a.ari })),
  summary,
  targets,
  timingMs: timing,
  seconds,
  peakRssMb: peakRssMb(),
};

const lines = [];
lines.push(`# Engine quality: selection on PneumoniaMNIST with 3 simulated acquisition sites`);
lines.push("");
lines.push(
  `Pool: 2428 train images, site tied to label (P(preferred site) = ${LABEL_SITE_BIAS}); test: 738 images, site independent of label; effect strength ${STRENGTH}. ` +
    `Embedding: standardised pixels → PCA ${DIM}. Probe: L2 logistic regression on the selection. ${SEEDS.length} pool seeds (each re-simulates sites) × ${SELECTION_SEEDS} selection seeds, mean ± sd over the ${SEEDS.length * SELECTION_SEEDS} replicates. ` +
    `"true site" rows use the simulated site directly and are oracles, not available to a real user.`,
);
lines.push("");
lines.push(`Discovery (analyze defaults) vs true sites, adjusted Rand index per class: mean ${targets.ari.mean.toFixed(3)}, min ${targets.ari.min.toFixed(3)} (noise as its own cluster); ${targets.ari.meanNonNoise.toFixed(3)} on non-noise points.`);
if (ariSweep.length > 1) {
  lines.push(`ARI by acquisition-effect strength (per class, ${SEEDS.length} seeds): ${ariSweep.map((a) => `${a.strength}: ${mean(a.ari).toFixed(3)} (min ${Math.min(...a.ari).toFixed(3)})`).join("; ")}.`);
}
lines.push(`Reference, probe on the whole pool: balanced accuracy ${out.references.fullPool.balancedAccuracy}, worst-group ${out.references.fullPool.worstGroupAccuracy}.`);
lines.push("");
for (const [metric, title] of [
  ["worstGroupAccuracy", "Worst-group accuracy (label × site)"],
  ["balancedAccuracy", "Balanced accuracy"],
  ["largestSiteShare", "Composition: largest site's share per class (mean over classes; 0.33 = balanced, pool ≈ 0.8)"],
  ["cramersVLabelSite", "Composition: Cramér's V between label and site inside the selection (0 = site says nothing about label)"],
]) {
  lines.push(`## ${title}`);
  lines.push("");
  lines.push(`| strategy | ${BUDGETS.map((N) => `N = ${N}`).join(" | ")} |`);
  lines.push(`|---|${BUDGETS.map(() => "---:").join("|")}|`);
  for (const cfg of CONFIGS) {
    lines.push(`| ${cfg.name} | ${BUDGETS.map((N) => `${S(cfg.name, N)[metric].mean.toFixed(3)} ± ${S(cfg.name, N)[metric].sd.toFixed(3)}`).join(" | ")} |`);
  }
  lines.push("");
}
lines.push("## Targets");
lines.push("");
const f3 = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
const interval = (d) => `${f3(d.mean)}, SE ${d.se.toFixed(3)}, 95% CI [${f3(d.ci95[0])}, ${f3(d.ci95[1])}]`;
const signed = (d) => `${interval(d)}${d.clear ? " ✓ clear" : " — not clear"}`;
// "Never worse": the interval does not lie wholly below 0.
const notWorse = (d) => `${interval(d)}${d.ci95[1] >= 0 ? " ✓ not worse" : " ✗ worse"}`;
lines.push(`Paired differences (same simulated pool, test split and selection seed), averaged over the ${SELECTION_SEEDS} selection seeds of each pool: mean, standard error and 95% t-interval over the ${SEEDS.length} pools; "clear" = the interval excludes 0.`);
lines.push("");
for (const t of targets.balancedBeatsRandomAndKcenterOnWorstGroup) {
  lines.push(`- N = ${t.N}: confounder-aware balanced worst-group ${t.balanced.toFixed(3)} vs random ${t.random.toFixed(3)} (${signed(t.marginOverRandom)}) and k-center ${t.kcenter.toFixed(3)} (${signed(t.marginOverKcenter)})`);
  if (t.heldOut) {
    lines.push(`  - held-out pools ${t.heldOut.pools[0]}–${t.heldOut.pools.at(-1)} only (not used to choose the defaults): vs random ${signed(t.heldOut.marginOverRandom)}; vs k-center ${signed(t.heldOut.marginOverKcenter)}`);
  }
}
for (const t of targets.proportionalVsRandomBalancedAccuracy) {
  lines.push(`- N = ${t.N}: proportional balanced accuracy ${t.proportional.toFixed(3)} vs random ${t.random.toFixed(3)} (${notWorse(t.difference)})`);
}
lines.push(`- discovery ARI ≥ 0.6: mean ${targets.ari.mean.toFixed(3)}, min ${targets.ari.min.toFixed(3)}`);
lines.push("");
lines.push(`Run time ${seconds.toFixed(0)} s, peak RSS ${out.peakRssMb.toFixed(0)} MB${QUICK ? " (QUICK mode: not for reporting)" : ""}.`);
const md = lines.join("\n") + "\n";

const resultsDir = path.join(here, "..", "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(path.join(resultsDir, "engine-quality.json"), JSON.stringify(out, null, 2) + "\n");
writeFileSync(path.join(resultsDir, "engine-quality.md"), md);
console.log(md);
