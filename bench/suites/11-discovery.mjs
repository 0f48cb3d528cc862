// Discovery on acquisition effects nobody tuned on: does analyze() return one group per simulated site?
//
// Cases = image source × acquisition-effect family × features × seed; analyze() gets the embeddings and
// labels only (no metadata: discovery has to find the sites from the images alone).
// Sources: PneumoniaMNIST's train split (2428), its test + val splits (738, other X-rays), and generated
// chest-like phantoms (1200, bench/lib/phantoms.mjs: other image statistics altogether).
// Effect families (engine simulateAcquisition, 3 sites, site tied to label with P = 0.8): "default" (the
// demo's scanners), and four single effects, each at two strengths: blur + noise, a burned-in corner
// marker, a contrast curve, vignetting. The "visible" strengths were set so that a kNN classifier
// (k = 10, within class) tells the site apart in the demo encoder's features (accuracy ≥ 0.9 against a
// majority share of ~0.78) — chosen from that accuracy alone, on the train source, before any discovery
// ran on them; the "faint" strengths are the first wave's, which the features barely see.
// Features: the demo encoder (demo-cnn, 128-d, what the demo seed uses) and standardised pixels → PCA 64.
//
// Each case also reports how visible its sites are in its features (kNN site accuracy per class); a case
// counts as VISIBLE when that accuracy is ≥ 0.9 in every class. No unsupervised method can find sites the
// features do not show, so the targets are judged on visible cases; faint ones are reported beside them.
//
// TUNING cases (the only ones looked at while choosing analyze()'s defaults, mergeResolution = 0.05 in
// particular): the PneumoniaMNIST train source, every family and feature. JUDGED: the other two sources.
// Targets on judged visible cases: mean ARI vs true sites ≥ 0.7 and ≤ 2 groups per site, per class.
//
// Metrics per class: ARI of groups vs true site on non-noise rows; groups per site = for each site, the
// number of groups whose majority site it is (max over sites reported). merge: false (the paper's
// layout + DBSCAN) runs beside the default for reference. STRATUM_BENCH_QUICK=1: one seed.
//
// STRATUM_DISCOVERY_TUNING=1: the candidate comparison that chooses a default. It runs the TUNING cases
// only (nothing judged is computed, so nothing judged can be looked at) for every candidate in CANDIDATES
// and writes results/discovery-tuning.{json,md}; the main run copies that table into discovery.md.
//
// Demo (engine only): the demo seed's pool (PneumoniaMNIST train, simulateAcquisition seed 7, demo-cnn),
// default analyze() with the seed's site/scanner columns (as the product passes them) and without any
// metadata, then the default confounder-aware balanced select(), 50 per class, seeds 1–5: largest site's
// share per class (target ≤ 0.45) and groups per site (≤ 2), for the default and for the previous default.
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, readFileSync, statSync } from "node:fs";
import { adjustedRandIndex, analyze, createRng, groupsPerRow, knnPredictability, select, simulateAcquisition } from "@stratum/engine";
import { loadPneumonia } from "../lib/pneumonia.mjs";
import { pixelPcaFeatures } from "../lib/features.mjs";
import { demoCnnFeatures } from "../lib/demo-encoder.mjs";
import { phantoms } from "../lib/phantoms.mjs";

const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
// STRATUM_MERGE_RESOLUTION: run the merge at another resolution (a sweep; results go to discovery-res<r>.*)
const RES = process.env.STRATUM_MERGE_RESOLUTION ? Number(process.env.STRATUM_MERGE_RESOLUTION) : undefined;
const TUNING = process.env.STRATUM_DISCOVERY_TUNING === "1";
const NAME = TUNING ? "discovery-tuning" : RES === undefined ? "discovery" : `discovery-res${RES}`;
// Candidates for the merge's defaults, compared on the tuning cases only (STRATUM_DISCOVERY_TUNING=1).
// "previous" is the default before the membership refinement (refine: 0, cross-class rule 0.7);
// "refine N" = N rounds of linear-discriminant reassignment after the merge.
const CANDIDATES = {
  previous: { mergeCrossClass: 0.7, refine: 0 },
  "refine 1": { mergeCrossClass: 0.7, refine: 1 },
  "refine 5": { mergeCrossClass: 0.7, refine: 5 },
};
const SEEDS = QUICK ? [1] : [1, 2];
const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "../results");
const VISIBLE_ACCURACY = 0.9;
const t0 = Date.now();

