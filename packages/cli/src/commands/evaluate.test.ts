import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng } from "@stratum/engine";
import { writeNpy } from "@stratum/formats";
import { main } from "../main.js";

const dir = mkdtempSync(path.join(tmpdir(), "stratum-evaluate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 4-D: coordinate 0 carries the class (weak, ±1 with noise), coordinate 1 the site (strong, ±3).
// Pool: site A/B crossed with label; a scanner column independent of both. Test: the same, other draws.
const dim = 4;
const rng = createRng(21);
function draw(n: number, prefix: string) {
  const data = new Float32Array(n * dim);
  const lines = ["id,label,site,scanner"];
  const rows: { id: string; label: string; site: string }[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 ? "pneumonia" : "normal";
    const site = (i >> 1) % 2 ? "B" : "A";
    const scanner = (i >> 2) % 2 ? "X" : "Y";
    data[i * dim] = (label === "pneumonia" ? 1 : -1) + rng.normal() * 0.6;
    data[i * dim + 1] = (site === "B" ? 3 : -3) + rng.normal() * 0.3;
    for (let t = 2; t < dim; t++) data[i * dim + t] = rng.normal() * 0.3;
    const id = `${prefix}${String(i).padStart(3, "0")}`;
    lines.push(`${id},${label},${site},${scanner}`);
    rows.push({ id, label, site });
  }
  return { data, lines, rows };
}
const pool = draw(200, "p");
const test = draw(120, "t");
const E = path.join(dir, "pool.npy");
const S = path.join(dir, "pool.csv");
const TE = path.join(dir, "test.npy");
const TS = path.join(dir, "test.csv");
// A shortcut selection (normal only from A, pneumonia only from B) and a balanced one (both sites).
const shortcut = pool.rows.filter((r) => (r.label === "normal" ? r.site === "A" : r.site === "B")).slice(0, 40);
const balanced = pool.rows.slice(0, 40);
const SHORTCUT = path.join(dir, "shortcut.json");
const BALANCED_JSONL = path.join(dir, "balanced.jsonl");
const BALANCED_CSV = path.join(dir, "balanced.csv");
const ready = (async () => {
  await writeNpy(E, { dtype: "float32", shape: [200, dim], data: pool.data });
  await writeNpy(TE, { dtype: "float32", shape: [120, dim], data: test.data });
  writeFileSync(S, pool.lines.join("\n") + "\n");
  writeFileSync(TS, test.lines.join("\n") + "\n");
  writeFileSync(SHORTCUT, JSON.stringify({ strategy: "x", selected: shortcut.map((r, rank) => ({ id: r.id, label: r.label, group: 0, rank })) }));
  // As the server exports a run: a header line, then rows.
  writeFileSync(BALANCED_JSONL, [JSON.stringify({ format: "stratum.manifest/1", manifestHash: "sha256:0", count: 40 }), ...balanced.map((r, rank) => JSON.stringify({ rank, id: r.id, label: r.label }))].join("\n") + "\n");
  writeFileSync(BALANCED_CSV, ["# manifestHash=sha256:0 count=40", "rank,id,uri,label,sha256", ...balanced.map((r, rank) => `${rank},${r.id},,${r.label},`)].join("\n") + "\n");
})();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON under test
async function run(args: string[]): Promise<{ code: number; out?: any; stdout: string; stderr: string }> {
  await ready;
  const outFile = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const errors: string[] = [];
  let stdout = "";
  const origErr = console.error;
  const origWrite = process.stdout.write;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  try {
    const code = await main(["evaluate", "--embeddings", E, "--samples", S, "--test-embeddings", TE, "--test-samples", TS, "--out", outFile, ...args]);
    return { code, out: code === 0 ? JSON.parse(readFileSync(outFile, "utf8")) : undefined, stdout, stderr: errors.join("\n") };
  } finally {
    console.error = origErr;
    process.stdout.write = origWrite;
  }
}

describe("stratum evaluate", () => {
  it("prints accuracy, balanced and per-column worst-group accuracy as JSON (default group-by: site)", async () => {
    const { code, out, stdout } = await run(["--selection", BALANCED_JSONL]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(out);
    expect(out.train).toEqual({ n: 40, perClass: { normal: 20, pneumonia: 20 } });
    expect(out.test).toEqual({ n: 120, excludedOverlap: 0, perClass: { normal: 60, pneumonia: 60 } });
    expect(Object.keys(out.worstGroupAccuracy)).toEqual(["site"]);
    expect(out.groups.site.map((g: { label: string; group: string; n: number }) => [g.label, g.group, g.n])).toEqual([["normal", "A", 30], ["normal", "B", 30], ["pneumonia", "A", 30], ["pneumonia", "B", 30]]);
    expect(out.worstGroupAccuracy.site).toBe(Math.min(...out.groups.site.map((g: { accuracy: number }) => g.accuracy)));
    const recalls = out.perClass.map((c: { recall: number }) => c.recall);
    expect(out.balancedAccuracy).toBeCloseTo((recalls[0] + recalls[1]) / 2, 12);
  });

  it("a shortcut selection scores far worse on the worst site group than a balanced one", async () => {
    const a = await run(["--selection", SHORTCUT]);
    const b = await run(["--selection", BALANCED_CSV]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.out.worstGroupAccuracy.site).toBeLessThan(0.5);
    expect(b.out.worstGroupAccuracy.site).toBeGreaterThan(a.out.worstGroupAccuracy.site + 0.3);
  });

  it("--group-by site,scanner reports each column; the CSV and JSONL manifests give the same result", async () => {
    const a = await run(["--selection", BALANCED_CSV, "--group-by", "site,scanner"]);
    const b = await run(["--selection", BALANCED_JSONL, "--group-by", "site,scanner"]);
    expect(Object.keys(a.out.worstGroupAccuracy)).toEqual(["site", "scanner"]);
    expect(a.out.groups.scanner.map((g: { group: string }) => g.group)).toEqual(["X", "Y", "X", "Y"]);
    expect(a.out).toEqual(b.out);
  });

  it("leaves out test samples that were trained on, and says how many", async () => {
    const { code, out } = await run(["--selection", BALANCED_JSONL, "--test-embeddings", E, "--test-samples", S]);
    expect(code).toBe(0);
    expect(out.test).toMatchObject({ n: 160, excludedOverlap: 40 });
  });

  it("bad input exits 1 and names it; bad flags exit 2", async () => {
    const unknown = path.join(dir, "unknown.json");
    writeFileSync(unknown, JSON.stringify({ selected: [{ id: "nope" }] }));
    const r1 = await run(["--selection", unknown]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/id "nope" is not in/);
    const r2 = await run(["--selection", BALANCED_JSONL, "--group-by", "site,hospital"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--group-by: column "hospital"/);
    const small = path.join(dir, "small.npy");
    await writeNpy(small, { dtype: "float32", shape: [120, 2], data: new Float32Array(240) });
    const r3 = await run(["--selection", BALANCED_JSONL, "--test-embeddings", small]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/expected 4-dimensional vectors/);
    const r4 = await run(["--selection", path.join(dir, "selection.txt")]);
    expect(r4.code).toBe(1);
  });
});
