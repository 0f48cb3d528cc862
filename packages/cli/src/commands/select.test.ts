import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng, analyze, manifestHash } from "@stratum/engine";
import { findingsToJson } from "../findings.js";
import { writeNpy } from "@stratum/formats";
import { main } from "../main.js";
import { loadInputs } from "../load-inputs.js";

const dir = mkdtempSync(path.join(tmpdir(), "stratum-select-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2 classes × 2 sites, 8-D: site shifts the first coordinate by ±6, class the second.
const n = 160;
const dim = 8;
const rng = createRng(9);
const data = new Float32Array(n * dim);
const lines = ["id,label,site"];
for (let i = 0; i < n; i++) {
  const label = i % 2 ? "pneumonia" : "normal";
  const site = i % 4 < 2 ? "A" : i % 8 < 4 ? "B" : "A";
  for (let t = 0; t < dim; t++) data[i * dim + t] = rng.normal() * 0.5;
  data[i * dim] = data[i * dim]! + (site === "A" ? -6 : 6);
  data[i * dim + 1] = data[i * dim + 1]! + (label === "normal" ? -3 : 3);
  lines.push(`s${String(i).padStart(3, "0")},${label},${site}`);
}
const E = path.join(dir, "emb.npy");
const S = path.join(dir, "samples.csv");
const ready = (async () => {
  await writeNpy(E, { dtype: "float32", shape: [n, dim], data });
  writeFileSync(S, lines.join("\n") + "\n");
})();

async function run(args: string[]): Promise<{ code: number; out?: any; text?: string }> /* eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON under test */ {
  await ready;
  const outFile = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const errors: string[] = [];
  const origErr = console.error;
  const origLog = console.log;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = () => {};
  try {
    const code = await main(["select", "--embeddings", E, "--samples", S, "--out", outFile, ...args]);
    if (code !== 0) return { code, text: errors.join("\n") };
    const text = readFileSync(outFile, "utf8");
    return { code, out: JSON.parse(text), text };
  } finally {
    console.error = origErr;
    console.log = origLog;
  }
}

describe("stratum select", () => {
  it("stratum select --strategy random --per-class 10 writes the selection.json contract", async () => {
    const { code, out } = await run(["--strategy", "random", "--per-class", "10", "--seed", "4"]);
    expect(code).toBe(0);
    expect(Object.keys(out).slice(0, 5)).toEqual(["strategy", "params", "seed", "manifestHash", "selected"]);
    expect(out.strategy).toBe("random");
    expect(out.seed).toBe(4);
    expect(out.params).toEqual({ strategy: "random", perClass: 10, seed: 4 });
    expect(out.selected).toHaveLength(20);
    expect(Object.keys(out.selected[0])).toEqual(["id", "label", "group", "rank"]);
    expect(out.selected.map((s: { rank: number }) => s.rank)).toEqual([...Array(20).keys()]);
    expect(out.manifestHash).toBe(manifestHash(out.selected));
  });

  it("stratum select run twice with the same flags writes byte-identical files", async () => {
    const a = await run(["--strategy", "kcenter", "--per-class", "7", "--seed", "2"]);
    const b = await run(["--strategy", "kcenter", "--per-class", "7", "--seed", "2"]);
    expect(a.code).toBe(0);
    expect(b.text).toBe(a.text);
  });

  it("stratum select --threads 1 and --threads 2 write the same bytes and manifest hash", async () => {
    for (const args of [
      ["--strategy", "kcenter", "--per-class", "7", "--seed", "2"],
      ["--strategy", "facility-location", "--per-class", "9", "--seed", "3"],
      // discovery (analyze) runs here too, on the same threads
      ["--strategy", "confounder-aware", "--per-class", "8", "--seed", "1", "--declare", "site"],
    ]) {
      const one = await run([...args, "--threads", "1"]);
      const two = await run([...args, "--threads", "2"]);
      expect(one.code, args.join(" ")).toBe(0);
      expect(two.out.manifestHash, args.join(" ")).toBe(one.out.manifestHash);
      expect(two.text, args.join(" ")).toBe(one.text);
    }
    // control: another seed, another manifest
    const other = await run(["--strategy", "kcenter", "--per-class", "7", "--seed", "3", "--threads", "2"]);
    const first = await run(["--strategy", "kcenter", "--per-class", "7", "--seed", "2", "--threads", "2"]);
    expect(other.out.manifestHash).not.toBe(first.out.manifestHash);
  });

  it("stratum select --strategy confounder-aware --findings F uses the file's groups", async () => {
    await ready;
    const inputs = await loadInputs({ embeddings: E, samples: S });
    const findings = analyze({ points: inputs.points, labels: inputs.labels }, { reduce: "none", seed: 1 });
    const F = path.join(dir, "findings.json");
    writeFileSync(F, JSON.stringify(findingsToJson(findings, inputs.ids)));
    const { code, out } = await run(["--strategy", "confounder-aware", "--per-class", "12", "--allocation", "balanced", "--noise", "exclude", "--findings", F]);
    expect(code).toBe(0);
    expect(out.params).toEqual({ strategy: "confounder-aware", perClass: 12, seed: 0, allocation: "balanced", withinGroup: "facility-location", noise: "exclude" });
    // Each class has two sites, found as two groups; balanced allocation takes 6 + 6, noise excluded.
    for (const c of out.perClass) expect(c.allocation.map((g: { group: number; share: number }) => [g.group, g.share])).toEqual([[0, 6], [1, 6]]);
    for (const s of out.selected) expect(s.group).toBeGreaterThanOrEqual(0);
  });

  it("stratum select --strategy confounder-aware without --findings runs discovery itself", async () => {
    const { code, out } = await run(["--strategy", "confounder-aware", "--per-class", "8", "--seed", "3"]);
    expect(code).toBe(0);
    expect(out.selected).toHaveLength(16);
    expect(out.perClass[0].allocation.length).toBeGreaterThan(0);
  });

  it("stratum select --strategy stratified --stratify-column site follows the site mix", async () => {
    const { code, out } = await run(["--strategy", "stratified", "--per-class", "8", "--stratify-column", "site"]);
    expect(code).toBe(0);
    // Per class: site A 60, site B 20 → shares 6 and 2.
    expect(out.perClass[0].allocation.map((g: { pool: number; share: number }) => [g.pool, g.share])).toEqual([
      [60, 6],
      [20, 2],
    ]);
  });

  it("stratum select --per-class 1000 takes every sample and warns", async () => {
    const { code, out } = await run(["--strategy", "moderate", "--per-class", "1000"]);
    expect(code).toBe(0);
    expect(out.selected).toHaveLength(n);
    expect(out.warnings).toContain('class "normal" has 80 samples < N = 1000; all taken');
  });

  it("stratum select with bad flags exits 2 and names the flag", async () => {
    expect(await run(["--strategy", "best", "--per-class", "5"])).toMatchObject({ code: 2, text: expect.stringContaining("--strategy") });
    expect(await run(["--strategy", "random", "--per-class", "0"])).toMatchObject({ code: 2, text: expect.stringContaining("--per-class") });
    expect(await run(["--strategy", "stratified", "--per-class", "5", "--stratify-column", "scanner"])).toMatchObject({
      code: 2,
      text: expect.stringContaining('got "scanner"'),
    });
    expect(await run(["--strategy", "random", "--per-class", "5", "--allocation", "balanced"])).toMatchObject({ code: 2 });
    for (const bad of ["0", "65", "1.5", ""]) {
      expect(await run(["--strategy", "random", "--per-class", "5", `--threads=${bad}`]), bad).toMatchObject({ code: 2, text: expect.stringMatching(/--threads: expected an integer in 1\.\.64/) });
    }
  });

  it("stratum select --findings with an unknown id exits 1 and names the field", async () => {
    const F = path.join(dir, "bad-findings.json");
    writeFileSync(F, JSON.stringify({ classes: [{ label: "normal", eps: 1, minPts: 5, groups: [{ id: 0, size: 1, members: ["nope"] }], noise: [] }] }));
    const r = await run(["--strategy", "confounder-aware", "--per-class", "5", "--findings", F]);
    expect(r.code).toBe(1);
    expect(r.text).toContain("nope");
  });

  it("stratum select --declare site shares each class's budget across sites first, then across the groups inside each", async () => {
    const { code, out } = await run(["--strategy", "confounder-aware", "--per-class", "12", "--allocation", "balanced", "--declare", "site", "--seed", "1"]);
    expect(code).toBe(0);
    expect(out.params.declared).toEqual(["site"]);
    const inputs = await loadInputs({ embeddings: E, samples: S });
    for (const c of out.perClass) {
      // 60 A and 20 B per class: balanced across the declared sites gives 6 + 6 (random would give ~9 + 3).
      expect(c.cells.map((x: { cell: string; share: number }) => [x.cell, x.share])).toEqual([
        ["site=A", 6],
        ["site=B", 6],
      ]);
      const sites = out.selected.filter((s: { label: string }) => s.label === c.label).map((s: { id: string }) => inputs.metadata.site![inputs.ids.indexOf(s.id)]);
      expect(sites.filter((x: string) => x === "A")).toHaveLength(6);
    }
  });

  it("stratum select --declare with an unknown, single-level or non-confounder-aware column exits 2 naming it", async () => {
    const S2 = path.join(dir, "samples-const.csv");
    writeFileSync(S2, lines.map((l, i) => `${l},${i === 0 ? "const" : "x"}`).join("\n") + "\n");
    expect(await run(["--strategy", "confounder-aware", "--per-class", "5", "--declare", "site,scanner"])).toMatchObject({ code: 2, text: expect.stringMatching(/--declare.*"scanner"/) });
    expect(await run(["--strategy", "random", "--per-class", "5", "--declare", "site"])).toMatchObject({ code: 2, text: expect.stringContaining("--declare") });
    expect(await run(["--strategy", "confounder-aware", "--per-class", "5", "--declare", "site,"])).toMatchObject({ code: 2 });
    await ready;
    const outFile = path.join(dir, "const.json");
    const errors: string[] = [];
    const origErr = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(" "));
    try {
      const code = await main(["select", "--embeddings", E, "--samples", S2, "--out", outFile, "--strategy", "confounder-aware", "--per-class", "5", "--declare", "const"]);
      expect(code).toBe(2);
    } finally {
      console.error = origErr;
    }
    expect(errors.join("\n")).toMatch(/"const" has 1 level/);
  });

  it("stratum select --verdicts: a rejected group's rows are ordinary rows, same-named groups are one group", async () => {
    await ready;
    const inputs = await loadInputs({ embeddings: E, samples: S });
    const findings = analyze({ points: inputs.points, labels: inputs.labels }, { reduce: "none", seed: 1 });
    const F = path.join(dir, "findings-v.json");
    writeFileSync(F, JSON.stringify(findingsToJson(findings, inputs.ids)));
    const V = path.join(dir, "verdicts.json");
    writeFileSync(
      V,
      JSON.stringify([
        { label: "normal", index: 0, verdict: "REJECTED" },
        { label: "pneumonia", index: 0, verdict: "RENAMED", name: "Scanner X" },
        { label: "pneumonia", index: 1, verdict: "RENAMED", name: "scanner x " },
      ]),
    );
    const args = ["--strategy", "confounder-aware", "--per-class", "12", "--allocation", "balanced", "--noise", "exclude", "--findings", F];
    const { code, out } = await run([...args, "--verdicts", V]);
    expect(code).toBe(0);
    const [normal, pneumonia] = out.perClass;
    expect(normal.allocation.map((g: { group: number }) => g.group)).toEqual([1, -2]);
    // Both pneumonia groups (80 rows less the few noise rows excluded) are one group.
    expect(pneumonia.allocation.map((g: { group: number }) => g.group)).toEqual([0]);
    expect(pneumonia.allocation[0].pool).toBeGreaterThan(70);
    expect(out.manifestHash).not.toBe((await run(args)).out.manifestHash);
    writeFileSync(V, JSON.stringify([{ label: "normal", index: 0, verdict: "NOPE" }]));
    expect(await run([...args, "--verdicts", V])).toMatchObject({ code: 1, text: expect.stringContaining("verdicts[0].verdict") });
  });
});