const none = { gamma: 1, contrast: 1, brightness: 0, noiseSd: 0, blurRadius: 0, marker: null };
const FAMILIES = {
  default: undefined,
  "blur-noise": [{ ...none }, { ...none, blurRadius: 3 }, { ...none, noiseSd: 30 }],
  marker: [
    { ...none, marker: { corner: "top-left", size: 7, value: 255 } },
    { ...none, marker: { corner: "bottom-right", size: 7, value: 255 } },
    { ...none, marker: { corner: "top-right", size: 7, value: 0 } },
  ],
  "contrast-curve": [{ ...none, gamma: 0.5, contrast: 1.3 }, { ...none }, { ...none, gamma: 1.8, contrast: 0.7 }],
  vignette: [{ ...none, noiseSd: 3 }, { ...none, noiseSd: 3, vignette: 0.6 }, { ...none, noiseSd: 3, vignette: 1.0 }],
  "blur-noise (faint)": [{ ...none }, { ...none, blurRadius: 1, noiseSd: 6 }, { ...none, blurRadius: 2, noiseSd: 14 }],
  "marker (faint)": [
    { ...none, marker: { corner: "top-left", size: 5, value: 255 } },
    { ...none, marker: { corner: "bottom-right", size: 5, value: 255 } },
    { ...none, marker: { corner: "top-right", size: 5, value: 0 } },
  ],
  "contrast-curve (faint)": [{ ...none, gamma: 0.7, contrast: 1.2 }, { ...none }, { ...none, gamma: 1.4, contrast: 0.8 }],
  "vignette (faint)": [{ ...none, noiseSd: 3 }, { ...none, noiseSd: 3, vignette: 0.35 }, { ...none, noiseSd: 3, vignette: 0.7 }],
};

const data = await loadPneumonia();
const phantom = phantoms(1200, 11);
// The main run takes the tuning rows from discovery-tuning.json (the default's candidate there is the
// same analyze() call), unless STRATUM_DISCOVERY_ALL=1: the machine is shared, a layout per case is dear.
const ALL = process.env.STRATUM_DISCOVERY_ALL === "1" || RES !== undefined;
const DEFAULT_CANDIDATE = "refine 5";
const SOURCES = {
  ...(TUNING || ALL ? { "pneumonia-train": { ...data.pool, height: data.height, width: data.width } } : {}),
  ...(TUNING ? {} : {
    "pneumonia-test": { ...data.test, height: data.height, width: data.width },
    phantoms: phantom,
  }),
};

/** Within-class kNN accuracy of the true site (k = 10) and the majority share it has to beat. */
function visibility(points, labels, sites) {
  return [...new Set(labels)].sort().map((label) => {
    const rows = [];
    labels.forEach((l, i) => l === label && rows.push(i));
    const X = new Float32Array(rows.length * points.dim);
    rows.forEach((r, i) => X.set(points.data.subarray(r * points.dim, (r + 1) * points.dim), i * points.dim));
    const p = knnPredictability({ data: X, n: rows.length, dim: points.dim }, rows.map((r) => String(sites[r])), createRng(1), 10);
    return { label, accuracy: p.accuracy, chance: p.chance };
  });
}

function groupsPerSite(groups, sites, S) {
  const counts = new Map();
  groups.forEach((g, i) => {
    if (g < 0) return;
    let c = counts.get(g);
    if (!c) counts.set(g, (c = new Array(S).fill(0)));
    c[sites[i]]++;
  });
  const per = new Array(S).fill(0);
  for (const c of counts.values()) per[c.indexOf(Math.max(...c))]++;
  return per;
}

