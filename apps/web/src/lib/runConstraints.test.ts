import { describe, expect, it } from "vitest";
import { NO_CONSTRAINTS, constraintInput, describeConstraints, validateConstraints } from "./runConstraints";

const subsets = [
  { id: "S1", name: "lasso A", memberCount: 120 },
  { id: "S2", name: "must", memberCount: 3 },
];

describe("run constraints", () => {
  it("says what the run will do in plain words", () => {
    const v = { ...NO_CONSTRAINTS, poolSubsetId: "S1", includeSubsetIds: ["S2"], excludeDuplicates: true, outlierRank: "2", labelErrorScore: "0.9" };
    expect(describeConstraints(v, subsets, { duplicateExtras: 12, duplicateSets: 9, labelIssues: 40, outliers: 4 })).toEqual([
      "Select only from “lasso A” (120 samples).",
      "Always take the 3 samples of “must”; they count against each class's budget.",
      "Exclude 12 duplicates, keep one of each of 9 sets.",
      "Exclude the 2 most outlying samples of each class (4 samples).",
      "Exclude likely label errors scoring 0.9 or more (40 samples).",
    ]);
    expect(constraintInput(v)).toEqual({ poolSubsetId: "S1", includeSubsetIds: ["S2"], qualityExclusions: { duplicates: true, outlierRank: 2, labelErrorScore: 0.9 } });
    expect(constraintInput(NO_CONSTRAINTS)).toEqual({});
  });

  it("checks the values before sending", () => {
    expect(validateConstraints({ ...NO_CONSTRAINTS, excludeDuplicates: true }, 10, false, subsets)).toHaveProperty("qualityExclusions");
    expect(validateConstraints({ ...NO_CONSTRAINTS, outlierRank: "0" }, 10, true, subsets).outlierRank).toMatch(/at least 1/);
    expect(validateConstraints({ ...NO_CONSTRAINTS, labelErrorScore: "2" }, 10, true, subsets).labelErrorScore).toMatch(/between 0 and 1/);
    expect(validateConstraints({ ...NO_CONSTRAINTS, poolSubsetId: "S1", excludeSubsetIds: ["S1"] }, 10, true, subsets)).toHaveProperty("excludeSubsetIds");
    expect(validateConstraints(NO_CONSTRAINTS, 10, false, subsets)).toEqual({});
  });
});
