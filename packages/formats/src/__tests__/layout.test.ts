import { describe, expect, it } from "vitest";
import {
  decodeLayoutColumn,
  decodeLayoutFrame,
  encodeLayout,
  encodeLayoutColumn,
  LayoutFormatError,
  MAX_CATEGORY_VALUES,
  MISSING_CODE,
  OTHER_VALUE,
  type LayoutGroup,
} from "../layout.js";

const groups: LayoutGroup[] = [
  { id: "g1", label: "normal", index: 0, isNoise: false, name: "normal #0", size: 2 },
  { id: "g2", label: "pneumonia", index: -1, isNoise: true, name: "pneumonia noise", size: 1 },
];

function points(n: number, sites: number) {
  const x = new Float32Array(n), y = new Float32Array(n);
  const sampleIds = new Uint32Array(n), group = new Uint16Array(n), site = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.sin(i) * 40 - 3;
    y[i] = Math.cos(i * 1.7) * 12 + 100;
    sampleIds[i] = 4_000_000_000 - i; // beyond int32: the frame carries u32
    group[i] = i % 2;
    site[i] = i % 5 === 0 ? -1 : i % sites;
  }
  return { x, y, sampleIds, group, site };
}

describe("layout frame", () => {
  it("round-trips ids, groups and sites exactly and positions within 1/131,070 of the extent, at 11 bytes a point", () => {
    const n = 10_000;
    const p = points(n, 3);
    const bytes = encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: ["S0", "S1", "S2"], columns: ["age"] }, p);
    const header = 8 + 400; // a generous bound for the JSON header of this case
    expect(bytes.byteLength).toBeLessThanOrEqual(11 * n + header);
    const { header: h, points: d } = decodeLayoutFrame(bytes);
    expect(h).toMatchObject({ analysisId: "A", count: n, sampleIdType: "Sample", sites: ["S0", "S1", "S2"], columns: ["age"] });
    expect(Array.from(d.sampleIds)).toEqual(Array.from(p.sampleIds));
    expect(Array.from(d.group)).toEqual(Array.from(p.group));
    expect(Array.from(d.site)).toEqual(Array.from(p.site));
    const [minX, minY, maxX, maxY] = h.bounds;
    let worstX = 0, worstY = 0;
    for (let i = 0; i < n; i++) {
      worstX = Math.max(worstX, Math.abs(d.x[i]! - p.x[i]!));
      worstY = Math.max(worstY, Math.abs(d.y[i]! - p.y[i]!));
    }
    expect(worstX).toBeLessThanOrEqual((maxX - minX) / 131_070 + 1e-5);
    expect(worstY).toBeLessThanOrEqual((maxY - minY) / 131_070 + 1e-4);
  });

  it("switches to u16 site indexes past 254 sites, and decodes from an unaligned view", () => {
    const sites = Array.from({ length: 300 }, (_, i) => `S${i}`);
    const p = points(1_000, 300);
    const bytes = encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites, columns: [] }, p);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const d = decodeLayoutFrame(shifted.subarray(1)).points;
    expect(Array.from(d.site)).toEqual(Array.from(p.site));
    expect(Math.max(...d.site)).toBeGreaterThan(254);
  });

  it("an empty layout and a single point (zero extent) decode", () => {
    const empty = decodeLayoutFrame(encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: [], columns: [] }, points(0, 1)));
    expect(empty.header.count).toBe(0);
    const one = points(1, 1);
    const d = decodeLayoutFrame(encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: ["S0"], columns: [] }, one)).points;
    expect(d.x[0]).toBeCloseTo(one.x[0]!, 5);
  });

  it("refuses a wrong magic, a truncated frame and out-of-range indexes, naming the field", () => {
    const bytes = encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: ["S0"], columns: [] }, points(10, 1));
    expect(() => decodeLayoutFrame(bytes.subarray(0, bytes.byteLength - 4))).toThrow(/site needs 10 bytes/);
    const wrong = bytes.slice();
    wrong[0] = 0x58;
    expect(() => decodeLayoutFrame(wrong)).toThrow(LayoutFormatError);
    const badGroup = points(3, 1);
    badGroup.group[2] = 7;
    expect(() => decodeLayoutFrame(encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: ["S0"], columns: [] }, badGroup))).toThrow(/point 2 has group index 7/);
    expect(() => encodeLayout({ analysisId: "A", sampleIdType: "Sample", groups, sites: [], columns: [] }, { ...points(3, 1), x: new Float32Array(2) })).toThrow(/3 points/);
  });
});

describe("layout column frame", () => {
  it("a categorical column: values once, u16 codes, missing as 0xffff", () => {
    const d = decodeLayoutColumn(encodeLayoutColumn("scanner", ["GE", "Siemens", null, "GE", "", { m: 1 }, 3]));
    expect(d.kind).toBe("category");
    if (d.kind !== "category") return;
    expect(d.values).toEqual(["GE", "Siemens", '{"m":1}', "3"]);
    expect(Array.from(d.codes)).toEqual([0, 1, MISSING_CODE, 0, MISSING_CODE, 2, 3]);
  });

  it("a numeric column with many distinct values comes as f32 with NaN for missing; few distinct stay a category", () => {
    const ages = Array.from({ length: 100 }, (_, i) => (i === 7 ? null : i % 3 ? 20 + i : String(20 + i)));
    const d = decodeLayoutColumn(encodeLayoutColumn("age", ages));
    expect(d.kind).toBe("number");
    if (d.kind !== "number") return;
    expect(d.numbers[1]).toBe(21);
    expect(d.numbers[3]).toBe(23); // a numeric string counts as its number
    expect(Number.isNaN(d.numbers[7])).toBe(true);
    expect(decodeLayoutColumn(encodeLayoutColumn("grade", [1, 2, 3, 1, 2, 3])).kind).toBe("category");
  });

  it("folds the rarest values into one 'other' value past the u16 range", () => {
    const values = Array.from({ length: MAX_CATEGORY_VALUES + 10 }, (_, i) => `p${i}`);
    values.push("p0", "p0"); // the most frequent is kept
    const d = decodeLayoutColumn(encodeLayoutColumn("patient", values));
    if (d.kind !== "category") throw new Error("expected a category");
    expect(d.values).toHaveLength(MAX_CATEGORY_VALUES);
    expect(d.values.at(-1)).toBe(OTHER_VALUE);
    expect(d.values[d.codes[0]!]).toBe("p0");
    expect(new Set(Array.from(d.codes)).has(d.values.length - 1)).toBe(true);
  });
});