function score(findings, sites) {
  return findings.classes.map((c) => {
    const s = Array.from(c.rows, (r) => sites[r]);
    const keep = [];
    c.groups.forEach((g, i) => g >= 0 && keep.push(i));
    const ari = keep.length ? adjustedRandIndex(Int32Array.from(keep, (i) => c.groups[i]), Int32Array.from(keep, (i) => s[i])) : 0;
    const per = groupsPerSite(c.groups, s, 3);
    return { label: c.label, groups: c.groupSizes.length, modes: c.modeSizes.length, noise: c.noiseCount, ari, groupsPerSite: per, maxGroupsPerSite: Math.max(...per) };
  });
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f2 = (x) => x.toFixed(2);
// Demo (engine only): the demo seed's pool and the product's default analysis and balanced run.
const DEMO_SITES = ["A", "B", "C"];
async function demoCheck() {
  const sim = simulateAcquisition(data.pool.images, data.pool.labels, { height: data.height, width: data.width, split: "pool", strength: 1, seed: 7 });
  const n = data.pool.labels.length;
  const points = await demoCnnFeatures(sim.images, n, data.height, data.width, "demo-pool-seed7");
  const metadata = { site: Array.from(sim.sites, (x) => DEMO_SITES[x]), scanner: Array.from(sim.sites, (x) => `scanner-${DEMO_SITES[x]}`) };
  const ids = data.pool.labels.map((_, i) => `pmnist-train-${String(i).padStart(5, "0")}`);
  const variants = {
    "default, with the site/scanner columns (the product)": { params: {}, metadata },
    "default, no metadata": { params: {}, metadata: undefined },
    "previous default (refine: 0), with the columns": { params: { refine: 0 }, metadata },
  };
  const out = {};
  for (const [name, v] of Object.entries(variants)) {
    const seeds = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const f = analyze({ points, labels: data.pool.labels, ...(v.metadata ? { metadata: v.metadata } : {}) }, { seed, ...v.params });
      const sc = score(f, sim.sites);
      const sel = select(
        { points, labels: data.pool.labels, ids, groups: groupsPerRow(f, n), ...(v.metadata ? { metadata: v.metadata } : {}) },
        { strategy: "confounder-aware", allocation: "balanced", perClass: 50, seed },
      );
      const largest = {};
      for (const label of [...new Set(data.pool.labels)].sort()) {
        const rows = sel.selected.filter((x) => x.label === label).map((x) => x.row);
        const counts = [0, 0, 0];
        for (const r of rows) counts[sim.sites[r]]++;
        largest[label] = Math.max(...counts) / rows.length;
      }
      seeds.push({ seed, classes: sc.map((c) => ({ label: c.label, groups: c.groups, maxGroupsPerSite: c.maxGroupsPerSite, ari: c.ari })), largestSiteShare: largest });
      console.error(`demo ${name} seed ${seed}: groups ${sc.map((c) => `${c.groups} (≤${c.maxGroupsPerSite}/site)`).join(", ")} largest site share ${Object.values(largest).map(f2).join("/")}`);
    }
    const labels = Object.keys(seeds[0].largestSiteShare);
    out[name] = {
      largestSiteShare: Object.fromEntries(labels.map((l) => [l, mean(seeds.map((x) => x.largestSiteShare[l]))])),
      worstMaxGroupsPerSite: Math.max(...seeds.flatMap((x) => x.classes.map((c) => c.maxGroupsPerSite))),
      meanGroups: mean(seeds.flatMap((x) => x.classes.map((c) => c.groups))),
      meanAri: mean(seeds.flatMap((x) => x.classes.map((c) => c.ari))),
      seeds,
    };
  }
  return out;
}
// first, so a broken demo check fails before the long part
const demo = TUNING ? null : await demoCheck();

