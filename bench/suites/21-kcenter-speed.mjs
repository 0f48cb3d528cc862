// k-center greedy speed: engine kCenterGreedy vs a plain vectorised NumPy implementation of the same
// algorithm (bench/lib/kcenter_numpy.py, Debian /usr/bin/python3), on the same float32 data, in the
// same run. Main case: 100k × 768, k = 1000, clustered data (200 Gaussian clusters, like embeddings of
// a real image pool). Also a short run on iid Gaussian noise, where the engine's triangle-inequality
// pruning cannot help: that is the per-step worst case.
// Writes bench/results/kcenter-speed.{json,md}.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { kCenterGreedy } from "@stratum/engine";
import { peakRssMb } from "../lib/stats.mjs";

const QUICK = process.env.STRATUM_BENCH_QUICK === "1";
const here = path.dirname(fileURLToPath(import.meta.url));
const PY = "/usr/bin/python3";
const script = path.join(here, "..", "lib", "kcenter_numpy.py");
const dir = path.join(tmpdir(), `stratum-kcenter-${process.pid}`);
mkdirSync(dir, { recursive: true });

const cases = [
  { name: "clustered", n: QUICK ? 20000 : 100000, dim: 768, k: QUICK ? 200 : 1000, clusters: 200 },
  { name: "iid noise (worst case)", n: QUICK ? 20000 : 100000, dim: 768, k: QUICK ? 20 : 100, clusters: 0 },
];

function py(args) {
  const r = spawnSync(PY, [script, ...args.map(String)], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PY} ${script} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

const rows = [];
try {
  for (const c of cases) {
    const file = path.join(dir, `${c.clusters}.f32`);
    py(["gen", file, c.n, c.dim, c.clusters, 7]);
    const buf = readFileSync(file);
    const data = new Float32Array(buf.buffer, buf.byteOffset, c.n * c.dim);
    const first = 0;
    const t = performance.now();
    const res = kCenterGreedy({ data, n: c.n, dim: c.dim }, c.k, undefined, { first });
    const jsSeconds = (performance.now() - t) / 1000;
    const ref = JSON.parse(py(["run", file, c.n, c.dim, c.k, first]));
    rmSync(file);
    globalThis.gc?.(); // bench/run.mjs passes --expose-gc: drop this case's matrix before the next
    let agree = 0;
    while (agree < c.k && ref.order[agree] === res.order[agree]) agree++;
    rows.push({
      case: c.name,
      n: c.n,
      dim: c.dim,
      k: c.k,
      engineSeconds: jsSeconds,
      numpySeconds: ref.seconds,
      ratio: jsSeconds / ref.seconds,
      samePrefix: agree,
      numpyPeakRssMb: ref.peakRssMb,
      numpy: ref.numpy,
    });
    console.error(`${c.name}: engine ${jsSeconds.toFixed(2)} s, numpy ${ref.seconds.toFixed(2)} s, same first ${agree} of ${c.k} picks`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const matrixMb = (cases[0].n * cases[0].dim * 4) / 2 ** 20;
const out = { suite: "kcenter-speed", quick: QUICK, target: "engine within 2× of NumPy on 100k × 768, k = 1000", rows, enginePeakRssMb: peakRssMb(), matrixMb };
const md = [
  "# k-center greedy: engine vs NumPy (same algorithm, same data, same run)",
  "",
  "| data | n × dim | k | engine (s) | NumPy (s) | engine / NumPy | identical first picks |",
  "|---|---|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.case} | ${r.n} × ${r.dim} | ${r.k} | ${r.engineSeconds.toFixed(2)} | ${r.numpySeconds.toFixed(2)} | ${r.ratio.toFixed(2)}× | ${r.samePrefix} of ${r.k} |`),
  "",
  `NumPy ${rows[0]?.numpy} (float32 gemv per step, \`‖x‖² − 2·X·c + ‖c‖²\`); engine: single-threaded TypeScript with a WebAssembly SIMD dot kernel, double accumulation, exact triangle-inequality pruning. ` +
    `Picks can part ways once float32 (NumPy) and float64 (engine) rounding order two nearly equal distances differently. ` +
    `Peak RSS: engine process ${out.enginePeakRssMb.toFixed(0)} MB (matrix ${matrixMb.toFixed(0)} MB, held twice: the input and the SIMD kernel's copy), NumPy ${rows[0]?.numpyPeakRssMb.toFixed(0)} MB.${QUICK ? " QUICK mode: not for reporting." : ""}`,
  "",
].join("\n");
const resultsDir = path.join(here, "..", "results");
writeFileSync(path.join(resultsDir, "kcenter-speed.json"), JSON.stringify(out, null, 2) + "\n");
writeFileSync(path.join(resultsDir, "kcenter-speed.md"), md);
console.log(md);
