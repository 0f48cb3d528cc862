// 60-million's step mode (STRATUM_MILLION_STEPS=select,analysis): the engine's selection and analysis at
// N × 768 on an in-memory synthetic matrix, without the database import. Every job runs in a fresh
// child process (so its peak RSS, VmHWM, is its own) that generates the same rows as the suite's
// import (60-million.mjs generate: seed 60, 2 classes × 5 sites) straight into a shared matrix
// (@stratum/engine allocateSharedMatrix, what the ANALYZE and SELECT jobs load into), then runs one
// threaded engine call and reports wall, CPU seconds (all threads of the process) and peak RSS.
//   node bench/lib/million-steps.mjs job <name> <N> <threads>   (internal: one job, JSON on the last line)
import { readFileSync } from "node:fs";

export const DIM = 768;
export const PER_CLASS = 1000;
const LABELS = ["normal", "pneumonia"];
const SITES = 5;

/**
 * The suite's generator: one centre per class, one shift per site, uniform noise of the normal's
 * variance; rows drawn in order from createRng(60). next(vec, at) writes one row's DIM values at vec[at..]
 * and returns its label, site, age and view (the same draws, in the same order, as the .npy the import reads).
 */
export function rowGenerator(createRng, dim = DIM) {
  const rng = createRng(60);
  const rand = rng.next;
  const centre = LABELS.map(() => Float32Array.from({ length: dim }, () => (rand() * 2 - 1) * 1.5));
  const shift = Array.from({ length: SITES }, () => Float32Array.from({ length: dim }, () => (rand() * 2 - 1) * 0.8));
  return (vec, at) => {
    const c = rand() < 0.5 ? 0 : 1;
    const s = Math.floor(rand() * SITES);
    const age = String(1 + Math.floor(rand() * 90));
    const view = rand() < 0.7 ? "PA" : "AP";
    const cc = centre[c];
    const ss = shift[s];
    for (let d = 0; d < dim; d++) vec[at + d] = cc[d] + ss[d] + (rand() + rand() - 1) * 0.6;
    return { label: LABELS[c], site: `H${s}`, age, view };
  };
}

function status() {
  const text = readFileSync("/proc/self/status", "utf8");
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) / 1024;
  return { hwmMB: kb("VmHWM"), rssMB: kb("VmRSS") };
}

const SELECT_JOBS = ["confounder-aware", "kcenter", "random", "stratified", "moderate", "facility-location", "herding"];
/** Every job the step mode knows: the analysis, each strategy, and k-center on an unshared matrix (per-class copies: the path before). */
export const JOBS = { analysis: ["analysis"], select: SELECT_JOBS, extra: ["kcenter-copied"] };

async function job(name, n, threads) {
  const engine = await import("@stratum/engine");
  const { analyzeThreaded, selectThreaded } = await import("@stratum/engine/threads");
  const t0 = performance.now();
  const shared = name !== "kcenter-copied";
  const data = shared ? engine.allocateSharedMatrix(n, DIM) : new Float32Array(n * DIM);
  const next = rowGenerator(engine.createRng);
  const labels = new Array(n);
  const site = new Array(n);
  const age = new Array(n);
  const view = new Array(n);
  const ids = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = next(data, i * DIM);
    labels[i] = r.label;
    site[i] = r.site;
    age[i] = r.age;
    view[i] = r.view;
    ids[i] = `s${String(i).padStart(7, "0")}`;
  }
  const genSeconds = (performance.now() - t0) / 1000;
  const base = status();
  const points = { data, n, dim: DIM };
  const metadata = { site, age, view };
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  let summary;
  if (name === "analysis") {
    const f = await analyzeThreaded({ points, labels, metadata }, { reduce: "umap", seed: 1 }, { threads });
    summary = {
      classes: f.classes.map((c) => ({ label: c.label, n: c.rows.length, groups: c.groupSizes.length, groupSizes: c.groupSizes, noise: c.noiseCount, eps: c.eps, pcaComponents: c.pcaComponents })),
      siteAssociation: f.associations.filter((a) => a.column === "site").map((a) => ({ label: a.label, cramersV: Math.round(a.cramersV * 1000) / 1000 })),
    };
  } else {
    const strategy = name === "kcenter-copied" ? "kcenter" : name;
    // The synthetic sites stand in for the analysis' groups (the analysis finds them: 60-million's import path).
    const groups = Int32Array.from(site, (s) => Number(s.slice(1)));
    const input = { points, labels, ids, metadata, groups };
    const params = { strategy, perClass: PER_CLASS, seed: 1, ...(strategy === "stratified" ? { stratifyColumn: "site" } : {}) };
    const r = await selectThreaded(input, params, { threads });
    summary = { selected: r.selected.length, manifestHash: r.manifestHash, warnings: r.warnings.length };
  }
  const seconds = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const end = status();
  return {
    job: name,
    n,
    threads,
    sharedMatrix: shared,
    generateSeconds: round(genSeconds, 1),
    seconds: round(seconds, 1),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 1),
    rssAfterGenerateMB: Math.round(base.rssMB),
    peakRssMB: Math.round(end.hwmMB),
    ...summary,
  };
}

function round(x, digits) {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

if (process.argv[2] === "job") {
  const out = await job(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  console.log(JSON.stringify(out));
  process.exit(0);
}