const cases = [];
for (const [source, src] of Object.entries(SOURCES)) {
  const n = src.labels.length;
  const px = src.height * src.width;
  for (const [family, siteEffects] of Object.entries(FAMILIES)) {
    for (const seed of SEEDS) {
      const sim = simulateAcquisition(src.images, src.labels, {
        height: src.height, width: src.width, split: "pool", seed: 500 + seed, ...(siteEffects ? { siteEffects } : {}),
      });
      const feats = {
        "demo-cnn": await demoCnnFeatures(sim.images, n, src.height, src.width, `discovery-${source}-${family.replace(/\W+/g, "_")}-${seed}`),
        "pixel-pca64": pixelPcaFeatures(sim.images, sim.images.subarray(0, px), px, 64, seed).pool,
      };
      for (const [features, points] of Object.entries(feats)) {
        const seen = visibility(points, src.labels, sim.sites);
        const visible = seen.every((v) => v.accuracy >= VISIBLE_ACCURACY);
        const row = { source, family, features, seed, role: source === "pneumonia-train" ? "tuning" : "judged", visible, visibility: seen };
        if (TUNING) {
          row.candidates = {};
          for (const [name, params] of Object.entries(CANDIDATES)) {
            const f = analyze({ points, labels: src.labels }, { seed, ...params });
            row.candidates[name] = { classes: score(f, sim.sites) };
          }
          cases.push(row);
          console.error(`tuning ${source} ${family} ${features} seed ${seed}: ` + Object.entries(row.candidates).map(([k, v]) => `${k} ${v.classes.map((c) => `${c.groups}(${c.ari.toFixed(2)})`).join("/")}`).join("; "));
          continue;
        }
        const t = Date.now();
        const f = analyze({ points, labels: src.labels }, { seed, ...(RES !== undefined ? { mergeResolution: RES } : {}) });
        row.merged = { ms: Date.now() - t, classes: score(f, sim.sites) };
        // The previous default (refine: 0) beside it, and the reference, layout + DBSCAN (merge: false):
        // the previous run's modes: with the same seed the layout and DBSCAN are the same (the merge runs
        // after them and draws nothing), and merge: false returns exactly those fragments as groups (the
        // refined run's modes are not: a moved row takes a mode of its new group).
        const fp = analyze({ points, labels: src.labels }, { seed, refine: 0, ...(RES !== undefined ? { mergeResolution: RES } : {}) });
        row.previous = { classes: score(fp, sim.sites) };
        row.dbscan = { ms: null, classes: score({ classes: fp.classes.map((c) => ({ ...c, groups: c.modes, groupSizes: c.modeSizes })) }, sim.sites) };
        cases.push(row);
        const m = row.merged.classes;
        console.error(`${row.role}${visible ? "" : " (faint)"} ${source} ${family} ${features} seed ${seed}: site kNN ${seen.map((v) => v.accuracy.toFixed(2)).join("/")} ARI ${m.map((c) => c.ari.toFixed(2)).join("/")} groups ${m.map((c) => c.groups).join("/")} (dbscan ${row.dbscan.classes.map((c) => c.groups).join("/")})`);
      }
    }
  }
}

