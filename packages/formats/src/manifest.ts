// Streaming readers for dataset manifests: CSV (with a header line) and JSONL (one JSON object per line).
// Both yield rows one at a time with their row and line numbers, so a 100k-row manifest is never held
// whole, and every error names the file and the row.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import path from "node:path";
import { FormatError, ioError } from "./errors.js";
import { openCsvRecords, type CsvRecord } from "./csv.js";

export type ManifestFormat = "csv" | "tsv" | "jsonl";

export interface ManifestRow {
  /** 1-based data row (the CSV header is not a row). */
  row: number;
  /** 1-based line in the file where the row starts. */
  line: number;
  /** CSV: every column as a string. JSONL: the parsed object as is. */
  values: Record<string, unknown>;
}

export interface ManifestFields {
  row: number;
  line: number;
  fields: string[];
}

export interface ManifestReader {
  readonly file: string;
  readonly format: ManifestFormat;
  /** CSV: the header. JSONL: the keys of the first object (later rows may add keys). */
  readonly columns: readonly string[];
  /** Yields every row once; throws FormatError EMPTY_FILE at the end when there was no data row. */
  rows(): AsyncGenerator<ManifestRow>;
  /**
   * CSV/TSV only (undefined for JSONL): the same rows as rows(), in batches, each row's fields as an
   * array in `columns` order (ragged rows already rejected). Cheaper than rows() for large files:
   * no object per row. Use one of rows() or fieldBatches(), once.
   */
  fieldBatches?(): AsyncGenerator<ManifestFields[]>;
  /** Stops reading early (rows() does this itself when it finishes or throws). */
  close(): Promise<void>;
}

export interface OpenManifestOptions {
  /** Default: from the extension (.csv, .tsv, .jsonl, .ndjson). */
  format?: ManifestFormat;
}

/** The manifest format implied by a file name, or a FormatError UNSUPPORTED_FORMAT. */
export function manifestFormatOf(file: string): ManifestFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".tsv") return "tsv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  throw new FormatError(
    "UNSUPPORTED_FORMAT",
    file,
    `expected a manifest ending in .csv, .tsv, .jsonl or .ndjson, got "${ext || "(no extension)"}"`,
  );
}

export async function openManifest(file: string, options: OpenManifestOptions = {}): Promise<ManifestReader> {
  const format = options.format ?? manifestFormatOf(file);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    size = st.size;
  } catch (error) {
    throw ioError(file, error);
  }
  if (size === 0)
    throw new FormatError(
      "EMPTY_FILE",
      file,
      "expected a manifest with a header and rows, got an empty file",
    );
  return format === "jsonl" ? openJsonl(file) : openCsv(file, format === "tsv" ? "\t" : ",");
}

async function openCsv(file: string, delimiter: string): Promise<ManifestReader> {
  const opened = await openCsvRecords(file, delimiter, "a header line");
  const { batches, close } = opened;
  let pending: CsvRecord[] = opened.first;
  const headerRecord = pending[0]!;
  pending = pending.slice(1);
  const header = headerRecord.fields.map((h) => h.trim());
  const headerLine = headerRecord.line;
  const seen = new Set<string>();
  for (let i = 0; i < header.length; i++) {
    const name = header[i]!;
    if (name === "") {
      await close();
      throw new FormatError(
        "EMPTY_COLUMN_NAME",
        file,
        `expected a name for every column, got an empty name for column ${i + 1} of the header`,
        { line: headerLine },
      );
    }
    if (seen.has(name)) {
      await close();
      throw new FormatError(
        "DUPLICATE_COLUMN",
        file,
        `expected unique column names, got "${name}" twice in the header`,
        { line: headerLine },
      );
    }
    seen.add(name);
  }
  const width = header.length;
  return {
    file,
    format: delimiter === "\t" ? "tsv" : "csv",
    columns: header,
    close,
    fieldBatches,
    async *rows() {
      for await (const batch of fieldBatches()) {
        for (const { row, line, fields } of batch) {
          const values: Record<string, unknown> = {};
          for (let i = 0; i < width; i++) values[header[i]!] = fields[i]!;
          yield { row, line, values };
        }
      }
    },
  };
  async function* fieldBatches(): AsyncGenerator<ManifestFields[]> {
    let row = 0;
    try {
      for (let batch: CsvRecord[] | undefined = pending; batch;) {
        const out: ManifestFields[] = new Array<ManifestFields>(batch.length);
        for (let k = 0; k < batch.length; k++) {
          const { fields, line } = batch[k]!;
          row++;
          if (fields.length !== width) {
            throw new FormatError(
              "RAGGED_ROW",
              file,
              `expected ${width} fields (as in the header), got ${fields.length}`,
              { row, line },
            );
          }
          out[k] = { row, line, fields };
        }
        if (out.length > 0) yield out;
        const next = await batches.next();
        batch = next.done ? undefined : next.value;
      }
      if (row === 0)
        throw new FormatError(
          "EMPTY_FILE",
          file,
          "expected at least one data row after the header, got none",
        );
    } finally {
      await close();
    }
  }
}

async function openJsonl(file: string): Promise<ManifestReader> {
  const stream = createReadStream(file, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const close = async () => {
    lines.close();
    stream.destroy();
  };
  let lineNo = 0;
  let row = 0;
  const nextObject = async (): Promise<ManifestRow | undefined> => {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw ioError(file, error);
      }
      if (next.done) return undefined;
      lineNo++;
      let text = next.value;
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === "") continue;
      row++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new FormatError(
          "BAD_JSON",
          file,
          `expected one JSON object per line, got invalid JSON (${(error as Error).message})`,
          {
            row,
            line: lineNo,
            cause: error,
          },
        );
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
        throw new FormatError("NOT_AN_OBJECT", file, `expected a JSON object, got ${got}`, {
          row,
          line: lineNo,
        });
      }
      return { row, line: lineNo, values: value as Record<string, unknown> };
    }
  };
  let first: ManifestRow | undefined;
  try {
    first = await nextObject();
  } catch (error) {
    await close();
    throw error;
  }
  if (!first) {
    await close();
    throw new FormatError("EMPTY_FILE", file, "expected at least one JSON object, got only blank lines");
  }
  const pending = first;
  return {
    file,
    format: "jsonl",
    columns: Object.keys(pending.values),
    close,
    async *rows() {
      try {
        yield pending;
        for (let r = await nextObject(); r; r = await nextObject()) yield r;
      } finally {
        await close();
      }
    },
  };
}
