// Data quality (engine data-quality module): near-duplicates, similarity search, label errors, outliers,
// each beside a reference measured in the same run.
//
// 1. Near-duplicates on 100k × 768 float32 (bench/lib/dq-synthetic.mjs: a Gaussian-cluster mixture in a
//    32-d latent space mapped to 768-d plus isotropic noise, as encoder outputs look; 1 % of rows, i.e.
//    1000 pairs, overwritten by a copy of another row plus Gaussian noise of per-coordinate sd 0.1–0.3
//    against coordinates of sd ~1.2, i.e. cosine similarity ~0.97–0.997 within a pair;
//    30 % of the copies at another site, 20 % in the other split, 10 % under the other label).
//    Engine: one approximate cosine kNN graph (k = 10: PCA-32 projection fitted on a 2000-row sample,
//    NN-descent, one unsampled local join, exact re-scoring), then nearDuplicates() with its default threshold. Run in a child process of its
//    own, so its peak RSS is that of the data and the method only (target: matrix + 500 MiB).
//    Reference: exact brute force (exactNearDuplicatePairs) on a sample of rows (300: every row of 100
//    planted pairs' first members, 200 random), its time extrapolated to all n(n−1)/2 pairs.
// 2. Similarity search on the same set: buildSimilarityIndex() reusing that graph (built once),
//    similarTo() for 500 seeded row queries (latency p50/p99 in the engine, not through the API);
//    recall@10 against exactSimilar() on 100 of them, whose latency is the reference.
// 2b. Similarity search through the API (bench/lib/dq-api.mjs, a child process of its own with the
//    server's V8 flags and NODE_ENV=production): the same set imported into a fresh store, the real app
//    on a random port, the web's SimilarSamples query for the same 500 rows with the index warm; after
//    each block of 100 the same rows through engine.similarTo on the very index the server cached
//    (ratio API / engine in the same run). STRATUM_BENCH_DQ=api runs this step alone (no near-duplicate
//    child, no PneumoniaMNIST parts) and writes bench/results/data-quality-api.{json,md}.
// 3. Label errors on PneumoniaMNIST's train split (2428 images): pixel-PCA64 and demo-cnn features,
//    5 % and 10 % of labels flipped at random (seeds 1–2). labelErrors() with kNN and with the 5-fold
//    probe; reference: scikit-learn's 5-fold cross_val_predict of a logistic regression (C = 1), with the
//    same confident-learning rule. AUROC of the score for "was flipped", precision at the top 5 %.
// 4. Outliers: 50 chest-like phantoms (bench/lib/phantoms.mjs, another image source) mixed into the
//    2428 X-rays (2 %), each given a random class. classOutliers() (default: Euclidean, k = round(√m);
//    also k = 10, 25 and cosine); reference: scikit-learn's LocalOutlierFactor (20 neighbours, Euclidean) per
//    class. Recall of the phantoms in the top 5 % of their class.
// STRATUM_BENCH_QUICK=1: 20k rows, one flip seed. Writes bench/results/data-quality.{json,md}.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSimilarityIndex,
  classOutliers,
  confidentLearning,
  cosineKnn,
  createRng,
  exactNearDuplicatePairs,
  exactSimilar,
  labelErrors,
  nearDuplicates,
  similarTo,
} from "@stratum/engine";
import { plantedDuplicates } from "../lib/dq-synthetic.mjs";
import { serverNodeFlags } from "../../apps/server/node-flags.mjs";

const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, "../results");
const PYTHON = "/usr/bin/python3";
const peakMiB = () => process.resourceUsage().maxRSS / 1024;
const quantile = (xs, q) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * a.length))];
};

/** The engine step's set and query rows (seeds 13 and 7), for the API step. */
const bigSize = () => (QUICK ? 20_000 : 100_000);
const bigSet = () => plantedDuplicates(createRng(13), { n: bigSize(), dim: 768, pairs: bigSize() / 100 });
function queryRows(count) {
  const qrng = createRng(7);
  return Array.from({ length: count }, () => qrng.int(bigSize()));
}

if (process.argv[2] === "--big") {
  writeFileSync(process.argv[3], JSON.stringify(big()));
  process.exit(0);
}

