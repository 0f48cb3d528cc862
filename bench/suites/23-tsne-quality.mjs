// t-SNE quality and speed: the engine's PCA → t-SNE → DBSCAN (analyze({ reduce: "tsne" })) against
// scikit-learn's PCA → Barnes–Hut TSNE → DBSCAN with n_jobs=2, same 50k × 384 data, same run (issue 13).
//
// Data: engine-speed's generator, byte for byte (seed 42; 2 classes × 25k points, each a 16-D latent
// Gaussian mapped into 384-D, plus one of 4 site shifts, plus noise), written to .npy once.
// Ours: a child process (its own peak RSS) runs analyze({ reduce: "tsne", seed: 0 }) and writes the
// per-class layouts. Reference: /usr/bin/python3 bench/python/tsne_quality_sklearn.py run — TSNE with
// scikit-learn's own defaults (n_iter 1000, exaggeration 12 × 250, learning_rate "auto", init "pca"),
// n_jobs=2, per class, as analyze() does. Both layouts are then scored by the same Python code on the
// same rows (tsne_quality_sklearn.py trust): trustworthiness (k = 10) in the original 384-D space, per
// class, as (a) an unbiased estimate of the whole class's value from 2000 query rows ranked against
// all 25k, and (b) sklearn.manifold.trustworthiness on a 5000-row subset (2000 in quick mode).
// Targets: trustworthiness ≥ scikit-learn's − 0.01 (both estimates); ≥ 5× faster wall time.
// STRATUM_BENCH_QUICK=1: 2 × 2500 points. Writes bench/results/tsne-quality.{json,md}.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { wholeLayout } from "../lib/stats.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
const PER_CLASS = QUICK ? 2500 : 25_000;
const DIM = 384;
const SITES = 4;
const K = 10;
const QUERIES = 2000;
const SUBSET = QUICK ? 2000 : 5000;
const TARGET_GAP = 0.01;
const TARGET_SPEEDUP = 5;

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4], process.argv[5]);
  process.exit(0);
}

const { siteEmbeddings } = await import("../lib/site-embeddings.mjs");
const { writeNpy } = await import("@stratum/formats");