if (TUNING) {
  const visibleRows = cases.filter((c) => c.visible);
  const table = Object.fromEntries(Object.keys(CANDIDATES).map((name) => {
    const of = (rows) => {
      const cls = rows.flatMap((r) => r.candidates[name].classes);
      return {
        classes: cls.length, meanAri: mean(cls.map((c) => c.ari)), meanGroups: mean(cls.map((c) => c.groups)),
        worstMaxGroupsPerSite: Math.max(...cls.map((c) => c.maxGroupsPerSite)), shareWithin2PerSite: mean(cls.map((c) => (c.maxGroupsPerSite <= 2 ? 1 : 0))),
      };
    };
    return [name, { params: CANDIDATES[name], all: of(cases), visible: of(visibleRows), "demo-cnn": of(cases.filter((c) => c.features === "demo-cnn")), "pixel-pca64": of(cases.filter((c) => c.features === "pixel-pca64")) }];
  }));
  const out = { suite: "discovery-tuning", seeds: SEEDS, role: "tuning cases only (pneumonia-train source); no judged case is computed", candidates: table, cases, seconds: (Date.now() - t0) / 1000 };
  const lines = [
    "| candidate | ARI, all tuning | visible tuning | demo-cnn | pixel-pca64 | groups/class | ≤ 2 groups per site (share of classes) | worst groups per site |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...Object.entries(table).map(([k, t]) => `| ${k} | ${f2(t.all.meanAri)} | ${f2(t.visible.meanAri)} | ${f2(t["demo-cnn"].meanAri)} | ${f2(t["pixel-pca64"].meanAri)} | ${f2(t.all.meanGroups)} | ${f2(t.all.shareWithin2PerSite)} | ${t.all.worstMaxGroupsPerSite} |`),
  ];
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, `${NAME}.json`), JSON.stringify(out, null, 2) + "\n");
  writeFileSync(path.join(RESULTS, `${NAME}.md`), ["# Discovery: candidate defaults on the tuning cases only", "", `${cases.length} tuning cases (pneumonia-train × 9 families × 2 features × seeds ${SEEDS.join(", ")}), ${cases.length * 2} classes; no judged case was run. Took ${out.seconds.toFixed(0)} s.`, "", ...lines, ""].join("\n"));
  console.log(lines.join("\n"));
  process.exit(0);
}
const tuningFile = path.join(RESULTS, "discovery-tuning.json");
// STRATUM_DISCOVERY_WAIT=1: a tuning run is still going beside this one; wait for its file
if (process.env.STRATUM_DISCOVERY_WAIT === "1") {
  const since = t0;
  while (!(existsSync(tuningFile) && statSync(tuningFile).mtimeMs > since)) await new Promise((r) => setTimeout(r, 10000));
}
const tuning = existsSync(tuningFile) ? JSON.parse(readFileSync(tuningFile, "utf8")) : null;
if (!ALL) {
  if (!tuning) throw new Error("discovery: run STRATUM_DISCOVERY_TUNING=1 first (or STRATUM_DISCOVERY_ALL=1)");
  for (const c of tuning.cases) {
    const { candidates, ...rest } = c;
    // dbscan: null — the tuning run kept no fragments; layout + DBSCAN are unchanged by the merge rule
    cases.push({ ...rest, merged: candidates[DEFAULT_CANDIDATE], previous: candidates.previous, dbscan: null, from: "discovery-tuning.json" });
  }
}
function summarise(rows, key) {
  rows = rows.filter((r) => r[key]);
  if (!rows.length) return null;
  const cls = rows.flatMap((r) => r[key].classes);
  return {
    cases: rows.length,
    classes: cls.length,
    meanAri: mean(cls.map((c) => c.ari)),
    minAri: Math.min(...cls.map((c) => c.ari)),
    meanGroups: mean(cls.map((c) => c.groups)),
    meanMaxGroupsPerSite: mean(cls.map((c) => c.maxGroupsPerSite)),
    worstMaxGroupsPerSite: Math.max(...cls.map((c) => c.maxGroupsPerSite)),
    shareWithin2PerSite: mean(cls.map((c) => (c.maxGroupsPerSite <= 2 ? 1 : 0))),
  };
}
// Rows of the summary: tuning (all), judged visible (the targets), judged faint (reported, not targets).
const sets = {
  tuning: cases.filter((c) => c.role === "tuning"),
  "judged, visible": cases.filter((c) => c.role === "judged" && c.visible),
  "judged, faint": cases.filter((c) => c.role === "judged" && !c.visible),
};
const summary = Object.fromEntries(Object.entries(sets).map(([k, rows]) => [k, { merged: summarise(rows, "merged"), previous: summarise(rows, "previous"), dbscan: summarise(rows, "dbscan") }]));
const judgedVisible = sets["judged, visible"];
const byGroup = (keyOf) => {
  const keys = [...new Set(judgedVisible.map(keyOf))];
  return Object.fromEntries(keys.map((k) => {
    const rows = judgedVisible.filter((c) => keyOf(c) === k);
    return [k, { merged: summarise(rows, "merged"), previous: summarise(rows, "previous"), dbscan: summarise(rows, "dbscan") }];
  }));
};
const judgedByFamily = byGroup((c) => c.family);
const judgedByFeatures = byGroup((c) => c.features);
const judgedBySource = byGroup((c) => c.source);
const J = summary["judged, visible"].merged;
const targets = {
  meanAri: { value: J.meanAri, target: 0.7, met: J.meanAri >= 0.7 },
  groupsPerSite: { meanMax: J.meanMaxGroupsPerSite, worst: J.worstMaxGroupsPerSite, target: 2, met: J.worstMaxGroupsPerSite <= 2 },
};
const out = {
  suite: "discovery", quick: QUICK, seeds: SEEDS, mergeResolution: RES ?? "default",
  setup: { sources: Object.keys(SOURCES), families: Object.keys(FAMILIES), features: ["demo-cnn", "pixel-pca64"], sites: 3, labelSiteBias: 0.8, visibleAccuracy: VISIBLE_ACCURACY, analyze: "defaults, no metadata (UMAP → DBSCAN auto eps → merge on the PCA kNN graph with the cross-class rule → refinement, 5 rounds)" },
  summary, judgedByFamily, judgedByFeatures, judgedBySource, targets, demo,
  tuningComparison: tuning ? { file: "discovery-tuning.json", candidates: Object.fromEntries(Object.entries(tuning.candidates).map(([k, v]) => [k, { params: v.params, all: v.all, visible: v.visible }])) } : null,
  cases, seconds: (Date.now() - t0) / 1000,
};