if (process.argv[2] === "--api") {
  const { apiStep } = await import("../lib/dq-api.mjs");
  const r = await apiStep({ n: bigSize(), dim: 768, queries: queryRows(500), exactQueries: QUICK ? 50 : 100, warmupQueries: 50, generate: bigSet });
  writeFileSync(process.argv[3], JSON.stringify(r));
  process.exit(0);
}

/** Parts 1 and 2, in their own process. */
function big() {
  const n = bigSize();
  const dim = 768;
  const rssStart = peakMiB();
  let t = performance.now();
  const g = bigSet();
  const genSeconds = (performance.now() - t) / 1000;
  const matrixMiB = (n * dim * 4) / 2 ** 20;
  const rssAfterData = process.memoryUsage().rss / 2 ** 20;
  const load0 = loadavg()[0];
  t = performance.now();
  const graph = cosineKnn(g.points, 10, { seed: 1 });
  const graphSeconds = (performance.now() - t) / 1000;
  const nd = nearDuplicates(g.points, { graph, sites: g.sites, splits: g.splits, labels: g.labels });
  const ndSeconds = (performance.now() - t) / 1000;
  const ndPeak = peakMiB();
  const load1 = loadavg()[0];
  // against the planted truth
  const key = (p) => p.a * n + p.b;
  const truth = new Map(g.planted.map((p) => [key(p), p]));
  const found = new Set(nd.pairs.map(key));
  let tp = 0;
  for (const k of found) if (truth.has(k)) tp++;
  const setOf = new Int32Array(n).fill(-1);
  nd.sets.forEach((s, i) => s.rows.forEach((r) => (setOf[r] = i)));
  const flagRecall = (want, flag) => {
    const ps = g.planted.filter((p) => p[want]);
    return { planted: ps.length, flagged: ps.filter((p) => setOf[p.a] >= 0 && nd.sets[setOf[p.a]][flag]).length };
  };
  // planted pairs' exact distances: how many lie within the threshold at all
  const inv = (r) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += g.points.data[r * dim + d] ** 2;
    return 1 / Math.sqrt(s);
  };
  const plantedDist = g.planted.map((p) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += g.points.data[p.a * dim + d] * g.points.data[p.b * dim + d];
    return 1 - s * inv(p.a) * inv(p.b);
  });
  // exact brute force on a sample of rows
  const rng = createRng(99);
  const sample = new Set(g.planted.slice(0, 100).map((p) => p.a));
  while (sample.size < 300) sample.add(rng.int(n));
  const rows = [...sample].sort((a, b) => a - b);
  t = performance.now();
  const exact = exactNearDuplicatePairs(g.points, nd.threshold, { rows });
  const exactSampleSeconds = (performance.now() - t) / 1000;
  const exactPairs = new Set(exact.map(key));
  const inSample = (p) => sample.has(p.a) || sample.has(p.b);
  const annSample = new Set(nd.pairs.filter(inSample).map(key));
  let agree = 0;
  for (const k of annSample) if (exactPairs.has(k)) agree++;
  const nearDup = {
    n, dim, matrixMiB, plantedPairs: g.planted.length, generateSeconds: genSeconds,
    threshold: nd.threshold, thresholdRule: nd.thresholdRule, medianNearest: nd.medianNearest,
    plantedDistance: { min: Math.min(...plantedDist), median: quantile(plantedDist, 0.5), max: Math.max(...plantedDist), withinThreshold: plantedDist.filter((d) => d <= nd.threshold).length },
    graphSeconds, seconds: ndSeconds, foundPairs: nd.pairs.length, sets: nd.sets.length,
    recall: tp / truth.size, precision: found.size ? tp / found.size : 1,
    flags: { crossSite: flagRecall("crossSite", "crossSite"), crossSplit: flagRecall("crossSplit", "crossSplit"), conflictingLabels: flagRecall("conflicting", "conflictingLabels") },
    setsFlagged: { crossSite: nd.sets.filter((s) => s.crossSite).length, crossSplit: nd.sets.filter((s) => s.crossSplit).length, conflictingLabels: nd.sets.filter((s) => s.conflictingLabels).length },
    rss: { atStartMiB: rssStart, afterDataMiB: rssAfterData, peakMiB: ndPeak, limitMiB: matrixMiB + 500 },
    exact: {
      sampleRows: rows.length, sampleSeconds: exactSampleSeconds, pairsTouchingSample: exact.length,
      extrapolatedSeconds: (exactSampleSeconds / rows.length) * (n / 2),
      annRecallVsExact: exactPairs.size ? agree / exactPairs.size : 1, annPrecisionVsExact: annSample.size ? agree / annSample.size : 1,
    },
    loadAverage1m: [load0, load1],
  };
  // similarity search
  t = performance.now();
  const index = buildSimilarityIndex(g.points, { graph, seed: 1 });
  const indexSeconds = (performance.now() - t) / 1000 + graphSeconds;
  const Q = 500, QE = QUICK ? 50 : 100;
  const queries = queryRows(Q);
  const ann = [], annMs = [], evaluated = [];
  for (const q of queries) {
    const s = performance.now();
    const r = similarTo(index, q, 10);
    annMs.push(performance.now() - s);
    ann.push(r.rows);
    evaluated.push(r.evaluated);
  }
  const exMs = [];
  let hit = 0;
  for (let i = 0; i < QE; i++) {
    const s = performance.now();
    const e = exactSimilar(g.points, queries[i], 10, { inv: index.inv });
    exMs.push(performance.now() - s);
    const es = new Set(e.rows);
    hit += [...ann[i]].filter((r) => es.has(r)).length;
  }
  const similarity = {
    n, dim, k: 10, queries: Q, exactQueries: QE, indexSeconds, indexExtraSeconds: indexSeconds - graphSeconds,
    recallAt10: hit / (QE * 10),
    annMs: { p50: quantile(annMs, 0.5), p99: quantile(annMs, 0.99), mean: annMs.reduce((a, b) => a + b, 0) / Q },
    exactMs: { p50: quantile(exMs, 0.5), p99: quantile(exMs, 0.99) },
    meanRowsEvaluated: evaluated.reduce((a, b) => a + b, 0) / Q,
    p99RowsEvaluated: quantile(evaluated, 0.99),
    peakRssMiB: peakMiB(),
  };
  return { nearDup, similarity };
}

