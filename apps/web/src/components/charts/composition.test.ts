// The composition chart renders one bar per series and class, split by level, with the numbers a user
// reads: largest share per bar and Cramér's V per series.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CompositionChart, POOL_COLOUR, type CompositionColumn } from "./Composition";

const column: CompositionColumn = {
  column: "site",
  associated: true,
  declaredBy: ["balanced"],
  labels: ["normal", "pneumonia"],
  levels: ["A", "B", null],
  series: [
    { name: "pool", colour: POOL_COLOUR, cramersV: 0.77, totals: [10, 10], counts: [[8, 1, 1], [1, 9, 0]], largestShares: [0.8, 0.9] },
    { name: "balanced", colour: "#4dabf7", cramersV: 0, totals: [4, 0], counts: [[2, 2, 0], [0, 0, 0]], largestShares: [0.5, 0] },
  ],
};

describe("CompositionChart", () => {
  const html = renderToStaticMarkup(createElement(CompositionChart, { c: column }));

  it("draws each non-empty level of each bar, titled with its count and share", () => {
    expect(html).toContain("pool, normal, A: 8 of 10 (80.0%)");
    expect(html).toContain("pool, normal, no value: 1 of 10 (10.0%)");
    expect(html).toContain("balanced, normal, B: 2 of 4 (50.0%)");
    // empty levels draw nothing; an empty class draws a placeholder bar, no level
    expect(html).not.toContain("pool, pneumonia, no value");
    expect(html).not.toContain("balanced, pneumonia, A");
  });

  it("shows largest shares, Cramér's V per series, the even-mix reference and the badges", () => {
    expect(html.match(/data-testid="largest-share"/g)).toHaveLength(4);
    expect(html).toMatch(/80%.*of.*10/);
    expect(html).toMatch(/pool <b>0\.77<\/b>/);
    expect(html).toMatch(/balanced <b>0<\/b>/);
    expect(html).toContain("even mix: largest share 50%");
    expect(html).toContain("declared");
    expect(html).toContain("associated");
  });
});
