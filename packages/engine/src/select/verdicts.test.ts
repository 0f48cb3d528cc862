import { describe, expect, it } from "vitest";
import { EngineInputError } from "../types.js";
import { applyVerdicts, verdictGrouping, verdictsFromJson } from "./verdicts.js";

describe("verdicts", () => {
  const labels = ["a", "a", "a", "a", "a", "b", "b", "b"];
  const groups = Int32Array.from([0, 1, 2, 3, -1, 0, 1, 2]);

  it("applyVerdicts: rejected rows become rest (−2), same names (trimmed, any case) one group numbered by the smallest index", () => {
    const r = applyVerdicts(labels, groups, [
      { label: "a", index: 0, verdict: "REJECTED", name: "anatomy" },
      { label: "a", index: 3, verdict: "RENAMED", name: "Site A" },
      { label: "a", index: 1, verdict: "RENAMED", name: " site a " },
      { label: "a", index: 2, verdict: "CONFIRMED" },
      // Same name in another class: classes never merge.
      { label: "b", index: 2, verdict: "RENAMED", name: "site a" },
      { label: "b", index: 1, verdict: "PENDING", name: null },
    ]);
    expect(Array.from(r.groups)).toEqual([-2, 1, 2, 1, -1, 0, 1, 2]);
    expect(r.effective).toEqual([
      { label: "a", group: -2, name: null, indices: [0] },
      { label: "a", group: 1, name: "site a", indices: [1, 3] },
      { label: "a", group: 2, name: null, indices: [2] },
      { label: "b", group: 1, name: null, indices: [1] },
      { label: "b", group: 2, name: "site a", indices: [2] },
    ]);
  });

  it("no verdicts leave the grouping as it is", () => {
    expect(Array.from(applyVerdicts(labels, groups, []).groups)).toEqual(Array.from(groups));
    expect(verdictGrouping([{ label: "a", index: 4, verdict: "PENDING" }]).of("a", 7)).toBe(7);
  });

  it("verdictsFromJson reads a list or {groups}, and names the bad entry", () => {
    expect(verdictsFromJson({ groups: [{ label: "a", group: 1, verdict: "REJECTED" }] })).toEqual([{ label: "a", index: 1, verdict: "REJECTED", name: null }]);
    const bad = (json: unknown) => {
      try {
        verdictsFromJson(json);
      } catch (e) {
        if (e instanceof EngineInputError) return e.field;
        throw e;
      }
      return null;
    };
    expect(bad([{ label: "a", index: 0, verdict: "MAYBE" }])).toBe("verdicts[0].verdict");
    expect(bad([{ label: "a", index: 0, verdict: "PENDING" }, { label: 3, index: 0, verdict: "PENDING" }])).toBe("verdicts[1].label");
    expect(bad({ nope: 1 })).toBe("verdicts");
  });
});
