import { describe, it, expect } from "vitest";
import { CsvParser, FormatError, type CsvRecord } from "../index.js";

function parseWhole(text: string): CsvRecord[] {
  const p = new CsvParser("t.csv");
  return [...p.push(text), ...p.end()];
}
function parseInPieces(text: string, size: number): CsvRecord[] {
  const p = new CsvParser("t.csv");
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
  return [...out, ...p.end()];
}

const tricky = 'id,note,x\r\n1,"a ""quoted"" word",\r\n\r\n2,"line one\nline two",z\n3,plain,"x,y"\r4,,last';

describe("CsvParser", () => {
  it("parses quotes, escaped quotes, line breaks in quotes, CRLF/CR/LF and empty fields, with start lines", () => {
    expect(parseWhole(tricky)).toEqual([
      { fields: ["id", "note", "x"], line: 1 },
      { fields: ["1", 'a "quoted" word', ""], line: 2 },
      { fields: ["2", "line one\nline two", "z"], line: 4 },
      { fields: ["3", "plain", "x,y"], line: 6 },
      { fields: ["4", "", "last"], line: 7 },
    ]);
  });

  it("gives the same records whatever the chunk boundaries", () => {
    const whole = parseWhole(tricky);
    for (const size of [1, 2, 3, 5, 7, 16]) expect(parseInPieces(tricky, size)).toEqual(whole);
  });

  it("keeps a trailing empty field at the end of the input", () => {
    expect(parseWhole("a,b,")).toEqual([{ fields: ["a", "b", ""], line: 1 }]);
  });

  it("reports an unclosed quote and text after a closing quote as BAD_CSV", () => {
    expect(() => parseWhole('a\n"open\n')).toThrow(FormatError);
    expect(() => parseWhole('a\n"open\n')).toThrow(/closing quote/);
    try {
      parseWhole('a,b\n"x"y,2\n');
      throw new Error("expected BAD_CSV");
    } catch (e) {
      expect((e as FormatError).code).toBe("BAD_CSV");
      expect((e as FormatError).line).toBe(2);
    }
  });

  it("rejects a quote or line break as delimiter", () => {
    expect(() => new CsvParser("t.csv", '"')).toThrow(RangeError);
  });
});
