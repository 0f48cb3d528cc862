// Issue 13's two analysis targets, with both peers measured in ONE run on the same data and cores:
//   UMAP path (`stratum analyze`'s default): ours PCA 50 → UMAP → DBSCAN through analyzeThreaded with
//   2 threads (one class per thread) against umap-learn (PCA 50 → umap.UMAP defaults → DBSCAN, numba
//   with NUMBA_NUM_THREADS=2): ≥ 3× faster wall time, trustworthiness ≥ umap-learn's − 0.005.
//   t-SNE path: ours analyze({ reduce: "tsne" }) through analyzeThreaded, 2 threads, against
//   scikit-learn's PCA 50 → Barnes–Hut TSNE (n_jobs=2, n_iter 750 = ours, 250 exaggerated in both) →
//   DBSCAN: ≥ 5× faster, trustworthiness within 0.01.
//
// Data: engine-speed's generator (bench/lib/site-embeddings.mjs, seed 42): 2 classes × 25k rows × 384,
// 4 simulated sites per class, written to .npy once; every side reads the same file. Each side runs in
// its own process (its own peak RSS; node's maxRSS includes its worker threads), in the order ours
// UMAP, umap-learn, ours t-SNE, scikit-learn t-SNE, with the load average recorded before each.
// Wall time = the analysis alone (data loading and process start-up not timed; umap-learn's numba
// compilation is paid by an untimed warm-up fit and reported apart).
// Trustworthiness (k = 10): every layout scored by the same Python code on the same seeded rows per
// class (bench/python/trust_score.py): "whole class" (the queries ranked against every row of the
// class in 384-D; an unbiased estimate of the class's value) and sklearn.manifold.trustworthiness on
// the same rows alone; mean over the classes. A target is met (✓) when both estimates meet it.
// Peers missing (Debian python3-sklearn / umap-learn under /usr/bin/python3): the suite says so and
// skips (exit 0, no results written); `bench/setup.sh` installs them.
// STRATUM_BENCH_QUICK=1: 2 × 2500 rows, 1000 scored rows per class (a smoke run, not reported figures).
// Writes bench/results/analysis-peers.{json,md}.
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
const THREADS = 2;
const K = 10;
const SAMPLE = QUICK ? 1000 : 2000;
const TARGETS = { umap: { speedup: 3, trustGap: 0.005 }, tsne: { speedup: 5, trustGap: 0.01 } };
const PY = path.join(here, "..", "python", "analysis_peers.py");

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
  process.exit(0);
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const python = (args, env) => {
  const r = spawnSync("/usr/bin/python3", [PY, ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`analysis_peers.py ${args[0]} failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};

// the peers first: skip with a clear message when they are not installed
const probe = spawnSync("/usr/bin/python3", [PY, "check"], { encoding: "utf8" });
if (probe.status !== 0) {
  const why = probe.error ? `/usr/bin/python3 not runnable (${probe.error.message})` : (() => {
    try {
      return `missing: ${JSON.parse(probe.stdout.trim().split("\n").pop()).missing.join(", ")}`;
    } catch {
      return probe.stderr.trim();
    }
  })();
  console.log(`analysis-peers: SKIPPED — the peers are not installed (${why}).`);
  console.log(`  Install them with bench/setup.sh (apt-get install -y python3-sklearn umap-learn), then run this suite again.`);
  process.exit(0);
}
const peerVersions = JSON.parse(probe.stdout.trim().split("\n").pop()).versions;

const { siteEmbeddings } = await import("../lib/site-embeddings.mjs");
const { writeNpy } = await import("@stratum/formats");

const dir = mkdtempSync(path.join(tmpdir(), "stratum-peers-"));
try {
  const loadStart = load();
  console.log(`analysis-peers: ${2 * PER_CLASS} × ${DIM} float32, 2 classes × ${SITES} sites${QUICK ? " (quick)" : ""}; ${cpus().length} CPUs, load ${loadStart.join(" ")}`);
  const { data, labels, n } = siteEmbeddings(42, { perClass: PER_CLASS, dim: DIM, sites: SITES });
  const E = path.join(dir, "emb.npy");
  const L = path.join(dir, "labels.npy");
  await writeNpy(E, { dtype: "float32", shape: [n, DIM], data });
  await writeNpy(L, { dtype: "int32", shape: [n], data: labels });
  const layoutFile = (name) => path.join(dir, `${name}.npy`);

  const ours = (reduce) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", E, L, reduce, layoutFile(`ours-${reduce}`)], { encoding: "utf8", cwd: here, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`our ${reduce} run failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop());
  };
  // two threads for every peer too: numba's pool, OpenMP (sklearn's t-SNE gradient, n_jobs=2) and BLAS
  const peerEnv = { NUMBA_NUM_THREADS: String(THREADS), OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS) };
  const steps = {};
  const step = (name, fn) => {
    const before = load();
    const v = fn();
    steps[name] = { ...v, loadAverageBefore: before };
    return steps[name];
  };
  const o1 = step("oursUmap", () => ours("umap"));
  console.log(`  stratum UMAP path, ${THREADS} threads: ${o1.analyzeSeconds.toFixed(1)} s (cpu ${o1.cpuSeconds.toFixed(1)} s), peak RSS ${o1.peakRssMiB.toFixed(0)} MiB`);
  const p1 = step("umapLearn", () => python(["umap", E, L, layoutFile("umap-learn")], peerEnv));
  console.log(`  umap-learn ${p1.versions.umap} (numba ${p1.numbaThreads} threads): ${p1.wallSeconds.toFixed(1)} s (start-up ${p1.startUpSeconds.toFixed(1)} s apart), peak RSS ${p1.peakRssMiB.toFixed(0)} MiB`);
  const o2 = step("oursTsne", () => ours("tsne"));
  console.log(`  stratum t-SNE path, ${THREADS} threads: ${o2.analyzeSeconds.toFixed(1)} s (cpu ${o2.cpuSeconds.toFixed(1)} s), peak RSS ${o2.peakRssMiB.toFixed(0)} MiB`);
  const p2 = step("sklearnTsne", () => python(["tsne", E, L, layoutFile("sklearn-tsne")], peerEnv));
  console.log(`  scikit-learn ${p2.versions.sklearn} TSNE (n_jobs=${p2.nJobs}, ${p2.tsneIterations} iterations): ${p2.wallSeconds.toFixed(1)} s, peak RSS ${p2.peakRssMiB.toFixed(0)} MiB`);
  const loadBeforeTrust = load();
  const order = ["ours-umap", "umap-learn", "ours-tsne", "sklearn-tsne"];
  const tw = python(["trust", E, L, String(K), String(SAMPLE), ...order.map(layoutFile)], { OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: String(THREADS) });
  const loadEnd = load();
  const trustOf = (i) => {
    const mean = (f) => tw.classes.reduce((s, c) => s + f(c.layouts[i]), 0) / tw.classes.length;
    return { full: mean((l) => l.full), subset: mean((l) => l.subset), perClass: tw.classes.map((c) => ({ label: c.label, ...c.layouts[i] })) };
  };
  const T = Object.fromEntries(order.map((name, i) => [name, trustOf(i)]));
  const compare = (path_, oursStep, peerStep, oursName, peerName) => {
    const target = TARGETS[path_];
    const speedup = peerStep.wallSeconds / oursStep.analyzeSeconds;
    const gap = { full: T[peerName].full - T[oursName].full, subset: T[peerName].subset - T[oursName].subset };
    return {
      oursSeconds: oursStep.analyzeSeconds, peerSeconds: peerStep.wallSeconds, speedup, meetsSpeed: speedup >= target.speedup,
      oursPeakRssMiB: oursStep.peakRssMiB, peerPeakRssMiB: peerStep.peakRssMiB,
      trust: { ours: { full: T[oursName].full, subset: T[oursName].subset }, peer: { full: T[peerName].full, subset: T[peerName].subset }, gap },
      meetsTrust: gap.full <= target.trustGap && gap.subset <= target.trustGap, target,
    };
  };
  const umapCmp = compare("umap", o1, p1, "ours-umap", "umap-learn");
  const tsneCmp = compare("tsne", o2, p2, "ours-tsne", "sklearn-tsne");
  const result = {
    suite: "analysis-peers", quick: QUICK, date: new Date().toISOString(), cpus: cpus().length, threads: THREADS,
    loadAverage: { start: loadStart, beforeTrust: loadBeforeTrust, end: loadEnd },
    data: { n, dim: DIM, classes: 2, sitesPerClass: SITES, perClass: PER_CLASS },
    peers: peerVersions,
    umap: umapCmp, tsne: tsneCmp, steps,
    trustworthiness: { k: K, sample: SAMPLE, seconds: tw.seconds, layouts: T },
  };
  const out = path.join(here, "..", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "analysis-peers.json"), JSON.stringify(result, null, 2) + "\n");
  const f3 = (x) => x.toFixed(3);
  const ok = (b) => (b ? "✓" : "✗");
  const signed = (g) => (g <= 0 ? `+${f3(-g)}` : `−${f3(g)}`);
  const la = (s) => s.loadAverageBefore.map((x) => x.toFixed(1)).join(", ");
  const groups = (cls) => cls.map((c) => `${c.groups} (${c.noise} noise)`).join(" / ");
  const row = (name, s, seconds, speedup, meets, trust, gap, extra = "") =>
    `| ${name} | ${seconds.toFixed(1)} s${extra} | ${speedup === null ? "1.0×" : `**${speedup.toFixed(2)}×** ${ok(meets)}`} | ${s.peakRssMiB.toFixed(0)} MiB | ${f3(trust.full)}${gap ? ` (${signed(gap.full)})` : ""} | ${f3(trust.subset)}${gap ? ` (${signed(gap.subset)})` : ""} | ${groups(s.classes)} | ${la(s)} |`;
  const md = [
    `# Analysis path vs umap-learn and scikit-learn, one run`,
    ``,
    `${n.toLocaleString("en")} × ${DIM} float32, 2 classes × ${SITES} simulated sites (engine-speed's data); per class PCA 50 → layout → knee eps → DBSCAN.`,
    `One run on ${cpus().length} CPUs, every side with ${THREADS} threads: ours \`analyzeThreaded\` (@stratum/engine/threads, one class per thread), umap-learn ${peerVersions.umap} with NUMBA_NUM_THREADS=${THREADS} (numba ${peerVersions.numba}), scikit-learn ${peerVersions.sklearn} TSNE n_jobs=${THREADS}.`,
    `The machine is shared: the 1-min, 5-min, 15-min load averages before each step are in the table (${loadStart.map((x) => x.toFixed(1)).join(", ")} at the start, ${loadEnd.map((x) => x.toFixed(1)).join(", ")} at the end); absolute times are noisy, the ratio within the run is what counts.${QUICK ? " **Quick mode** (reduced size: a smoke run, not the reported figures)." : ""}`,
    ``,
    `| pipeline | wall time | speed-up | peak RSS | trustworthiness (k = ${K}), whole class | on ${SAMPLE} rows alone | groups per class | load before |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|`,
    row(`umap-learn: PCA → UMAP → DBSCAN`, p1, p1.wallSeconds, null, false, T["umap-learn"], null),
    row(`**stratum analyze (UMAP)**`, o1, o1.analyzeSeconds, umapCmp.speedup, umapCmp.meetsSpeed, T["ours-umap"], umapCmp.trust.gap),
    row(`scikit-learn: PCA → TSNE → DBSCAN`, p2, p2.wallSeconds, null, false, T["sklearn-tsne"], null),
    row(`**stratum analyze (t-SNE)**`, o2, o2.analyzeSeconds, tsneCmp.speedup, tsneCmp.meetsSpeed, T["ours-tsne"], tsneCmp.trust.gap),
    ``,
    `Targets (issue 13): UMAP path ≥ ${TARGETS.umap.speedup}× faster than umap-learn ${ok(umapCmp.meetsSpeed)}, trustworthiness ≥ umap-learn's − ${TARGETS.umap.trustGap} ${ok(umapCmp.meetsTrust)}; t-SNE path ≥ ${TARGETS.tsne.speedup}× faster than scikit-learn ${ok(tsneCmp.meetsSpeed)}, trustworthiness within ${TARGETS.tsne.trustGap} ${ok(tsneCmp.meetsTrust)} (a trustworthiness target counts as met when both estimates meet it).`,
    ``,
    `- Trustworthiness: the same Python code (bench/python/trust_score.py) on the same ${SAMPLE} seeded rows per class for every layout; "whole class" ranks each of them against all ${PER_CLASS.toLocaleString("en")} rows of its class in ${DIM}-D (an unbiased estimate of the class's trustworthiness), "on ${SAMPLE} rows alone" is sklearn.manifold.trustworthiness on those rows; mean of the 2 classes. Per class (whole / alone): ${order.map((o) => `${o} ${T[o].perClass.map((c) => `${f3(c.full)} / ${f3(c.subset)}`).join(", ")}`).join("; ")}.`,
    `- CPU used by ours (CPU s / wall s): UMAP ${(o1.cpuSeconds / o1.analyzeSeconds).toFixed(2)} cores, t-SNE ${(o2.cpuSeconds / o2.analyzeSeconds).toFixed(2)} cores.`,
    `- umap-learn: ${p1.classes.map((c) => c.epochs ?? "default").join(" / ")} epochs; its imports and numba compilation (${p1.startUpSeconds.toFixed(1)} s, paid by an untimed 300-row warm-up fit) are not in its wall time; stages PCA ${p1.stages.pca.toFixed(1)} s, UMAP ${p1.stages.layout.toFixed(1)} s, eps + DBSCAN ${(p1.stages.eps + p1.stages.dbscan).toFixed(1)} s. No random_state (with one, umap-learn runs on one thread).`,
    `- scikit-learn TSNE: ${p2.classes.map((c) => c.iterations).join(" / ")} iterations (n_iter ${p2.tsneIterations} = ours, 250 exaggerated in both; its default is 1000), KL ${p2.classes.map((c) => c.klDivergence.toFixed(3)).join(" / ")}; stages PCA ${p2.stages.pca.toFixed(1)} s, TSNE ${p2.stages.layout.toFixed(1)} s, eps + DBSCAN ${(p2.stages.eps + p2.stages.dbscan).toFixed(1)} s.`,
    `- Scoring took ${tw.seconds.toFixed(0)} s (load before it ${loadBeforeTrust.map((x) => x.toFixed(1)).join(", ")}).`,
    ``,
  ].join("\n");
  writeFileSync(path.join(out, "analysis-peers.md"), md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function child(E, L, reduce, layoutOut) {
  const { analyzeThreaded } = await import("@stratum/engine/threads");
  const { readNpy, writeNpy: write } = await import("@stratum/formats");
  const emb = await readNpy(E);
  const lab = await readNpy(L);
  const [n, dim] = emb.shape;
  const labels = Array.from(lab.data, (c) => String(c));
  const c0 = process.cpuUsage();
  const t = performance.now();
  const findings = await analyzeThreaded({ points: { data: emb.data, n, dim }, labels }, { reduce, seed: 0 }, { threads: THREADS });
  const analyzeSeconds = (performance.now() - t) / 1000;
  const u = process.cpuUsage(c0);
  await write(layoutOut, { dtype: "float64", shape: [n, 2], data: wholeLayout(findings, n) });
  console.log(JSON.stringify({
    analyzeSeconds, cpuSeconds: (u.user + u.system) / 1e6, peakRssMiB: process.resourceUsage().maxRSS / 1024,
    classes: findings.classes.map((c) => ({ label: c.label, groups: c.groupSizes.length, noise: c.noiseCount, eps: c.eps, minPts: c.minPts })),
  }));
}
