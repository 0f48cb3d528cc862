import { describe, expect, it } from "vitest";
import { LASSO_MAX_VERTICES, lassoPolygon, subsetSummary } from "./subsetDefinition";

describe("lassoPolygon", () => {
  it("pairs the flat stroke into vertices and drops non-finite points", () => {
    expect(lassoPolygon([0, 0, 1, 0, NaN, 2, 1, 1, 5])).toEqual([[0, 0], [1, 0], [1, 1]]);
  });
  it("thins a long stroke evenly to the API's maximum, keeping the first vertex", () => {
    const flat = Array.from({ length: 2 * 5001 }, (_, i) => i);
    const p = lassoPolygon(flat);
    expect(p).toHaveLength(LASSO_MAX_VERTICES);
    expect(p[0]).toEqual([0, 1]);
    expect(p.every(([x, y]) => y === x + 1)).toBe(true);
  });
});

describe("subsetSummary", () => {
  it("a lasso: its vertex count and the analysis it was drawn on", () => {
    const lasso = { analysisId: "QW5hbHlzaXM6MQ", analysisCreatedAt: "2026-12-04T18:20:05.000Z", vertexCount: 12, polygon: [] };
    expect(subsetSummary("LASSO", { lasso })).toBe("lasso, 12 vertices on the analysis of 2026-12-04 18:20");
    expect(subsetSummary("LASSO", { lasso: { ...lasso, analysisCreatedAt: undefined } })).toBe("lasso, 12 vertices on the analysis QW5hbHlzaXM6MQ");
    expect(subsetSummary("LASSO", { analysisId: "x", points: 3 })).toBe("lasso (no polygon recorded)");
  });
  it("filters in words", () => {
    expect(subsetSummary("QUALITY_FILTER", { rules: { duplicates: true, outlierRank: 5 } })).toBe("quality filter: duplicates, top 5 outliers per class");
    expect(subsetSummary("METADATA_FILTER", { column: "site", values: ["A", "B", "C", "D"] })).toBe("metadata filter: site = A, B, C, +1 more");
    expect(subsetSummary("MANUAL", null)).toBe("list");
  });
});