const line = (name, s) => `| ${name} | ${s.cases} | ${f2(s.merged.meanAri)} (min ${f2(s.merged.minAri)}) | ${f2(s.merged.meanGroups)} | ${f2(s.merged.meanMaxGroupsPerSite)} / ${s.merged.worstMaxGroupsPerSite} | ${s.previous ? f2(s.previous.meanAri) : "—"} | ` +
  (s.dbscan ? `${f2(s.dbscan.meanAri)} | ${f2(s.dbscan.meanGroups)} | ${f2(s.dbscan.meanMaxGroupsPerSite)} / ${s.dbscan.worstMaxGroupsPerSite} |` : "— | — | — |");
const head = ["| cases | n | ARI (merged, default) | groups/class | groups per site mean / worst | ARI (previous: refine 0) | ARI (dbscan only) | groups/class | groups per site mean / worst |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"];
const lines = [
  "# Discovery: one group per acquisition site?",
  "",
  `3 simulated sites (site tied to label, P = 0.8), per class; ARI on non-noise rows vs the true site. Seeds ${SEEDS.join(", ")}. Default analyze() (merge with the cross-class rule, mergeCrossClass 0.7, then 5 rounds of membership refinement); "dbscan only" = the same run's fragments (what merge: false returns). ` +
    "analyze() sees embeddings and labels only, no metadata. Tuning = the PneumoniaMNIST train source (every family and feature), the only cases looked at while setting defaults; judged = the test + val X-rays and the generated phantoms. " +
    (ALL ? "" : "The tuning rows are the default's candidate of discovery-tuning.json (the same analyze() call), without the dbscan reference (—). ") +
    `Visible = the features show the site: within-class kNN (k = 10) site accuracy ≥ ${VISIBLE_ACCURACY} in every class (majority share ≈ 0.78); faint cases are reported, not targets.`,
  "",
  ...head,
  ...Object.keys(sets).map((r) => line(r, { cases: summary[r].merged.cases, ...summary[r] })),
  "",
  `The previous default (refine: 0: the same merge without the membership refinement), on the same judged cases in the same run: visible ARI ${f2(summary["judged, visible"].previous.meanAri)} (groups per site worst ${summary["judged, visible"].previous.worstMaxGroupsPerSite}), faint ${f2(summary["judged, faint"].previous.meanAri)}.`,
  "",
  "## Judged visible cases, by effect family / features / source",
  "",
  ...head,
  ...Object.entries({ ...judgedByFamily, ...judgedByFeatures, ...judgedBySource }).map(([k, s]) => line(k, { cases: s.merged.cases, ...s })),
  "",
  "## How the default was chosen: candidates on the tuning cases only",
  "",
  ...(tuning
    ? [
        `From \`discovery-tuning.md\` (\`STRATUM_DISCOVERY_TUNING=1\`, run before this one; no judged case computed there). Rule fixed before the run: the highest mean ARI over all tuning classes among candidates whose share of classes with ≤ 2 groups per site is no lower than the previous default's.`,
        "",
        "| candidate | ARI, all tuning | visible tuning | demo-cnn | pixel-pca64 | groups/class | ≤ 2 groups per site (share) | worst groups per site |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        ...Object.entries(tuning.candidates).map(([k, t]) => `| ${k} | ${f2(t.all.meanAri)} | ${f2(t.visible.meanAri)} | ${f2(t["demo-cnn"].meanAri)} | ${f2(t["pixel-pca64"].meanAri)} | ${f2(t.all.meanGroups)} | ${f2(t.all.shareWithin2PerSite)} | ${t.all.worstMaxGroupsPerSite} |`),
      ]
    : ["(no discovery-tuning.json: run with STRATUM_DISCOVERY_TUNING=1 first)"]),
  "",
  "## Demo (engine only)",
  "",
  "The demo seed's pool (PneumoniaMNIST train, 2428, simulateAcquisition seed 7, demo-cnn), default analyze() then the default confounder-aware balanced select(), 50 per class, seeds 1–5. Targets: largest site's share ≤ 0.45 per class, ≤ 2 groups per site.",
  "",
  "| variant | largest site share per class (mean of 5 seeds) | groups/class | worst groups per site | ARI |",
  "|---|---|---:|---:|---:|",
  ...Object.entries(demo).map(([k, d]) => `| ${k} | ${Object.entries(d.largestSiteShare).map(([l, x]) => `${l} ${f2(x)}`).join(", ")} | ${f2(d.meanGroups)} | ${d.worstMaxGroupsPerSite} | ${f2(d.meanAri)} |`),
  "",
  `Targets (judged visible, merged): mean ARI ${f2(J.meanAri)} (≥ 0.7: ${targets.meanAri.met ? "met" : "NOT met"}); groups per site worst ${J.worstMaxGroupsPerSite}, mean of per-class max ${f2(J.meanMaxGroupsPerSite)} (≤ 2: ${targets.groupsPerSite.met ? "met" : "NOT met"}).`,
  "",
  "## Every case",
  "",
  "| role | source | family | features | seed | site kNN accuracy per class | merged: groups, ARI per class | previous (refine 0) | dbscan: groups, ARI per class |",
  "|---|---|---|---|---:|---|---|---|---|",
  ...cases.map((c) => `| ${c.role}${c.visible ? "" : ", faint"} | ${c.source} | ${c.family} | ${c.features} | ${c.seed} | ${c.visibility.map((v) => f2(v.accuracy)).join(" / ")} | ${c.merged.classes.map((k) => `${k.label} ${k.groups} (${f2(k.ari)})`).join(", ")} | ${c.previous ? c.previous.classes.map((k) => `${k.label} ${k.groups} (${f2(k.ari)})`).join(", ") : "—"} | ${c.dbscan ? c.dbscan.classes.map((k) => `${k.label} ${k.groups} (${f2(k.ari)})`).join(", ") : "—"} |`),
  "",
  `Took ${out.seconds.toFixed(0)} s.`,
];
mkdirSync(RESULTS, { recursive: true });
writeFileSync(path.join(RESULTS, `${NAME}.json`), JSON.stringify(out, null, 2) + "\n");
writeFileSync(path.join(RESULTS, `${NAME}.md`), lines.join("\n") + "\n");
console.log(lines.slice(0, 30).join("\n"));
