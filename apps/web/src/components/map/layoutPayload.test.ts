import { describe, expect, it } from "vitest";
import { encodeLayout, encodeLayoutColumn, decodeLayoutColumn } from "@stratum/formats/layout";
import { columnValues, decodeLayout, globalId } from "./layoutPayload";

function frame() {
  return encodeLayout(
    {
      analysisId: "QW5hbHlzaXM6MQ",
      sampleIdType: "Sample",
      groups: [
        { id: "g1", label: "normal", index: 0, isNoise: false, name: "normal #0", size: 2 },
        { id: "g2", label: "pneumonia", index: -1, isNoise: true, name: "pneumonia noise", size: 1 },
      ],
      sites: ["S0", "S1"],
      columns: ["age", "scanner"],
    },
    {
      sampleIds: Uint32Array.from([7, 12, 300000]),
      x: Float32Array.from([0, 1, 5]),
      y: Float32Array.from([0, 2, -5]),
      group: Uint16Array.from([0, 0, 1]),
      site: Int32Array.from([1, -1, 0]),
    },
  );
}

describe("decodeLayout", () => {
  it("decodes the server's frame into the map's arrays, with global sample IDs, labels from groups and group names", () => {
    const l = decodeLayout(frame());
    expect(l.analysisId).toBe("QW5hbHlzaXM6MQ");
    expect(l.sampleIds).toEqual([globalId("Sample", 7), globalId("Sample", 12), globalId("Sample", 300000)]);
    expect(l.sampleIds[0]).toBe(Buffer.from("Sample:7").toString("base64url"));
    expect(l.labels).toEqual(["normal", "normal", "pneumonia"]);
    expect(l.groups).toEqual(["normal #0", "normal #0", "pneumonia · noise"]);
    expect(l.sites).toEqual(["S1", "—", "S0"]);
    expect(l.metadataColumns).toEqual(["age", "scanner"]);
    expect(l.xs).toHaveLength(3);
    expect(l.classes.map((c) => c.label)).toEqual(["normal", "pneumonia"]);
    // Classes are placed side by side: the order of points within a class is kept.
    expect(l.xs[1]! - l.xs[0]!).toBeGreaterThan(0);
    expect(l.ys[1]! - l.ys[0]!).toBeGreaterThan(0);
  });

  it("refuses a truncated frame, naming the field", () => {
    const bytes = frame();
    expect(() => decodeLayout(bytes.subarray(0, bytes.byteLength - 2))).toThrow(/site needs 3 bytes/);
  });
});

describe("columnValues", () => {
  it("bins a numeric column into quantile ranges, keeps a category's values, and says missing", () => {
    const ages = columnValues(decodeLayoutColumn(encodeLayoutColumn("age", Array.from({ length: 100 }, (_, i) => (i === 99 ? null : i)))), 4);
    expect(new Set(ages).size).toBe(5); // four bins and "missing"
    expect(ages[0]).toBe("0–24");
    expect(ages[99]).toBe("missing");
    const site = columnValues(decodeLayoutColumn(encodeLayoutColumn("site", ["B", "A", null])));
    expect(site).toEqual(["B", "A", "missing"]);
  });
});
