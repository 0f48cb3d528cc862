import { describe, expect, it } from "vitest";
import { DEFAULT_QUALITY_FORM, flagBadges, fmtDistance, qualityParams, topPerClass } from "./quality";

describe("qualityParams", () => {
  it("blank threshold means the engine's default; numbers pass through", () => {
    expect(qualityParams(DEFAULT_QUALITY_FORM)).toEqual({ params: { crossVersions: true, k: 10, outlierK: 10 }, errors: {} });
    expect(qualityParams({ ...DEFAULT_QUALITY_FORM, threshold: " 0.02 ", crossVersions: false }).params).toEqual({ threshold: 0.02, k: 10, outlierK: 10, crossVersions: false });
  });

  it("refuses a threshold outside (0, 2] and k outside 1..100, naming the field", () => {
    for (const threshold of ["0", "-1", "2.5", "abc"]) {
      const r = qualityParams({ ...DEFAULT_QUALITY_FORM, threshold });
      expect(r.params).toBeUndefined();
      expect(r.errors.threshold).toMatch(/^threshold: expected a cosine distance in \(0, 2\]/);
    }
    expect(qualityParams({ ...DEFAULT_QUALITY_FORM, threshold: "2" }).params?.threshold).toBe(2);
    const r = qualityParams({ ...DEFAULT_QUALITY_FORM, k: "0", outlierK: "1.5" });
    expect(Object.keys(r.errors).sort()).toEqual(["k", "outlierK"]);
  });
});

describe("flagBadges", () => {
  it("orders leakage, sites, labels", () => {
    const b = flagBadges({ crossSite: true, crossSplit: true, conflictingLabels: true, sites: ["A", "B"], labels: ["x", "y"] });
    expect(b.map((x) => x.key)).toEqual(["crossSplit", "crossSite", "conflictingLabels"]);
    expect(b[1]!.text).toBe("sites A, B");
    expect(flagBadges({ crossSite: false, crossSplit: false, conflictingLabels: false })).toEqual([]);
  });
});

describe("fmtDistance / topPerClass", () => {
  it("formats distances and keeps the top rows of each class", () => {
    expect(fmtDistance(0)).toBe("0");
    expect(fmtDistance(0.00123)).toBe("1.23e-3");
    expect(fmtDistance(0.5)).toBe("0.500");
    expect(fmtDistance(null)).toBe("—");
    const rows = [
      { label: "b", outlierRank: 1 },
      { label: "a", outlierRank: 0 },
      { label: "b", outlierRank: 0 },
      { label: "a", outlierRank: 2 },
      { label: "a", outlierRank: 1 },
    ];
    const top = topPerClass(rows, 2);
    expect([...top.keys()]).toEqual(["a", "b"]);
    expect(top.get("a")!.map((r) => r.outlierRank)).toEqual([0, 1]);
    expect(top.get("b")!.map((r) => r.outlierRank)).toEqual([0, 1]);
  });
});
