import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { manifestHash, manifestLines } from "./manifest.js";

describe("manifestHash", () => {
  const items = [
    { id: "b", label: "normal", group: null, rank: 1 },
    { id: "a", label: "pneumonia", group: 2, rank: 0 },
  ];
  it("manifestHash(items) hashes one JSON line [rank,id,label,group] per item in rank order", () => {
    expect(manifestLines(items)).toBe('[0,"a","pneumonia",2]\n[1,"b","normal",null]');
    const expected = createHash("sha256").update('[0,"a","pneumonia",2]\n[1,"b","normal",null]').digest("hex");
    expect(manifestHash(items)).toBe(`sha256:${expected}`);
  });
  it("manifestHash(items) does not depend on the order items are passed in, but on rank, id, label and group", () => {
    expect(manifestHash([...items].reverse())).toBe(manifestHash(items));
    expect(manifestHash([{ ...items[0]!, group: 0 }, items[1]!])).not.toBe(manifestHash(items));
  });
  it("manifestHash([]) is the hash of the empty string", () => {
    expect(manifestHash([])).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
