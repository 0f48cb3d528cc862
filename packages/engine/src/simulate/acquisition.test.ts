import { describe, expect, it } from "vitest";
import { EngineInputError } from "../types.js";
import { simulateAcquisition } from "./acquisition.js";

function flatImages(n: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(n * h * w);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + 11) % 256;
  return out;
}

function crosstab(labels: number[], sites: Int32Array, S: number): number[][] {
  const t = [0, 1].map(() => new Array<number>(S).fill(0));
  labels.forEach((l, i) => t[l]![sites[i]!]!++);
  return t;
}

describe("simulateAcquisition", () => {
  const n = 3000;
  const h = 8;
  const w = 8;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const images = flatImages(n, h, w);

  it("simulateAcquisition(images, labels, {split: 'pool'}) ties site to label", () => {
    const { sites } = simulateAcquisition(images, labels, { height: h, width: w, split: "pool", seed: 1 });
    const t = crosstab(labels, sites, 3);
    // label 0 prefers site 0, label 1 prefers site 1, each with P = 0.8
    expect(t[0]![0]! / 1500).toBeGreaterThan(0.75);
    expect(t[1]![1]! / 1500).toBeGreaterThan(0.75);
    expect(t[0]![1]! + t[0]![2]!).toBeGreaterThan(200);
  });

  it("simulateAcquisition(images, labels, {split: 'test'}) makes site independent of label", () => {
    const { sites } = simulateAcquisition(images, labels, { height: h, width: w, split: "test", seed: 1 });
    const t = crosstab(labels, sites, 3);
    for (const row of t) for (const c of row) expect(Math.abs(c / 1500 - 1 / 3)).toBeLessThan(0.05);
  });

  it("simulateAcquisition(..., {seed}) is byte-identical for the same seed and differs for another", () => {
    const opts = { height: h, width: w, split: "pool" as const, seed: 7 };
    const a = simulateAcquisition(images, labels, opts);
    const b = simulateAcquisition(images, labels, opts);
    const c = simulateAcquisition(images, labels, { ...opts, seed: 8 });
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    expect(Array.from(a.sites)).toEqual(Array.from(b.sites));
    expect(Array.from(a.sites)).not.toEqual(Array.from(c.sites));
  });

  it("simulateAcquisition(..., {strength: 0}) leaves pixels unchanged", () => {
    const { images: out } = simulateAcquisition(images, labels, { height: h, width: w, split: "pool", strength: 0 });
    expect(Buffer.from(out).equals(Buffer.from(images))).toBe(true);
  });

  it("simulateAcquisition burns each site's marker into its corner", () => {
    const one = new Uint8Array(h * w).fill(128);
    const res = simulateAcquisition(one, [0], {
      height: h,
      width: w,
      split: "test",
      sites: 1,
      siteEffects: [{ gamma: 1, contrast: 1, brightness: 0, noiseSd: 0, blurRadius: 0, marker: { corner: "bottom-right", size: 2, value: 255 } }],
    });
    expect(res.images[(h - 1) * w + (w - 1)]).toBe(255);
    expect(res.images[(h - 2) * w + (w - 2)]).toBe(255);
    expect(res.images[0]).toBe(128);
    expect(res.images[(h - 3) * w + (w - 1)]).toBe(128);
  });

  it("simulateAcquisition applies gamma and contrast per site", () => {
    const one = new Uint8Array(4).fill(64);
    const effects = { contrast: 1, brightness: 0, noiseSd: 0, blurRadius: 0, marker: null };
    const res = simulateAcquisition(one, [0], { height: 2, width: 2, split: "test", sites: 1, siteEffects: [{ ...effects, gamma: 0.5 }] });
    expect(res.images[0]).toBe(Math.round(Math.sqrt(64 / 255) * 255));
    const res2 = simulateAcquisition(one, [0], { height: 2, width: 2, split: "test", sites: 1, siteEffects: [{ ...effects, gamma: 1, contrast: 2 }] });
    expect(res2.images[0]).toBe(Math.max(0, Math.round(((64 / 255 - 0.5) * 2 + 0.5) * 255)));
  });

  it("simulateAcquisition darkens the corners and not the centre with vignette", () => {
    const img = new Uint8Array(25).fill(200);
    const effects = { gamma: 1, contrast: 1, brightness: 0, noiseSd: 0, blurRadius: 0, marker: null, vignette: 0.5 };
    const res = simulateAcquisition(img, [0], { height: 5, width: 5, split: "test", sites: 1, siteEffects: [effects] });
    expect(res.images[12]).toBe(200); // centre: r = 0
    expect(res.images[0]).toBe(Math.round(200 * (1 - 0.5))); // corner: r = the half-diagonal
    expect(res.images[2]!).toBeGreaterThan(res.images[0]!);
  });

  it("simulateAcquisition(images, labels) with a wrong byte count throws LENGTH_MISMATCH", () => {
    expect(() => simulateAcquisition(new Uint8Array(10), [0, 1], { height: h, width: w, split: "pool" })).toThrow(EngineInputError);
    try {
      simulateAcquisition(new Uint8Array(10), [0, 1], { height: h, width: w, split: "pool" });
    } catch (e) {
      expect((e as EngineInputError).code).toBe("LENGTH_MISMATCH");
      expect((e as EngineInputError).field).toBe("images");
    }
  });

  it("simulateAcquisition rejects labelSiteBias below 1/S", () => {
    expect(() => simulateAcquisition(images, labels, { height: h, width: w, split: "pool", labelSiteBias: 0.1 })).toThrow(/labelSiteBias|1\/3/);
  });
});
