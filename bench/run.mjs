// Runs every bench/suites/*.mjs in name order, each in its own process (so peak RSS is per suite).
// `npm run bench -- <filter>` runs only suites whose file name contains <filter>.
// STRATUM_BENCH_QUICK=1 asks suites for smaller sizes (for a smoke run, not for reported figures).
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? "";
const suites = readdirSync(path.join(here, "suites"))
  .filter((f) => f.endsWith(".mjs") && f.includes(filter))
  .sort();
let failed = 0;
for (const suite of suites) {
  console.log(`\n── bench: ${suite}`);
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(here, "suites", suite)], { stdio: "inherit", cwd: here });
  if (r.status !== 0) failed++;
}
console.log(`\n${suites.length - failed} suites passed, ${failed} failed; results in bench/results/`);
process.exit(failed ? 1 : 0);
