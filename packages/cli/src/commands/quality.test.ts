import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng } from "@stratum/engine";
import { writeNpy } from "@stratum/formats";
import { main } from "../main.js";

const dir = mkdtempSync(path.join(tmpdir(), "stratum-quality-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 300 rows in 16-D, two classes around opposite centres; planted: row 7 a near-copy of row 3 at another
// site and in the test split; row 11 a near-copy of row 5 with the other label; rows 20..23 flipped
// labels; row 40 far off; rows 50 and 51 share a content hash.
const n = 300, dim = 16;
const rng = createRng(5);
const data = new Float32Array(n * dim);
const truth: string[] = [];
for (let i = 0; i < n; i++) {
  const c = i % 2;
  truth.push(c ? "pneumonia" : "normal");
  for (let t = 0; t < dim; t++) data[i * dim + t] = (t < 4 ? (c ? 2 : -2) : 0) + 0.8 * rng.normal();
}
const copy = (from: number, to: number) => {
  for (let t = 0; t < dim; t++) data[to * dim + t] = data[from * dim + t]! + 0.002 * rng.normal();
  truth[to] = truth[from]!;
};
copy(3, 7);
copy(5, 11);
for (let t = 0; t < dim; t++) data[40 * dim + t] = rng.normal() * 8;
const labels = truth.slice();
labels[11] = labels[5] === "normal" ? "pneumonia" : "normal";
for (const r of [20, 21, 22, 23]) labels[r] = labels[r] === "normal" ? "pneumonia" : "normal";
const lines = ["id,label,site,split,sha256"];
for (let i = 0; i < n; i++) {
  const site = i === 7 ? "B" : "A";
  const split = i === 7 ? "test" : "pool";
  const hash = i === 50 || i === 51 ? "abc" : `h${i}`;
  lines.push(`s${i},${labels[i]},${site},${split},${hash}`);
}
const E = path.join(dir, "e.npy");
const S = path.join(dir, "s.csv");
const ready = (async () => {
  await writeNpy(E, { dtype: "float32", shape: [n, dim], data });
  writeFileSync(S, lines.join("\n") + "\n");
})();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON under test
async function run(args: string[]): Promise<{ code: number; out?: any; stderr: string }> {
  await ready;
  const outFile = path.join(dir, `q-${Math.random().toString(36).slice(2)}.json`);
  const errors: string[] = [];
  const origErr = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    const code = await main(["quality", "--embeddings", E, "--samples", S, "--out", outFile, ...args]);
    return { code, out: code === 0 ? JSON.parse(readFileSync(outFile, "utf8")) : undefined, stderr: errors.join("\n") };
  } finally {
    console.error = origErr;
  }
}

describe("stratum quality", () => {
  it("writes duplicates with their flags, outliers and label errors", async () => {
    const { code, out, stderr } = await run(["--seed", "3"]);
    expect(code).toBe(0);
    expect(out.format).toBe("stratum.quality/1");
    expect(out.n).toBe(n);
    expect(out.params).toMatchObject({ siteColumn: "site", splitColumn: "split", hashColumn: "sha256", seed: 3, k: 10 });
    const sets = out.nearDuplicates.sets.map((s: { ids: string[] }) => s.ids);
    expect(sets).toEqual([["s3", "s7"], ["s5", "s11"]]);
    expect(out.nearDuplicates.sets[0]).toMatchObject({ crossSite: true, crossSplit: true, conflictingLabels: false, sites: ["A", "B"] });
    expect(out.nearDuplicates.sets[1]).toMatchObject({ crossSite: false, conflictingLabels: true });
    expect(out.nearDuplicates.thresholdRule).toBe("default");
    expect(out.exactDuplicates.sets.map((s: { ids: string[] }) => s.ids)).toEqual([["s50", "s51"]]);
    // the far row and the flipped rows (far from the rows of the class they claim) lead the outliers
    const lead = out.outliers.top.slice(0, 6).map((o: { id: string }) => o.id);
    for (const id of ["s40", "s20", "s21", "s22", "s23"]) expect(lead).toContain(id);
    const far = out.outliers.top.find((o: { id: string }) => o.id === "s40");
    expect(far.reason).toMatch(/nearest "(normal|pneumonia)" rows .* rank [1-6] of 15\d/);
    // the flipped rows score highest and are suggested back; confident learning flags at least some
    const worst = out.labelErrors.top.slice(0, 6).map((o: { id: string }) => o.id);
    for (const id of ["s20", "s21", "s22", "s23"]) {
      expect(worst).toContain(id);
      expect(out.samples[Number(id.slice(1))].suggestedLabel).toBe(truth[Number(id.slice(1))]);
    }
    const flagged = out.samples.filter((s: { labelIssue: boolean }) => s.labelIssue).map((s: { id: string }) => s.id);
    expect(flagged.filter((id: string) => ["s20", "s21", "s22", "s23"].includes(id)).length).toBeGreaterThanOrEqual(2);
    expect(out.labelErrors.issueCount).toBe(flagged.length);
    expect(out.samples[7].duplicateSet).toBe(0);
    expect(stderr).toMatch(/2 near-duplicate sets .*1 across sites, 1 across splits, 1 with two labels/);
  });

  it("uses a given threshold and the probe, and is deterministic", async () => {
    const a = await run(["--threshold", "1e-9", "--label-errors", "probe", "--folds", "4"]);
    expect(a.code).toBe(0);
    expect(a.out.nearDuplicates).toMatchObject({ threshold: 1e-9, thresholdRule: "given", sets: [] });
    expect(a.out.labelErrors.method).toBe("probe");
    const b = await run(["--threshold", "1e-9", "--label-errors", "probe", "--folds", "4"]);
    expect({ ...b.out, seconds: 0 }).toEqual({ ...a.out, seconds: 0 });
  });

  it("exits 2 naming the flag for a threshold out of range, a bad k or an unknown column", async () => {
    for (const t of ["0", "-1", "2.5"]) {
      const r = await run(["--threshold", t]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--threshold: expected a cosine distance in \(0, 2\]/);
    }
    const k = await run(["--k", "0"]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--k: /);
    const col = await run(["--site-column", "hospital"]);
    expect(col.code).toBe(2);
    expect(col.stderr).toMatch(/--site-column: column "hospital" is not in/);
  });
});
