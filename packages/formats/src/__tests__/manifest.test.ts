import { describe, it, expect, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import { openManifest, manifestFormatOf, type ManifestRow } from "../index.js";
import { tempDir, rejection } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

function write(name: string, text: string): string {
  const f = tmp.file(name);
  writeFileSync(f, text);
  return f;
}

async function all(file: string): Promise<{ columns: readonly string[]; rows: ManifestRow[] }> {
  const m = await openManifest(file);
  const rows: ManifestRow[] = [];
  for await (const r of m.rows()) rows.push(r);
  return { columns: m.columns, rows };
}

describe("openManifest(csv)", () => {
  it("streams rows with their row and line numbers, quoted fields and a BOM", async () => {
    const f = write(
      "m.csv",
      '\ufeffid,label,uri,note\n1,a,x/1.png,"hello, world"\n\n2,b,x/2.png,"two\nlines"\n3,a,x/3.png,\n',
    );
    const { columns, rows } = await all(f);
    expect(columns).toEqual(["id", "label", "uri", "note"]);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(rows[0]!.values).toEqual({ id: "1", label: "a", uri: "x/1.png", note: "hello, world" });
    expect(rows[1]!.values.note).toBe("two\nlines");
  });

  it("reads TSV by extension", async () => {
    const { rows } = await all(write("m.tsv", "id\tlabel\n7\tz\n"));
    expect(rows[0]!.values).toEqual({ id: "7", label: "z" });
  });

  it("names the row and line of a ragged row", async () => {
    const f = write("ragged.csv", "id,label\n1,a\n2,b,extra\n");
    const e = await rejection(all(f));
    expect(e.code).toBe("RAGGED_ROW");
    expect(e.row).toBe(2);
    expect(e.line).toBe(3);
    expect(e.message).toBe(`${f}: row 2 (line 3): expected 2 fields (as in the header), got 3`);
  });

  it("rejects an empty file, a header without rows, duplicate and empty column names", async () => {
    expect((await rejection(all(write("e.csv", "")))).code).toBe("EMPTY_FILE");
    expect((await rejection(all(write("h.csv", "id,label\n")))).code).toBe("EMPTY_FILE");
    expect((await rejection(all(write("d.csv", "id,label,id\n1,2,3\n")))).code).toBe("DUPLICATE_COLUMN");
    expect((await rejection(all(write("n.csv", "id,,x\n1,2,3\n")))).code).toBe("EMPTY_COLUMN_NAME");
  });

  it("reports broken quoting as BAD_CSV with the file name", async () => {
    const f = write("q.csv", 'id,label\n1,"open\n');
    const e = await rejection(all(f));
    expect(e.code).toBe("BAD_CSV");
    expect(e.message).toContain(f);
  });
});

describe("openManifest(jsonl)", () => {
  it("streams objects, skips blank lines and keeps JSON types", async () => {
    const f = write("m.jsonl", '{"id":"a","label":"x","age":54}\n\n{"id":"b","label":"y","tags":["t"]}\n');
    const { columns, rows } = await all(f);
    expect(columns).toEqual(["id", "label", "age"]);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(rows[0]!.values.age).toBe(54);
    expect(rows[1]!.values.tags).toEqual(["t"]);
  });

  it("names the line of invalid JSON and of a non-object", async () => {
    const bad = await rejection(all(write("b.jsonl", '{"id":1}\n{"id":2,\n')));
    expect(bad.code).toBe("BAD_JSON");
    expect(bad.row).toBe(2);
    expect(bad.line).toBe(2);
    const arr = await rejection(all(write("c.jsonl", '{"id":1}\n\n[1,2]\n')));
    expect(arr.code).toBe("NOT_AN_OBJECT");
    expect(arr.line).toBe(3);
  });

  it("rejects a file of blank lines as EMPTY_FILE", async () => {
    expect((await rejection(all(write("blank.jsonl", "\n\n")))).code).toBe("EMPTY_FILE");
  });
});

describe("manifestFormatOf(file)", () => {
  it("maps extensions and rejects others", () => {
    expect(manifestFormatOf("a/B.CSV")).toBe("csv");
    expect(manifestFormatOf("x.ndjson")).toBe("jsonl");
    expect(() => manifestFormatOf("x.xlsx")).toThrow(/expected a manifest ending in/);
  });
});
