import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng } from "@stratum/engine";
import { writeNpy } from "@stratum/formats";
import { main } from "./main.js";

// `stratum select --exclude / --include / --quality`: the API's run constraints offline.
const dir = mkdtempSync(path.join(tmpdir(), "stratum-constraints-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const n = 60;
const dim = 4;
const rng = createRng(3);
const data = new Float32Array(n * dim).map(() => rng.normal());
const ids = Array.from({ length: n }, (_, i) => `s${String(i).padStart(2, "0")}`);
const labels = ids.map((_, i) => (i % 2 ? "b" : "a"));
const E = path.join(dir, "emb.npy");
const S = path.join(dir, "samples.csv");
const ready = (async () => {
  await writeNpy(E, { dtype: "float32", shape: [n, dim], data });
  writeFileSync(S, ["id,label", ...ids.map((id, i) => `${id},${labels[i]}`)].join("\n") + "\n");
})();

const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

async function select(args: string[]) {
  await ready;
  const out = path.join(dir, `sel-${Math.random().toString(36).slice(2)}.json`);
  const errors: string[] = [];
  const [err, log] = [console.error, console.log];
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = () => {};
  try {
    const code = await main(["select", "--embeddings", E, "--samples", S, "--per-class", "5", "--strategy", "random", "--out", out, ...args]);
    return { code, errors: errors.join("\n"), out: code === 0 ? JSON.parse(readFileSync(out, "utf8")) : null };
  } finally {
    console.error = err;
    console.log = log;
  }
}

const quality = {
  format: "stratum.quality/1",
  samples: ids.map((id, i) => ({ id, label: labels[i], outlierScore: i === 4 ? 9 : 1, outlierRank: i === 4 ? 0 : 1 + i, labelErrorScore: i === 7 ? 0.97 : 0.1, labelIssue: i === 7 })),
  nearDuplicates: { sets: [{ ids: ["s10", "s12", "s14"] }] },
  exactDuplicates: null,
  outliers: { perClass: [{ label: "a", medianScore: 1 }, { label: "b", medianScore: 1 }] },
};

describe("stratum select constraints", () => {
  it("leaves out listed and quality-excluded rows, takes must-include rows first with a reason", async () => {
    const exclude = file("exclude.txt", "id\ns00\ns02\n# a comment\ns06\n");
    const include = file("include.txt", "s08\ns01\ns02\n");
    const q = file("quality.json", JSON.stringify(quality));
    const r = await select(["--exclude", exclude, "--include", include, "--quality", q, "--exclude-duplicates", "--exclude-outlier-rank", "1", "--exclude-label-errors", "0.9"]);
    expect(r.code).toBe(0);
    const picked = r.out.selected.map((s: { id: string }) => s.id);
    for (const id of ["s00", "s06", "s12", "s14", "s04", "s07"]) expect(picked).not.toContain(id);
    expect(picked).toContain("s02"); // include beats exclude
    const a = r.out.selected.filter((s: { label: string }) => s.label === "a");
    expect(a.slice(0, 2).map((s: { id: string; reason: string }) => [s.id, s.reason])).toEqual([
      ["s02", `must include: listed in ${include}`],
      ["s08", `must include: listed in ${include}`],
    ]);
    expect(a).toHaveLength(5);
    expect(r.out.constraints.included).toBe(3);
    expect(r.out.constraints.excluded).toEqual([
      { id: "s00", reason: `listed in ${exclude}` },
      { id: "s04", reason: 'outlier: rank 1 in "a" (top 1 excluded)' },
      { id: "s06", reason: `listed in ${exclude}` },
      { id: "s07", reason: "likely label error: score 0.970 (≥ 0.9 excluded)" },
      { id: "s12", reason: 'duplicate of "s10" (kept one of its set)' },
      { id: "s14", reason: 'duplicate of "s10" (kept one of its set)' },
    ]);
    const again = await select(["--exclude", exclude, "--include", include, "--quality", q, "--exclude-duplicates", "--exclude-outlier-rank", "1", "--exclude-label-errors", "0.9"]);
    expect(again.out.manifestHash).toBe(r.out.manifestHash);
  });

  it("names the flag: an unknown id, more includes than the budget, rules without --quality, a bad rule", async () => {
    expect((await select(["--exclude", file("bad.txt", "s00\nnope\n")])).errors).toMatch(/--exclude .*bad.txt:2: sample "nope" is not in the samples file/);
    expect((await select(["--include", file("many.txt", "s00\ns02\ns04\ns06\ns08\ns10\n")])).errors).toMatch(/--include: expected at most perClass = 5 must-include samples in class "a", got 6/);
    expect((await select(["--exclude-duplicates"])).errors).toMatch(/need --quality/);
    expect((await select(["--quality", file("q2.json", JSON.stringify(quality)), "--exclude-outlier-rank", "0"])).errors).toMatch(/--exclude-outlier-rank: expected outlierRank/);
  });
});
