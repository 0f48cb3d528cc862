import { describe, expect, it } from "vitest";
import { composition } from "./composition.js";

describe("composition", () => {
  it("shares per class, largest share and Cramér's V against a hand computation", () => {
    // normal: A 6, B 2, missing 2; pneumonia: A 1, B 7
    const c = composition([
      { label: "normal", level: "A", count: 6 },
      { label: "normal", level: "B", count: 2 },
      { label: "normal", level: null, count: 2 },
      { label: "pneumonia", level: "A", count: 1 },
      { label: "pneumonia", level: "B", count: 7 },
    ]);
    expect(c.classes.map((k) => k.label)).toEqual(["normal", "pneumonia"]);
    const [normal, pneu] = c.classes;
    expect(normal!.levels.map((l) => [l.level, l.count, l.share])).toEqual([["A", 6, 0.6], ["B", 2, 0.2], [null, 2, 0.2]]);
    expect(normal!.largestShare).toBeCloseTo(0.6, 12);
    expect(pneu!.levels.map((l) => l.count)).toEqual([1, 7, 0]);
    expect(pneu!.largestShare).toBeCloseTo(7 / 8, 12);
    // 2×2 over known rows (n = 16): chi² = n(ad − bc)² / (r1 r2 c1 c2)
    const n = 16, chi2 = (n * (6 * 7 - 2 * 1) ** 2) / (8 * 8 * 7 * 9);
    const phi2c = Math.max(0, chi2 / n - 1 / (n - 1));
    const k = 2 - 1 / (n - 1);
    expect(c.known).toBe(16);
    expect(c.cramersV).toBeCloseTo(Math.sqrt(phi2c / (k - 1)), 12);
  });

  it("independent label and level give V 0; empty classes and extra levels are laid out", () => {
    const c = composition(
      [
        { label: "a", level: "x", count: 5 },
        { label: "a", level: "y", count: 5 },
        { label: "b", level: "x", count: 5 },
        { label: "b", level: "y", count: 5 },
      ],
      ["c"],
      ["z"],
    );
    expect(c.cramersV).toBe(0);
    expect(c.classes.map((k) => k.label)).toEqual(["a", "b", "c"]);
    expect(c.classes[2]).toMatchObject({ total: 0, largestShare: 0 });
    expect(c.classes[0]!.levels.map((l) => l.level)).toEqual(["x", "y", "z"]);
  });

  it("refuses negative counts", () => {
    expect(() => composition([{ label: "a", level: "x", count: -1 }])).toThrow(RangeError);
  });
});
