// Herding before/after the dot kernel, same process, same data: 20k × 768 of 60-million's rows (one
// class), 200 picks. "before" is main's engine (the one-pass exact loop), passed as its dist path.
//   node bench/lib/herding-ab.mjs /path/to/main/packages/engine/dist/index.js
import { rowGenerator, DIM } from "./million-steps.mjs";
const after = await import("@stratum/engine");
const before = await import(process.argv[2]);
const n = 20000;
const data = new Float32Array(n * DIM);
const next = rowGenerator(after.createRng);
for (let i = 0; i < n; i++) next(data, i * DIM);
const input = { points: { data, n, dim: DIM }, labels: new Array(n).fill("a"), ids: Array.from({ length: n }, (_, i) => `r${i}`) };
const params = { strategy: "herding", perClass: 200, seed: 1 };
const out = {};
for (const [name, engine] of [["before", before], ["after", after]]) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const r = engine.select(input, params);
  const c = process.cpuUsage(cpu);
  out[name] = { seconds: Math.round((performance.now() - t) / 100) / 10, cpuSeconds: Math.round((c.user + c.system) / 1e5) / 10, manifestHash: r.manifestHash, reasons: r.selected.map((s) => s.reason).join("\n").length };
}
out.samePicks = out.before.manifestHash === out.after.manifestHash;
console.log(JSON.stringify(out));
