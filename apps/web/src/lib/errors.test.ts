import { describe, expect, it } from "vitest";
import { errorsByField, fieldKey } from "./errors";

describe("errorsByField", () => {
  it("keys an error by its field, not by a list position", () => {
    // Before: ["input", "excludeSubsetIds", "0"] was keyed "0" and shown beside "Known confounders".
    expect(fieldKey(["input", "excludeSubsetIds", "0"])).toBe("excludeSubsetIds");
    expect(fieldKey(["input", "includeSubsetIds", "12"])).toBe("includeSubsetIds");
    expect(fieldKey(["input", "declaredConfounders", "1"])).toBe("declaredConfounders");
    expect(fieldKey(["input", "params", "eps"])).toBe("eps");
    expect(fieldKey(["input", "qualityExclusions", "outlierRank"])).toBe("outlierRank");
    expect(fieldKey(null)).toBe("");
    expect(fieldKey(["0"])).toBe("");
  });
  it("joins the messages of one field", () => {
    expect(
      errorsByField([
        { code: "NOT_FOUND", field: ["input", "excludeSubsetIds", "0"], message: "a" },
        { code: "NOT_FOUND", field: ["input", "excludeSubsetIds", "1"], message: "b" },
        { code: "VALIDATION", field: ["input", "includeSubsetIds", "0"], message: "c" },
        { code: "INTERNAL", field: null, message: "d" },
      ]),
    ).toEqual({ excludeSubsetIds: "a b", includeSubsetIds: "c", "": "d" });
  });
});
