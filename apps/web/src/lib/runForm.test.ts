import { describe, expect, it } from "vitest";
import { validateRunForm, type RunFormValues } from "./runForm";

const ok: RunFormValues = { name: "ca-50", strategy: "confounder-aware", budgetPerClass: "50", allocation: "balanced", withinGroup: "facility-location", seed: "1", analysisId: "QW5hbHlzaXM6MQ" };

describe("validateRunForm", () => {
  it("validateRunForm(valid values) returns no errors", () => {
    expect(validateRunForm(ok, 1000)).toEqual({});
  });
  it("rejects a budget above the smallest class, naming both numbers", () => {
    expect(validateRunForm({ ...ok, budgetPerClass: "1500" }, 1214).budgetPerClass).toMatch(/1214 samples.*1500/);
  });
  it("rejects non-integer budgets and seeds, and an unknown strategy", () => {
    const e = validateRunForm({ ...ok, budgetPerClass: "2.5", seed: "-1", strategy: "magic" }, null);
    expect(Object.keys(e).sort()).toEqual(["budgetPerClass", "seed", "strategy"]);
  });
  it("confounder-aware needs a known within-group rule; other strategies ignore it", () => {
    expect(validateRunForm({ ...ok, withinGroup: "quantile" }, null)).toEqual({});
    expect(validateRunForm({ ...ok, withinGroup: "best" }, null).withinGroup).toMatch(/"best"/);
    expect(validateRunForm({ ...ok, strategy: "kcenter", withinGroup: "best" }, null)).toEqual({});
  });
  it("confounder-aware needs an analysis; random does not", () => {
    expect(validateRunForm({ ...ok, analysisId: "" }, null).analysisId).toBeDefined();
    expect(validateRunForm({ ...ok, strategy: "random", analysisId: "" }, null)).toEqual({});
  });
});
