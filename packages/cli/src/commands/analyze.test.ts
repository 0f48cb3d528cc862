import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng } from "@stratum/engine";
import { findingsFromJson } from "../findings.js";
import { writeNpy } from "@stratum/formats";
import { main } from "../main.js";

const dir = mkdtempSync(path.join(tmpdir(), "stratum-analyze-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2 classes × 3 sites, 24-D: each site shifts the embedding strongly; "batch" is unrelated noise.
const n = 240;
const dim = 24;
const rng = createRng(5);
const siteShift = [0, 1, 2].map(() => Array.from({ length: dim }, () => rng.normal() * 3));
const data = new Float32Array(n * dim);
const lines = ["id,label,site,batch"];
const ids: string[] = [];
for (let i = 0; i < n; i++) {
  const label = i % 2 ? "pneumonia" : "normal";
  const site = Math.floor(i / 2) % 3;
  for (let t = 0; t < dim; t++) data[i * dim + t] = siteShift[site]![t]! + (label === "normal" ? 2 : -2) * (t === 0 ? 1 : 0) + rng.normal() * 0.5;
  ids.push(`x${i}`);
  lines.push(`x${i},${label},site-${site},${rng.next() < 0.5 ? "b1" : "b2"}`);
}
const E = path.join(dir, "emb.npy");
const S = path.join(dir, "samples.csv");
const ready = (async () => {
  await writeNpy(E, { dtype: "float32", shape: [n, dim], data });
  writeFileSync(S, lines.join("\n") + "\n");
})();

async function run(args: string[], withDefaults = true): Promise<{ code: number; out?: any; stdout: string; stderr: string }> /* eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON under test */ {
  await ready;
  const outFile = path.join(dir, `f-${Math.random().toString(36).slice(2)}.json`);
  const errors: string[] = [];
  const logs: string[] = [];
  const origErr = console.error;
  const origLog = console.log;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = (...a: unknown[]) => logs.push(a.join(" "));
  try {
    const argv = withDefaults ? ["analyze", "--embeddings", E, "--samples", S, "--out", outFile, ...args] : ["analyze", ...args];
    const code = await main(argv);
    const out = code === 0 && withDefaults ? JSON.parse(readFileSync(outFile, "utf8")) : undefined;
    return { code, out, stdout: logs.join("\n"), stderr: errors.join("\n") };
  } finally {
    console.error = origErr;
    console.log = origLog;
  }
}

describe("stratum analyze", () => {
  it("stratum analyze --embeddings E --samples S --out F writes findings.json with the sites as groups", async () => {
    const { code, out, stdout, stderr } = await run(["--seed", "3"]);
    expect(stderr).toBe(""); // not a TTY: no progress bar
    expect(code).toBe(0);
    expect(out.classes.map((c: { label: string }) => c.label)).toEqual(["normal", "pneumonia"]);
    for (const c of out.classes) {
      expect(c.groups.length).toBeGreaterThanOrEqual(3);
      expect(c.epsAuto).toBe(true);
      expect(c.eps).toBeGreaterThan(0);
      expect(c.minPts).toBeGreaterThanOrEqual(5);
      const total = c.groups.reduce((s: number, g: { size: number; members: string[] }) => s + g.members.length, 0) + c.noise.length;
      expect(total).toBe(120);
      // the three biggest groups are each (almost) one site
      for (const g of c.groups.slice(0, 3)) {
        const sites = new Set(g.members.map((id: string) => Math.floor(Number(id.slice(1)) / 2) % 3));
        expect(sites.size).toBe(1);
      }
    }
    const site = out.associations.filter((a: { column: string }) => a.column === "site");
    expect(site.length).toBe(2);
    for (const a of site) {
      expect(a.cramersV).toBeGreaterThan(0.9);
      expect(a.pValue).toBeLessThan(1e-10);
    }
    expect(out.associations.filter((a: { column: string }) => a.column === "batch").every((a: { cramersV: number }) => a.cramersV < 0.3)).toBe(true);
    expect(stdout).toMatch(/normal: 120 samples → \d+ groups/);
    expect(findingsFromJson(out, ids).classes.length).toBe(2);
  });

  it("stratum analyze --reduce none --eps NUM --min-pts N uses the given values", async () => {
    const { code, out } = await run(["--reduce", "none", "--eps", "4.5", "--min-pts", "4"]);
    expect(code).toBe(0);
    expect(out.params.reduce).toBe("none");
    for (const c of out.classes) {
      expect(c.eps).toBe(4.5);
      expect(c.minPts).toBe(4);
      expect(c.epsAuto).toBe(false);
    }
  });

  it("stratum analyze is byte-identical for the same seed", async () => {
    await ready;
    const a = path.join(dir, "a.json");
    const b = path.join(dir, "b.json");
    const log = console.log;
    console.log = () => {};
    try {
      expect(await main(["analyze", "--embeddings", E, "--samples", S, "--out", a, "--reduce", "pca", "--seed", "2"])).toBe(0);
      expect(await main(["analyze", "--embeddings", E, "--samples", S, "--out", b, "--reduce", "pca", "--seed", "2"])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
  });

  it("stratum analyze --threads 1 and --threads 2 write the same bytes (UMAP)", async () => {
    await ready;
    const log = console.log;
    console.log = () => {};
    const files = ["1", "2"].map((t) => path.join(dir, `threads-${t}.json`));
    try {
      for (const [i, t] of ["1", "2"].entries()) {
        expect(await main(["analyze", "--embeddings", E, "--samples", S, "--out", files[i]!, "--seed", "4", "--threads", t])).toBe(0);
      }
    } finally {
      console.log = log;
    }
    const [one, two] = files.map((f) => readFileSync(f, "utf8"));
    expect(JSON.parse(one!).classes).toHaveLength(2);
    expect(two).toBe(one);
  });

  it("stratum analyze with bad flags exits 2 and names the flag", async () => {
    for (const [args, message] of [
      [["--eps", "zero"], /--eps: expected "auto" or a number in \(0, 1000\], got "zero"/],
      [["--eps", "-1"], /--eps: expected "auto" or a number in \(0, 1000\], got "-1"/],
      [["--min-pts", "0"], /--min-pts: expected an integer in 1\.\.200, got "0"/],
      // the analysis upper bounds, as the API's (the engine's declaration)
      [["--n-neighbors", "101"], /--n-neighbors: expected an integer in 2\.\.100, got "101"/],
      [["--reduce", "mds"], /--reduce: expected one of umap\|tsne\|pca\|none, got "mds"/],
      [["--bogus", "1"], /unknown flag --bogus/],
      [["--threads", "0"], /--threads: expected an integer in 1\.\.64 .*got "0"/],
      [["--threads", "65"], /--threads: expected an integer in 1\.\.64 .*got "65"/],
      [["--threads", "two"], /--threads: expected an integer in 1\.\.64 .*got "two"/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const missing = await run(["--embeddings", E], false);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--samples is required/);
  });

  it("stratum analyze with bad input files exits 1 and names the file and row", async () => {
    await ready;
    const badSamples = path.join(dir, "bad.csv");
    writeFileSync(badSamples, lines.slice(0, 100).join("\n") + "\n"); // 99 samples for 240 embeddings
    const r1 = await run(["--embeddings", E, "--samples", badSamples, "--out", path.join(dir, "x.json")], false);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(E);
    const noLabel = path.join(dir, "nolabel.csv");
    writeFileSync(noLabel, lines.map((l) => l.split(",").slice(0, 1).concat(l.split(",").slice(2)).join(",")).join("\n") + "\n");
    const r2 = await run(["--embeddings", E, "--samples", noLabel, "--out", path.join(dir, "y.json")], false);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/nolabel\.csv: expected a label column "label"/);
    const nan = new Float32Array(data);
    nan[7 * dim + 2] = NaN;
    const nanFile = path.join(dir, "nan.npy");
    await writeNpy(nanFile, { dtype: "float32", shape: [n, dim], data: nan });
    const r3 = await run(["--embeddings", nanFile, "--samples", S, "--out", path.join(dir, "z.json")], false);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/nan\.npy: row 8, column 2: expected finite/);
  });
});
