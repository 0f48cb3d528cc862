import { describe, expect, it } from "vitest";
import { decodeLayout, globalId, type LayoutPayload } from "./layoutPayload";

const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

function payload(): LayoutPayload {
  return {
    analysisId: "QW5hbHlzaXM6MQ",
    count: 3,
    sampleIdType: "Sample",
    groups: [
      { id: "g1", label: "normal", index: 0, isNoise: false, name: "normal #0", size: 2 },
      { id: "g2", label: "pneumonia", index: -1, isNoise: true, name: "pneumonia noise", size: 1 },
    ],
    sampleIds: b64(Int32Array.from([7, 12, 300000])),
    xy: b64(Float32Array.from([0, 0, 1, 2, 5, -5])),
    group: b64(Int32Array.from([0, 0, 1])),
    externalIds: ["a", "b", "c"],
    sites: ["S0", "S1"],
    site: b64(Int32Array.from([1, -1, 0])),
    metadata: [{ scanner: "x" }, null, { age: 4 }],
  };
}

describe("decodeLayout", () => {
  it("decodes base64 typed arrays into the map's arrays, with global sample IDs and group names", () => {
    const l = decodeLayout(payload());
    expect(l.sampleIds).toEqual([globalId("Sample", 7), globalId("Sample", 12), globalId("Sample", 300000)]);
    expect(l.sampleIds[0]).toBe(Buffer.from("Sample:7").toString("base64url"));
    expect(l.labels).toEqual(["normal", "normal", "pneumonia"]);
    expect(l.groups).toEqual(["normal #0", "normal #0", "pneumonia · noise"]);
    expect(l.sites).toEqual(["S1", "—", "S0"]);
    expect(l.externalIds).toEqual(["a", "b", "c"]);
    expect(l.metadata).toEqual([{ scanner: "x" }, {}, { age: 4 }]);
    expect(l.metadataColumns).toEqual(["age", "scanner"]);
    expect(l.xs).toHaveLength(3);
    expect(l.classes.map((c) => c.label)).toEqual(["normal", "pneumonia"]);
    // Classes are placed side by side: the order of points within a class is kept.
    expect(l.xs[1]! - l.xs[0]!).toBeGreaterThan(0);
    expect(l.ys[1]! - l.ys[0]!).toBeGreaterThan(0);
  });

  it("rejects arrays of the wrong length and group indexes out of range, naming the field", () => {
    expect(() => decodeLayout({ ...payload(), xy: b64(Float32Array.from([0, 0])) })).toThrow(/expected 24 bytes in xy, got 8/);
    expect(() => decodeLayout({ ...payload(), group: b64(Int32Array.from([0, 0, 5])) })).toThrow(/group index 5/);
  });
});
