import { describe, expect, it } from "vitest";
import { categorise } from "./useLayout";

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
});
