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
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adjustedRandIndex, analyze, createRng, knnPredictability, simulateAcquisition } from "@stratum/engine";
import { loadPneumonia } from "../lib/pneumonia.mjs";
import { pixelPcaFeatures } from "../lib/features.mjs";
import { demoCnnFeatures } from "../lib/demo-encoder.mjs";
import { phantoms } from "../lib/phantoms.mjs";

const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
// STRATUM_MERGE_RESOLUTION: run the merge at another resolution (a sweep; results go to discovery-res<r>.*)
const RES = process.env.STRATUM_MERGE_RESOLUTION ? Number(process.env.STRATUM_MERGE_RESOLUTION) : undefined;
const NAME = RES === undefined ? "discovery" : `discovery-res${RES}`;
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
const SOURCES = {
  "pneumonia-train": { ...data.pool, height: data.height, width: data.width },
  "pneumonia-test": { ...data.test, height: data.height, width: data.width },
  phantoms: phantom,
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
        for (const merge of [true, false]) {
          const t = Date.now();
          const f = analyze({ points, labels: src.labels }, { seed, merge, ...(RES !== undefined ? { mergeResolution: RES } : {}) });
          row[merge ? "merged" : "dbscan"] = { ms: Date.now() - t, classes: score(f, sim.sites) };
        }
        cases.push(row);
        const m = row.merged.classes;
        console.error(`${row.role}${visible ? "" : " (faint)"} ${source} ${family} ${features} seed ${seed}: site kNN ${seen.map((v) => v.accuracy.toFixed(2)).join("/")} ARI ${m.map((c) => c.ari.toFixed(2)).join("/")} groups ${m.map((c) => c.groups).join("/")} (dbscan ${row.dbscan.classes.map((c) => c.groups).join("/")})`);
      }
    }
  }
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
function summarise(rows, key) {
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
const summary = Object.fromEntries(Object.entries(sets).map(([k, rows]) => [k, { merged: summarise(rows, "merged"), dbscan: summarise(rows, "dbscan") }]));
const judgedVisible = sets["judged, visible"];
const byGroup = (keyOf) => {
  const keys = [...new Set(judgedVisible.map(keyOf))];
  return Object.fromEntries(keys.map((k) => {
    const rows = judgedVisible.filter((c) => keyOf(c) === k);
    return [k, { merged: summarise(rows, "merged"), dbscan: summarise(rows, "dbscan") }];
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
  setup: { sources: Object.keys(SOURCES), families: Object.keys(FAMILIES), features: ["demo-cnn", "pixel-pca64"], sites: 3, labelSiteBias: 0.8, visibleAccuracy: VISIBLE_ACCURACY, analyze: "defaults, no metadata (UMAP → DBSCAN auto eps → merge on the PCA kNN graph)" },
  summary, judgedByFamily, judgedByFeatures, judgedBySource, targets, cases, seconds: (Date.now() - t0) / 1000,
};

const f2 = (x) => x.toFixed(2);
const line = (name, s) => `| ${name} | ${s.cases} | ${f2(s.merged.meanAri)} (min ${f2(s.merged.minAri)}) | ${f2(s.merged.meanGroups)} | ${f2(s.merged.meanMaxGroupsPerSite)} / ${s.merged.worstMaxGroupsPerSite} | ${f2(s.dbscan.meanAri)} | ${f2(s.dbscan.meanGroups)} | ${f2(s.dbscan.meanMaxGroupsPerSite)} / ${s.dbscan.worstMaxGroupsPerSite} |`;
const head = ["| cases | n | ARI (merged, default) | groups/class | groups per site mean / worst | ARI (dbscan only) | groups/class | groups per site mean / worst |", "|---|---:|---:|---:|---:|---:|---:|---:|"];
const lines = [
  "# Discovery: one group per acquisition site?",
  "",
  `3 simulated sites (site tied to label, P = 0.8), per class; ARI on non-noise rows vs the true site. Seeds ${SEEDS.join(", ")}. ` +
    "analyze() sees embeddings and labels only, no metadata. Tuning = the PneumoniaMNIST train source (every family and feature), the only cases looked at while setting defaults; judged = the test + val X-rays and the generated phantoms. " +
    `Visible = the features show the site: within-class kNN (k = 10) site accuracy ≥ ${VISIBLE_ACCURACY} in every class (majority share ≈ 0.78); faint cases are reported, not targets.`,
  "",
  ...head,
  ...Object.keys(sets).map((r) => line(r, { cases: summary[r].merged.cases, ...summary[r] })),
  "",
  "## Judged visible cases, by effect family / features / source",
  "",
  ...head,
  ...Object.entries({ ...judgedByFamily, ...judgedByFeatures, ...judgedBySource }).map(([k, s]) => line(k, { cases: s.merged.cases, ...s })),
  "",
  `Targets (judged visible, merged): mean ARI ${f2(J.meanAri)} (≥ 0.7: ${targets.meanAri.met ? "met" : "NOT met"}); groups per site worst ${J.worstMaxGroupsPerSite}, mean of per-class max ${f2(J.meanMaxGroupsPerSite)} (≤ 2: ${targets.groupsPerSite.met ? "met" : "NOT met"}).`,
  "",
  "## Every case",
  "",
  "| role | source | family | features | seed | site kNN accuracy per class | merged: groups, ARI per class | dbscan: groups, ARI per class |",
  "|---|---|---|---|---:|---|---|---|",
  ...cases.map((c) => `| ${c.role}${c.visible ? "" : ", faint"} | ${c.source} | ${c.family} | ${c.features} | ${c.seed} | ${c.visibility.map((v) => f2(v.accuracy)).join(" / ")} | ${c.merged.classes.map((k) => `${k.label} ${k.groups} (${f2(k.ari)})`).join(", ")} | ${c.dbscan.classes.map((k) => `${k.label} ${k.groups} (${f2(k.ari)})`).join(", ")} |`),
  "",
  `Took ${out.seconds.toFixed(0)} s.`,
];
mkdirSync(RESULTS, { recursive: true });
writeFileSync(path.join(RESULTS, `${NAME}.json`), JSON.stringify(out, null, 2) + "\n");
writeFileSync(path.join(RESULTS, `${NAME}.md`), lines.join("\n") + "\n");
console.log(lines.slice(0, 30).join("\n"));