const python = (args, env = process.env) => {
  const r = spawnSync("/usr/bin/python3", [path.join(here, "..", "python", "tsne_quality_sklearn.py"), ...args], { encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`tsne_quality_sklearn.py ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};

const dir = mkdtempSync(path.join(tmpdir(), "stratum-tsne-"));
const loadAtStart = loadavg()[0];
try {
  console.log(`tsne-quality: ${2 * PER_CLASS} × ${DIM} float32, 2 classes × ${SITES} sites${QUICK ? " (quick)" : ""}; ${cpus().length} CPUs, load ${loadAtStart.toFixed(1)}`);
  const { data, labels, n } = siteEmbeddings(42, { perClass: PER_CLASS, dim: DIM, sites: SITES });
  const E = path.join(dir, "emb.npy");
  const L = path.join(dir, "labels.npy");
  const oursLayout = path.join(dir, "ours.npy");
  const refLayout = path.join(dir, "sklearn.npy");
  await writeNpy(E, { dtype: "float32", shape: [n, DIM], data });
  await writeNpy(L, { dtype: "int32", shape: [n], data: labels });

  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", E, L, oursLayout], { encoding: "utf8", cwd: here, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`our run failed: ${r.stderr}`);
  const ours = JSON.parse(r.stdout.trim().split("\n").pop());
  console.log(`  stratum analyze (tsne): ${ours.analyzeSeconds.toFixed(1)} s (t-SNE stage ${ours.tsneSeconds.toFixed(1)} s), peak RSS ${ours.peakRssMiB.toFixed(0)} MiB`);
  const loadMid = loadavg()[0];
  // both cores for scikit-learn (n_jobs=2 is its Barnes–Hut gradient's thread count; BLAS/OpenMP may use 2 too)
  const env = { ...process.env, OMP_NUM_THREADS: "2", OPENBLAS_NUM_THREADS: "2", MKL_NUM_THREADS: "2" };
  const ref = python(["run", E, L, refLayout], env);
  console.log(`  scikit-learn ${ref.versions.sklearn} (n_jobs=${ref.nJobs}): ${ref.wallSeconds.toFixed(1)} s (TSNE ${ref.stages.tsne.toFixed(1)} s), peak RSS ${ref.peakRssMiB.toFixed(0)} MiB`);
  const loadEnd = loadavg()[0];
  const tw = python(["trust", E, L, String(K), String(SUBSET), oursLayout, refLayout], { ...process.env, OMP_NUM_THREADS: "2" });

  const mean = (f) => tw.classes.reduce((s, c) => s + f(c), 0) / tw.classes.length;
  const score = (which, side) => mean((c) => c.layouts[side][which]);
  const trust = {
    full: { ours: score("full", 0), sklearn: score("full", 1) },
    subset: { ours: score("subset", 0), sklearn: score("subset", 1) },
  };
  for (const t of Object.values(trust)) {
    t.gap = t.sklearn - t.ours;
    t.meets = t.gap <= TARGET_GAP;
  }
  const speedup = ref.wallSeconds / ours.analyzeSeconds;
  const tsneSpeedup = ref.stages.tsne / ours.tsneSeconds;
  const result = {
    suite: "tsne-quality", quick: QUICK, date: new Date().toISOString(), cpus: cpus().length,
    loadAverage1m: { start: loadAtStart, afterOurs: loadMid, afterSklearn: loadEnd },
    data: { n, dim: DIM, classes: 2, sitesPerClass: SITES },
    trustworthiness: { k: K, queries: QUERIES, subset: SUBSET, mean: trust, perClass: tw.classes },
    ours, reference: ref,
    speedup, tsneSpeedup, meetsSpeed: speedup >= TARGET_SPEEDUP,
    targets: { trustworthinessGap: TARGET_GAP, speedup: TARGET_SPEEDUP },
  };
  const out = path.join(here, "..", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "tsne-quality.json"), JSON.stringify(result, null, 2) + "\n");
  const f3 = (x) => x.toFixed(3);
  const ok = (b) => (b ? "✓" : "✗");
  const md = [
    `# t-SNE quality and speed vs scikit-learn`,
    ``,
    `${n.toLocaleString("en")} × ${DIM} float32, 2 classes × ${SITES} simulated sites (engine-speed's data); per class PCA 50 → t-SNE → DBSCAN.`,
    `One run on ${cpus().length} CPUs (shared machine; 1-min load ${loadAtStart.toFixed(1)} at start, ${loadMid.toFixed(1)} after ours, ${loadEnd.toFixed(1)} after scikit-learn).${QUICK ? " **Quick mode** (reduced size)." : ""}`,
    `Ours: \`analyze({ reduce: "tsne" })\`, one thread. scikit-learn ${ref.versions.sklearn}: TSNE defaults (Barnes–Hut, angle 0.5, n_iter 1000, exaggeration 12 × 250, learning_rate "auto", init "pca"), n_jobs=${ref.nJobs}.`,
    ``,
    `| pipeline | wall time | t-SNE stage | speed-up | peak RSS | trustworthiness (k = ${K}), whole class | on a ${SUBSET}-row subset |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    `| scikit-learn PCA → TSNE → DBSCAN | ${ref.wallSeconds.toFixed(1)} s | ${ref.stages.tsne.toFixed(1)} s | 1.0× | ${ref.peakRssMiB.toFixed(0)} MiB | ${f3(trust.full.sklearn)} | ${f3(trust.subset.sklearn)} |`,
    `| stratum analyze (tsne) | ${ours.analyzeSeconds.toFixed(1)} s | ${ours.tsneSeconds.toFixed(1)} s | **${speedup.toFixed(1)}×** ${ok(result.meetsSpeed)} | ${ours.peakRssMiB.toFixed(0)} MiB | ${f3(trust.full.ours)} (−${f3(Math.max(0, trust.full.gap))}) ${ok(trust.full.meets)} | ${f3(trust.subset.ours)} (−${f3(Math.max(0, trust.subset.gap))}) ${ok(trust.subset.meets)} |`,
    ``,
    `Trustworthiness per class (ours / scikit-learn): ${tw.classes.map((c) => `class ${c.label}: whole ${f3(c.layouts[0].full)} / ${f3(c.layouts[1].full)}, subset ${f3(c.layouts[0].subset)} / ${f3(c.layouts[1].subset)}`).join("; ")}.`,
    `"Whole class": ${QUERIES} seeded query rows per class, each ranked against all ${PER_CLASS.toLocaleString("en")} rows in 384-D (an unbiased estimate of the class's trustworthiness); "subset": sklearn.manifold.trustworthiness on ${SUBSET} seeded rows per class. Same rows for both layouts, same scoring code.`,
    `t-SNE stage speed-up (ours: kNN + affinities + iterations; sklearn: TSNE.fit_transform): ${tsneSpeedup.toFixed(1)}×. scikit-learn ran ${ref.classes.map((c) => c.iterations).join(" / ")} iterations (KL ${ref.classes.map((c) => c.klDivergence.toFixed(3)).join(" / ")}).`,
    `Groups: ours ${ours.classes.map((c) => `${c.label} ${c.groups} (${c.noise} noise)`).join(", ")}; scikit-learn ${ref.classes.map((c) => `${c.label} ${c.groups} (${c.noise} noise)`).join(", ")}.`,
    ``,
  ].join("\n");
  writeFileSync(path.join(out, "tsne-quality.md"), md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function child(E, L, layoutOut) {
  const { analyze } = await import("@stratum/engine");
  const { readNpy, writeNpy: write } = await import("@stratum/formats");
  const emb = await readNpy(E);
  const lab = await readNpy(L);
  const [n, dim] = emb.shape;
  const labels = Array.from(lab.data, (c) => String(c));
  // the t-SNE stage: from the end of PCA to the start of DBSCAN (kNN, affinities, iterations)
  let tsneSeconds = 0;
  let mark = 0;
  const onProgress = (phase, done, total) => {
    if (phase.endsWith(": PCA") && done === total) mark = performance.now();
    if (phase.endsWith(": DBSCAN") && done === 0) tsneSeconds += (performance.now() - mark) / 1000;
  };
  const t = performance.now();
  const findings = analyze({ points: { data: emb.data, n, dim }, labels }, { reduce: "tsne", seed: 0 }, onProgress);
  const analyzeSeconds = (performance.now() - t) / 1000;
  await write(layoutOut, { dtype: "float64", shape: [n, 2], data: wholeLayout(findings, n) });
  console.log(JSON.stringify({
    analyzeSeconds, tsneSeconds, peakRssMiB: process.resourceUsage().maxRSS / 1024,
    classes: findings.classes.map((c) => ({ label: c.label, groups: c.groupSizes.length, noise: c.noiseCount, eps: c.eps, minPts: c.minPts })),
  }));
}
