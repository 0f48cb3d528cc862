import { describe, expect, it } from "vitest";
import { categorise, columnValues, type Layout } from "./useLayout";

describe("map colourings", () => {
  it("categorise(values) orders categories by frequency and indexes every point", () => {
    const { category, categories } = categorise(["b", "a", "b", "c", "b", "a"]);
    expect(categories.map((c) => c.name)).toEqual(["b", "a", "c"]);
    expect(Array.from(category)).toEqual([0, 1, 0, 2, 0, 1]);
  });
  it("categorise lumps the tail into one 'other' category beyond maxCategories", () => {
    const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const { category, categories } = categorise(values, 5);
    expect(categories).toHaveLength(5);
    expect(categories[4]!.name).toBe("other (26)");
    expect(Math.max(...category)).toBe(4);
  });
  it("columnValues bins a numeric column into quantile ranges and keeps strings as they are", () => {
    const metadata = Array.from({ length: 100 }, (_, i) => ({ age: i, site: i % 2 ? "A" : "B" }));
    const layout = { metadata } as unknown as Layout;
    const ages = columnValues(layout, "age", 4);
    expect(new Set(ages).size).toBe(4);
    expect(ages[0]).toBe("0–24");
    expect(columnValues(layout, "site").slice(0, 2)).toEqual(["B", "A"]);
    expect(columnValues(layout, "missingcol")[0]).toBe("missing");
  });
});
