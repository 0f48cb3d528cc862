// findings.json round trip (moved from the engine's analyze.test.ts with the format, issue 15): the
// file's shape (@stratum/formats FindingsFile), its reading back against a pool of ids, and errors
// that say what was expected and where.
import { describe, expect, it } from "vitest";
import { analyze, createRng } from "@stratum/engine";
import { findingsFromJson, findingsToJson } from "./findings.js";

/** Two classes; three acquisition sites shift the embedding inside each (a strong confounder). */
function confoundedPool(nPerClass: number, dim: number, seed: number) {
  const rng = createRng(seed);
  const classShift = [Array.from({ length: dim }, () => rng.normal()), Array.from({ length: dim }, () => rng.normal())];
  const siteShift = [0, 1, 2].map(() => Array.from({ length: dim }, () => rng.normal() * 3));
  const n = 2 * nPerClass;
  const data = new Float32Array(n * dim);
  const labels: string[] = [];
  const site: string[] = [];
  const coin: (string | null)[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const s = Math.floor(i / 2) % 3;
    labels.push(c ? "pneumonia" : "normal");
    site.push(`site-${s}`);
    coin.push(i % 17 === 0 ? null : rng.next() < 0.5 ? "heads" : "tails");
    ids.push(`img-${i}`);
    for (let t = 0; t < dim; t++) data[i * dim + t] = classShift[c]![t]! + siteShift[s]![t]! + rng.normal() * 0.6;
  }
  return { points: { data, n, dim }, labels, metadata: { site, coin }, ids };
}

describe("findings.json", () => {
  const pool = confoundedPool(40, 8, 5);
  const findings = analyze({ points: pool.points, labels: pool.labels, metadata: pool.metadata }, { reduce: "pca" });

  it("findingsToJson(findings, ids) has the issue's shape, and findingsFromJson reads it back", () => {
    const json = JSON.parse(JSON.stringify(findingsToJson(findings, pool.ids)));
    expect(Object.keys(json.classes[0])).toEqual(expect.arrayContaining(["label", "groups", "noise", "eps", "minPts"]));
    expect(json.classes[0].groups[0]).toEqual(expect.objectContaining({ id: 0, size: expect.any(Number), members: expect.any(Array), modes: expect.any(Array) }));
    expect(json.associations[0]).toEqual(expect.objectContaining({ column: expect.any(String), cramersV: expect.any(Number), pValue: expect.any(Number) }));
    const back = findingsFromJson(json, pool.ids);
    for (let k = 0; k < findings.classes.length; k++) {
      expect(Array.from(back.classes[k]!.rows)).toEqual(Array.from(findings.classes[k]!.rows));
      expect(Array.from(back.classes[k]!.groups)).toEqual(Array.from(findings.classes[k]!.groups));
      expect(back.classes[k]!.eps).toBe(findings.classes[k]!.eps);
    }
    expect(back.associations.length).toBe(findings.associations.length);
  });

  it("findingsFromJson(minimal issue-format json, ids) is accepted", () => {
    const json = { classes: [{ label: "a", groups: [{ id: 0, size: 2, members: ["img-0", "img-2"] }], noise: ["img-4"], eps: 0.5, minPts: 3 }], associations: [] };
    const f = findingsFromJson(json, pool.ids);
    expect(Array.from(f.classes[0]!.rows)).toEqual([0, 2, 4]);
    expect(Array.from(f.classes[0]!.groups)).toEqual([0, 0, -1]);
  });

  it("findingsFromJson(bad json, ids) says what was expected and where", () => {
    const base = { label: "a", groups: [{ id: 0, size: 1, members: ["img-0"] }], noise: [], eps: 1, minPts: 2 };
    expect(() => findingsFromJson(null, pool.ids)).toThrow(/\(root\): expected an object, got null/);
    expect(() => findingsFromJson({ classes: "x" }, pool.ids)).toThrow(/classes: expected an array, got "x"/);
    expect(() => findingsFromJson({ classes: [{ ...base, eps: -1 }] }, pool.ids)).toThrow(/classes\[0\]\.eps: expected a number > 0/);
    expect(() => findingsFromJson({ classes: [{ ...base, groups: [{ members: ["nope"] }] }] }, pool.ids)).toThrow(/classes\[0\]\.groups\[0\]\.members\[0\]: expected an id present in the samples, got "nope"/);
    expect(() => findingsFromJson({ classes: [{ ...base, noise: ["img-0"] }] }, pool.ids)).toThrow(/noise\[0\]: expected each id at most once/);
    expect(() => findingsFromJson({ classes: [{ ...base, groups: [{ size: 3, members: ["img-0"] }] }] }, pool.ids)).toThrow(/size: expected 1/);
  });

  it("findingsToJson(analyze(pool), ids) is the same bytes for the same seed", () => {
    const again = analyze({ points: pool.points, labels: pool.labels, metadata: pool.metadata }, { reduce: "pca" });
    expect(JSON.stringify(findingsToJson(again, pool.ids))).toBe(JSON.stringify(findingsToJson(findings, pool.ids)));
    expect(findingsToJson(findings, pool.ids).format).toBe("stratum.findings/1");
  });
});