function auroc(scores, positive) {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, pos = 0;
  for (let t = 0; t < idx.length; ) {
    let u = t;
    while (u + 1 < idx.length && scores[idx[u + 1]] === scores[idx[t]]) u++;
    for (let v = t; v <= u; v++) {
      if (positive[idx[v]]) {
        rankSum += (t + u) / 2 + 1;
        pos++;
      }
    }
    t = u + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * (idx.length - pos));
}

function precisionAtTop(scores, positive, share) {
  const m = Math.round(share * scores.length);
  const top = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, m);
  return top.filter((i) => positive[i]).length / m;
}

function sklearn(mode, points, labels, tmp) {
  const feat = path.join(tmp, "x.f32"), lab = path.join(tmp, "y.json"), out = path.join(tmp, "out.json");
  writeFileSync(feat, Buffer.from(Float32Array.from(points.data).buffer));
  writeFileSync(lab, JSON.stringify(labels));
  const t = performance.now();
  const r = spawnSync(PYTHON, [path.join(HERE, "../python/data_quality_sklearn.py"), mode, feat, String(points.n), String(points.dim), lab, out], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
  if (r.status !== 0) throw new Error(`sklearn ${mode}: ${r.stderr}`);
  return { ...JSON.parse(readFileSync(out, "utf8")), seconds: (performance.now() - t) / 1000 };
}

/** Step 2b in its own process: production mode and the API's V8 flags, as `npm start` runs the server. */
function apiChild(tmp) {
  const out = path.join(tmp, "api.json");
  const r = spawnSync(process.execPath, [...serverNodeFlags, fileURLToPath(import.meta.url), "--api", out], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (r.status !== 0) throw new Error("API similarity child failed (is apps/server built? npm run build -w @stratum/server)");
  return JSON.parse(readFileSync(out, "utf8"));
}

const f3 = (x) => x.toFixed(3);
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const ok = (m) => (m ? "✓" : "✗");
const apiTarget = (api) => ({ value: api.apiMs.p99, target: 20, met: api.apiMs.p99 <= 20 && api.recallAt10 >= 0.95 && api.errors === 0 && api.allWarm, note: `through the API, index warm; engine on the same index ${f2(api.engineMs.p99)} ms, ×${f1(api.ratio.p99)}; load ${api.loadAverage1m.map(f1).join("/")}` });
const apiLines = (api) => [
  `## Similarity search through the API: ${api.n.toLocaleString("en")} × ${api.dim}, ${api.storage}`,
  "",
  `The web's SimilarSamples query (first 10, each item's sample with its site) from a sequential client (one keep-alive connection, its own process) to the real app in production mode; ${api.warmupQueries} warm-up queries, then ${api.queries} (the engine step's rows) in blocks of 100, each block followed by engine.similarTo on the index the server cached, in the server's process. Import ${f1(api.importSeconds)} s; the cold first query (vectors loaded, index built) ${f1(api.coldFirstQuerySeconds)} s (index ${f1(api.indexBuildMs / 1000)} s). Load average (1 min) at start / after import / after the cold query / at the end: ${api.loadAverage1m.map(f1).join(" / ")}.`,
  "",
  "| | p50 | p99 | mean | max |",
  "|---|---:|---:|---:|---:|",
  `| API, client round trip | ${f2(api.apiMs.p50)} ms | ${f2(api.apiMs.p99)} ms | ${f2(api.apiMs.mean)} ms | ${f1(api.apiMs.max)} ms |`,
  `| API, in the server (request → finish) | ${f2(api.serverMs.p50)} ms | ${f2(api.serverMs.p99)} ms | ${f2(api.serverMs.mean)} ms | ${f1(api.serverMs.max)} ms |`,
  `| engine.similarTo, same index, same rows (reference) | ${f2(api.engineMs.p50)} ms | ${f2(api.engineMs.p99)} ms | ${f2(api.engineMs.mean)} ms | ${f1(api.engineMs.max)} ms |`,
  `| ratio API / engine | ×${f1(api.ratio.p50)} | ×${f1(api.ratio.p99)} | | |`,
  "",
  `Recall@10 of the API's answers against exact search on the server's vectors (${api.exactQueries} queries): ${f3(api.recallAt10)}. Every answer warm: ${api.allWarm ? "yes" : "NO"}; method ${api.methods.join(", ")}; ${api.meanEvaluated.toFixed(0)} rows scored per query on average; ${api.errors} errors. Peak RSS of the API child ${api.peakRssMiB.toFixed(0)} MiB.`,
  "",
];

const t0 = Date.now();
const loadAtStart = loadavg()[0];
const tmp = mkdtempSync(path.join(tmpdir(), "stratum-dq-"));

if (process.env.STRATUM_BENCH_DQ === "api") {
  const api = apiChild(tmp);
  rmSync(tmp, { recursive: true, force: true });
  const out = { suite: "data-quality-api", quick: QUICK, date: new Date().toISOString(), cpus: cpus().length, loadAverage1mAtStart: loadAtStart, loadAverage1mAtEnd: loadavg()[0], seconds: (Date.now() - t0) / 1000, targets: { similarityP99ApiMs: apiTarget(api) }, similarityApi: api };
  const lines = [
    "# Data quality: similarity search through the API (step 2b alone)",
    "",
    `${out.date}, ${out.cpus} cores, load ${f1(loadAtStart)} → ${f1(out.loadAverage1mAtEnd)} (1-min average; the machine is shared, so times are inflated). ${QUICK ? "QUICK run. " : ""}Run: \`STRATUM_BENCH_DQ=api node bench/run.mjs data-quality\` (${f1(out.seconds)} s). The full suite (\`npm run bench\`) records the same step in data-quality.md beside the engine's figures.`,
    "",
    `Target p99 ≤ 20 ms through the API with the index warm, recall@10 ≥ 0.95: ${ok(out.targets.similarityP99ApiMs.met)} (p99 ${f2(api.apiMs.p99)} ms, recall@10 ${f3(api.recallAt10)}).`,
    "",
    ...apiLines(api),
  ];
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, "data-quality-api.json"), JSON.stringify(out, null, 2) + "\n");
  writeFileSync(path.join(RESULTS, "data-quality-api.md"), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
  process.exit(0);
}

const childOut = path.join(tmp, "big.json");
const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--big", childOut], { stdio: "inherit", env: process.env });
if (child.status !== 0) throw new Error("near-duplicate child failed");
const { nearDup, similarity } = JSON.parse(readFileSync(childOut, "utf8"));
console.log("near-duplicates", JSON.stringify(nearDup));
console.log("similarity", JSON.stringify(similarity));
// 2b after the engine child has exited (one heavy process at a time)
const similarityApi = apiChild(tmp);
console.log("similarity through the API", JSON.stringify(similarityApi));

// Parts 3 and 4 on PneumoniaMNIST.
const { loadPneumonia } = await import("../lib/pneumonia.mjs");
const { pixelPcaFeatures } = await import("../lib/features.mjs");
const { demoCnnFeatures } = await import("../lib/demo-encoder.mjs");
const { phantoms } = await import("../lib/phantoms.mjs");
const pn = await loadPneumonia();
const px = pn.height * pn.width;
const nPool = pn.pool.labels.length;
const features = {
  "pixel-pca64": pixelPcaFeatures(pn.pool.images, pn.pool.images.subarray(0, px), px, 64, 0).pool,
  "demo-cnn": await demoCnnFeatures(pn.pool.images, nPool, pn.height, pn.width, "dq-pneumonia-train"),
};
const FLIP_SEEDS = QUICK ? [1] : [1, 2];
const labelRows = [];
for (const [feat, points] of Object.entries(features)) {
  for (const rate of [0.05, 0.1]) {
    for (const seed of FLIP_SEEDS) {
      const rng = createRng(1000 * seed + Math.round(rate * 100));
      const labels = pn.pool.labels.slice();
      const flipped = new Array(nPool).fill(false);
      const perm = Array.from({ length: nPool }, (_, i) => i);
      for (let a = nPool - 1; a > 0; a--) {
        const b = rng.int(a + 1);
        [perm[a], perm[b]] = [perm[b], perm[a]];
      }
      for (const r of perm.slice(0, Math.round(rate * nPool))) {
        flipped[r] = true;
        labels[r] = labels[r] === "normal" ? "pneumonia" : "normal";
      }
      const score = (res, seconds) => ({
        auroc: auroc(res.scores, flipped), precisionTop5: precisionAtTop(res.scores, flipped, 0.05),
        issues: res.issueCount, issuePrecision: res.issueCount ? res.scores.reduce((s, _, i) => s + (res.issues[i] && flipped[i] ? 1 : 0), 0) / res.issueCount : 0,
        issueRecall: res.scores.reduce((s, _, i) => s + (res.issues[i] && flipped[i] ? 1 : 0), 0) / flipped.filter(Boolean).length,
        seconds,
      });
      let t = performance.now();
      const knn = labelErrors(points, labels, { probabilities: "knn", seed });
      const knnRow = score(knn, (performance.now() - t) / 1000);
      t = performance.now();
      const probe = labelErrors(points, labels, { probabilities: "probe", seed });
      const probeRow = score(probe, (performance.now() - t) / 1000);
      const sk = sklearn("labels", points, labels, tmp);
      const classes = sk.classes;
      const skRes = confidentLearning(Float64Array.from(sk.probabilities), Int32Array.from(labels, (l) => classes.indexOf(l)), classes, "probe");
      labelRows.push({ features: feat, rate, seed, flipped: flipped.filter(Boolean).length, knn: knnRow, probe: probeRow, sklearn: score(skRes, sk.seconds) });
      console.log("label errors", feat, rate, seed, knnRow.auroc.toFixed(3), probeRow.auroc.toFixed(3), labelRows.at(-1).sklearn.auroc.toFixed(3));
    }
  }
}

// outliers: 2 % phantoms
const nPh = Math.round((0.02 * nPool) / 0.98);
const ph = phantoms(nPh, 21);
const mixedImages = new Uint8Array((nPool + nPh) * px);
mixedImages.set(pn.pool.images, 0);
mixedImages.set(ph.images, nPool * px);
const orng = createRng(5);
const mixedLabels = [...pn.pool.labels, ...Array.from({ length: nPh }, () => (orng.next() < 0.5 ? "normal" : "pneumonia"))];
const isPhantom = mixedLabels.map((_, i) => i >= nPool);
const nMix = nPool + nPh;
const cnnPool = features["demo-cnn"];
const cnnPh = await demoCnnFeatures(ph.images, nPh, 28, 28, `dq-phantoms-${nPh}-21`);
const cnnMixed = { data: new Float32Array(nMix * cnnPool.dim), n: nMix, dim: cnnPool.dim };
cnnMixed.data.set(cnnPool.data, 0);
cnnMixed.data.set(cnnPh.data, nPool * cnnPool.dim);
const outlierFeatures = { "pixel-pca64": pixelPcaFeatures(mixedImages, mixedImages.subarray(0, px), px, 64, 0).pool, "demo-cnn": cnnMixed };
const outlierRows = [];
const classSize = new Map();
mixedLabels.forEach((l) => classSize.set(l, (classSize.get(l) ?? 0) + 1));
const recallTop5 = (scores) => {
  // rank within class by descending score
  let hit = 0;
  const byClass = new Map();
  mixedLabels.forEach((l, i) => (byClass.get(l) ?? byClass.set(l, []).get(l)).push(i));
  const rankOf = new Int32Array(nMix);
  for (const rows of byClass.values()) rows.sort((a, b) => scores[b] - scores[a] || a - b).forEach((r, k) => (rankOf[r] = k));
  for (let i = nPool; i < nMix; i++) if (rankOf[i] < 0.05 * classSize.get(mixedLabels[i])) hit++;
  return hit / nPh;
};
for (const [feat, points] of Object.entries(outlierFeatures)) {
  for (const [k, metric] of [[undefined, "euclidean"], [10, "euclidean"], [25, "euclidean"], [undefined, "cosine"]]) {
    const t = performance.now();
    const out = classOutliers(points, mixedLabels, { ...(k ? { k } : {}), metric, seed: 1 });
    const seconds = (performance.now() - t) / 1000;
    const kText = k ? `k=${k}` : `k=√m (${out.perClass.map((c) => c.k).join("/")})`;
    outlierRows.push({ features: feat, method: `classOutliers ${metric} ${kText}${!k && metric === "euclidean" ? " (default)" : ""}`, recallTop5: recallTop5(out.scores), auroc: auroc(out.scores, isPhantom), seconds });
  }
  const lof = sklearn("outliers", points, mixedLabels, tmp);
  outlierRows.push({ features: feat, method: "sklearn LOF k=20, Euclidean (reference)", recallTop5: recallTop5(lof.scores), auroc: auroc(lof.scores, isPhantom), seconds: lof.seconds });
  console.log("outliers", feat, outlierRows.slice(-5).map((r) => r.recallTop5.toFixed(3)).join(" "));
}
rmSync(tmp, { recursive: true, force: true });

// summary and targets
const meanOf = (rows, f) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
const labelSummary = [];
for (const feat of Object.keys(features)) {
  for (const rate of [0.05, 0.1]) {
    const rs = labelRows.filter((r) => r.features === feat && r.rate === rate);
    labelSummary.push({
      features: feat, rate,
      ...Object.fromEntries(["knn", "probe", "sklearn"].map((m) => [m, { auroc: meanOf(rs, (r) => r[m].auroc), precisionTop5: meanOf(rs, (r) => r[m].precisionTop5), issuePrecision: meanOf(rs, (r) => r[m].issuePrecision), issueRecall: meanOf(rs, (r) => r[m].issueRecall) }])),
    });
  }
}
const defaultOutliers = outlierRows.filter((r) => r.method.endsWith("(default)"));
const targets = {
  nearDupRecall: { value: nearDup.recall, target: 0.98, met: nearDup.recall >= 0.98 },
  nearDupPrecision: { value: nearDup.precision, target: 0.95, met: nearDup.precision >= 0.95 },
  nearDupSeconds: { value: nearDup.seconds, target: 60, met: nearDup.seconds <= 60 },
  nearDupRss: { value: nearDup.rss.peakMiB, target: nearDup.rss.limitMiB, met: nearDup.rss.peakMiB <= nearDup.rss.limitMiB },
  similarityRecall: { value: similarity.recallAt10, target: 0.95, met: similarity.recallAt10 >= 0.95 },
  similarityIndexSeconds: { value: similarity.indexSeconds, target: 60, met: similarity.indexSeconds <= 60 },
  similarityP99EngineMs: { value: similarity.annMs.p99, target: 20, met: similarity.annMs.p99 <= 20, note: "engine only" },
  similarityP99ApiMs: apiTarget(similarityApi),
  labelErrorAuroc: { value: Math.min(...labelSummary.map((s) => s.knn.auroc)), target: 0.9, met: labelSummary.every((s) => s.knn.auroc >= 0.9), note: "default (kNN) probabilities, worst feature × rate" },
  labelErrorAurocProbe: { value: Math.min(...labelSummary.map((s) => s.probe.auroc)), target: 0.9, met: labelSummary.every((s) => s.probe.auroc >= 0.9) },
  outlierRecallTop5: { value: Math.min(...defaultOutliers.map((r) => r.recallTop5)), target: 0.9, met: defaultOutliers.every((r) => r.recallTop5 >= 0.9), note: "default k = √m, Euclidean, worst features" },
};
const out = {
  suite: "data-quality", quick: QUICK, date: new Date().toISOString(), cpus: cpus().length,
  loadAverage1mAtStart: loadAtStart, loadAverage1mAtEnd: loadavg()[0], seconds: (Date.now() - t0) / 1000,
  targets, nearDuplicates: nearDup, similarity, similarityApi, labelErrors: { summary: labelSummary, runs: labelRows }, outliers: { phantoms: nPh, pool: nPool, rows: outlierRows },
};
const lines = [
  "# Data quality",
  "",
  `${out.date}, ${out.cpus} cores, load ${f1(loadAtStart)} → ${f1(out.loadAverage1mAtEnd)} (1-min average; the machine is shared, so times are inflated). ${QUICK ? "QUICK run. " : ""}Run: \`node bench/run.mjs data-quality\` (${f1(out.seconds)} s).`,
  "",
  "## Targets",
  "",
  "| target | measured | goal | |",
  "|---|---:|---:|---|",
  ...Object.entries(targets).map(([k, v]) => `| ${k}${v.note ? ` (${v.note})` : ""} | ${typeof v.value === "number" ? (Math.abs(v.value) >= 10 ? f1(v.value) : f3(v.value)) : v.value} | ${v.target} | ${ok(v.met)} |`),
  "",
  `## Near-duplicates: ${nearDup.n.toLocaleString("en")} × ${nearDup.dim} float32, ${nearDup.plantedPairs} planted pairs`,
  "",
  `Matrix ${f1(nearDup.matrixMiB)} MiB. Default threshold (cosine distance) τ = ${nearDup.threshold.toExponential(3)} = min(0.25 × median nearest distance ${f3(nearDup.medianNearest)}, log-MAD fence). Planted pairs' exact distances ${nearDup.plantedDistance.min.toExponential(2)}–${nearDup.plantedDistance.max.toExponential(2)} (median ${nearDup.plantedDistance.median.toExponential(2)}), ${nearDup.plantedDistance.withinThreshold} of ${nearDup.plantedPairs} within τ.`,
  "",
  "| | time | recall (planted) | precision (planted) | peak RSS |",
  "|---|---:|---:|---:|---:|",
  `| engine: approximate graph (${f1(nearDup.graphSeconds)} s) + nearDuplicates | ${f1(nearDup.seconds)} s | ${f3(nearDup.recall)} | ${f3(nearDup.precision)} | ${nearDup.rss.peakMiB.toFixed(0)} MiB (limit ${nearDup.rss.limitMiB.toFixed(0)}) |`,
  `| exact brute force, ${nearDup.exact.sampleRows} rows × all (measured) | ${f1(nearDup.exact.sampleSeconds)} s | — | — | — |`,
  `| exact brute force, all pairs (extrapolated from the sample) | ${f1(nearDup.exact.extrapolatedSeconds)} s (${f1(nearDup.exact.extrapolatedSeconds / nearDup.seconds)}× the engine) | | | |`,
  "",
  `On the sampled rows the approximate pairs recover ${f3(nearDup.exact.annRecallVsExact)} of the exact pairs at τ (precision ${f3(nearDup.exact.annPrecisionVsExact)}; ${nearDup.exact.pairsTouchingSample} exact pairs touch the sample). RSS after generating the data ${nearDup.rss.afterDataMiB.toFixed(0)} MiB. ${nearDup.sets} sets found.`,
  `Flags (planted pairs whose set carries the flag): across sites ${nearDup.flags.crossSite.flagged}/${nearDup.flags.crossSite.planted}, across splits ${nearDup.flags.crossSplit.flagged}/${nearDup.flags.crossSplit.planted}, two labels ${nearDup.flags.conflictingLabels.flagged}/${nearDup.flags.conflictingLabels.planted}.`,
  "",
  "## Similarity search (same set)",
  "",
  "| | build | per query p50 | p99 | recall@10 |",
  "|---|---:|---:|---:|---:|",
  `| engine: buildSimilarityIndex (graph shared with near-duplicates) + similarTo | ${f1(similarity.indexSeconds)} s (graph ${f1(nearDup.graphSeconds)} + ${f1(similarity.indexExtraSeconds)}) | ${similarity.annMs.p50.toFixed(2)} ms | ${similarity.annMs.p99.toFixed(2)} ms | ${f3(similarity.recallAt10)} |`,
  `| exact scan (reference, ${similarity.exactQueries} queries) | — | ${similarity.exactMs.p50.toFixed(1)} ms | ${similarity.exactMs.p99.toFixed(1)} ms | 1 |`,
  "",
  `${similarity.queries} row queries (own row excluded); on average ${similarity.meanRowsEvaluated.toFixed(0)} of ${similarity.n} rows scored per query (p99 ${similarity.p99RowsEvaluated}; ${1024} of them the pivots), so a slow query is the shared machine's scheduling more than the search's work. Engine latency, not through the API (next section).`,
  "",
  ...apiLines(similarityApi),
  "## Label errors (PneumoniaMNIST train, 2428)",
  "",
  `Mean over flip seeds ${FLIP_SEEDS.join(", ")}. AUROC of 1 − p̂(given label) for "was flipped"; P@5 % = share of flipped rows in the top 5 % by that score; CL = the confident-learning flags (precision / recall).`,
  "",
  "| features | flipped | kNN AUROC | kNN P@5 % | kNN CL P / R | probe AUROC | probe P@5 % | probe CL P / R | sklearn AUROC | sklearn P@5 % |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...labelSummary.map((s) => `| ${s.features} | ${s.rate * 100} % | ${f3(s.knn.auroc)} | ${f3(s.knn.precisionTop5)} | ${f3(s.knn.issuePrecision)} / ${f3(s.knn.issueRecall)} | ${f3(s.probe.auroc)} | ${f3(s.probe.precisionTop5)} | ${f3(s.probe.issuePrecision)} / ${f3(s.probe.issueRecall)} | ${f3(s.sklearn.auroc)} | ${f3(s.sklearn.precisionTop5)} |`),
  "",
  `## Outliers: ${nPh} phantoms among ${nPool} X-rays (2 %)`,
  "",
  "| features | method | recall in top 5 % of class | AUROC | time |",
  "|---|---|---:|---:|---:|",
  ...outlierRows.map((r) => `| ${r.features} | ${r.method} | ${f3(r.recallTop5)} | ${f3(r.auroc)} | ${r.seconds.toFixed(2)} s |`),
  "",
];
mkdirSync(RESULTS, { recursive: true });
writeFileSync(path.join(RESULTS, "data-quality.json"), JSON.stringify(out, null, 2) + "\n");
writeFileSync(path.join(RESULTS, "data-quality.md"), lines.join("\n") + "\n");
console.log(lines.join("\n"));
