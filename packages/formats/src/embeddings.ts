// Embedding matrices in three formats, read by chunks of rows as float32 and validated while streaming
// (every value finite, every row the same width): .npy (float32, 2-D, C order), CSV (one row per sample,
// optional header, optional "id" column) and Parquet (one list<float> column, or one float column per
// dimension, optional "id" column).
import { stat } from "node:fs/promises";
import path from "node:path";
import { FormatError, ioError } from "./errors.js";
import { openNpy } from "./npy.js";
import { openParquetEmbeddings } from "./parquet.js";
import { openCsvRecords, type CsvRecord } from "./csv.js";

export type EmbeddingFormat = "npy" | "csv" | "parquet";

export interface EmbeddingChunk {
  /** 0-based index of the chunk's first row. */
  start: number;
  count: number;
  dim: number;
  /** count × dim float32 values, row-major; a fresh array per chunk. */
  data: Float32Array;
  /** The row ids, when the file has an "id" column (CSV and Parquet only). */
  ids?: string[];
}

export interface EmbeddingReader {
  readonly file: string;
  readonly format: EmbeddingFormat;
  readonly dim: number;
  /** Known up front for .npy and Parquet; undefined for CSV until read to the end. */
  readonly rows: number | undefined;
  /** Whether chunks carry ids. */
  readonly hasIds: boolean;
  /** Every row once, in order. Throws FormatError NON_FINITE / RAGGED_ROW / NOT_A_NUMBER on the first bad row. */
  chunks(): AsyncGenerator<EmbeddingChunk>;
  close(): Promise<void>;
}

export interface OpenEmbeddingsOptions {
  /** Default: from the extension (.npy, .csv, .parquet). */
  format?: EmbeddingFormat;
  /** Rows per chunk (default 4096). */
  rowsPerChunk?: number;
  /** Skip the NaN/Inf check (default false: non-finite values are errors). */
  allowNonFinite?: boolean;
}

const DEFAULT_ROWS_PER_CHUNK = 4096;

export function embeddingFormatOf(file: string): EmbeddingFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".npy") return "npy";
  if (ext === ".csv") return "csv";
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  throw new FormatError(
    "UNSUPPORTED_FORMAT",
    file,
    `expected embeddings ending in .npy, .csv or .parquet, got "${ext || "(no extension)"}"`,
  );
}

/** Throws NON_FINITE naming the first NaN or ±Inf value (row is 1-based, column 0-based). */
export function assertFinite(file: string, data: Float32Array, start: number, dim: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      const row = start + Math.floor(i / dim) + 1;
      throw new FormatError("NON_FINITE", file, `expected finite numbers, got ${v} (row index ${row - 1})`, {
        row,
        column: i % dim,
      });
    }
  }
}

export async function openEmbeddings(
  file: string,
  options: OpenEmbeddingsOptions = {},
): Promise<EmbeddingReader> {
  const format = options.format ?? embeddingFormatOf(file);
  const rowsPerChunk = options.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK;
  if (!(rowsPerChunk >= 1))
    throw new RangeError(`openEmbeddings: expected rowsPerChunk ≥ 1, got ${rowsPerChunk}`);
  const check = options.allowNonFinite ? () => {} : assertFinite;
  if (format === "npy") return openNpyEmbeddings(file, rowsPerChunk, check);
  if (format === "parquet") return openParquetEmbeddings(file, rowsPerChunk, check);
  return openCsvEmbeddings(file, rowsPerChunk, check);
}

async function openNpyEmbeddings(
  file: string,
  rowsPerChunk: number,
  check: typeof assertFinite,
): Promise<EmbeddingReader> {
  const npy = await openNpy(file);
  const { header } = npy;
  if (header.dtype !== "float32") {
    await npy.close();
    throw new FormatError(
      "WRONG_DTYPE",
      file,
      `expected float32 embeddings (descr "<f4"), got ${header.dtype} ("${header.descr}"); convert with a.astype(np.float32)`,
    );
  }
  if (header.shape.length !== 2) {
    await npy.close();
    throw new FormatError(
      "WRONG_SHAPE",
      file,
      `expected a 2-D matrix (rows × dim), got shape (${header.shape.join(", ")})`,
    );
  }
  const dim = header.shape[1]!;
  if (dim === 0) {
    await npy.close();
    throw new FormatError(
      "WRONG_SHAPE",
      file,
      `expected at least one dimension per row, got shape (${header.shape.join(", ")})`,
    );
  }
  if (npy.rows === 0) {
    await npy.close();
    throw new FormatError(
      "EMPTY_FILE",
      file,
      `expected at least one row, got shape (${header.shape.join(", ")})`,
    );
  }
  return {
    file,
    format: "npy",
    dim,
    rows: npy.rows,
    hasIds: false,
    close: () => npy.close(),
    async *chunks() {
      try {
        for await (const chunk of npy.chunks(rowsPerChunk)) {
          const data = chunk.data as Float32Array;
          check(file, data, chunk.start, dim);
          yield { start: chunk.start, count: chunk.count, dim, data };
        }
      } finally {
        await npy.close().catch(() => {});
      }
    },
  };
}

/** Parses a CSV number; nan/inf spellings become NaN/±Infinity (so the finite check names them); other text is undefined. */
function parseNumber(text: string): number | undefined {
  const n = Number(text);
  if (!Number.isNaN(n)) return text.trim() === "" ? undefined : n;
  const l = text.trim().toLowerCase();
  if (l === "nan" || l === "-nan" || l === "+nan") return Number.NaN;
  if (l === "inf" || l === "+inf" || l === "infinity" || l === "+infinity") return Number.POSITIVE_INFINITY;
  if (l === "-inf" || l === "-infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

async function openCsvEmbeddings(
  file: string,
  rowsPerChunk: number,
  check: typeof assertFinite,
): Promise<EmbeddingReader> {
  try {
    const st = await stat(file);
    if (st.size === 0)
      throw new FormatError("EMPTY_FILE", file, "expected embedding rows, got an empty file");
  } catch (error) {
    throw error instanceof FormatError ? error : ioError(file, error);
  }
  const opened = await openCsvRecords(file, ",", "embedding rows");
  const { batches, close } = opened;
  let pending: CsvRecord[] = opened.first;
  const firstRecord = pending[0]!.fields;
  const hasHeader = !firstRecord.every((f) => parseNumber(f) !== undefined);
  const idIndex = hasHeader ? firstRecord.findIndex((h) => h.trim().toLowerCase() === "id") : -1;
  if (hasHeader) pending = pending.slice(1);
  const width = firstRecord.length;
  const dim = width - (idIndex >= 0 ? 1 : 0);
  if (dim < 1) {
    await close();
    throw new FormatError(
      "WRONG_SHAPE",
      file,
      `expected at least one numeric column, got ${width} column(s)`,
    );
  }
  let rows: number | undefined;
  return {
    file,
    format: "csv",
    dim,
    get rows() {
      return rows;
    },
    hasIds: idIndex >= 0,
    close,
    async *chunks() {
      let row = 0;
      let buffer = new Float32Array(rowsPerChunk * dim);
      let ids: string[] = [];
      let filled = 0;
      const flush = (): EmbeddingChunk => {
        const data = filled === rowsPerChunk ? buffer : buffer.slice(0, filled * dim);
        const chunk: EmbeddingChunk = { start: row - filled, count: filled, dim, data };
        if (idIndex >= 0) chunk.ids = ids;
        check(file, data, chunk.start, dim);
        buffer = new Float32Array(rowsPerChunk * dim);
        ids = [];
        filled = 0;
        return chunk;
      };
      try {
        for (let batch: CsvRecord[] | undefined = pending; batch;) {
          for (const { fields, line } of batch) {
            row++;
            if (fields.length !== width) {
              throw new FormatError("RAGGED_ROW", file, `expected ${width} fields, got ${fields.length}`, {
                row,
                line,
              });
            }
            let k = filled * dim;
            for (let c = 0; c < width; c++) {
              if (c === idIndex) {
                ids.push(fields[c]!);
                continue;
              }
              const v = parseNumber(fields[c]!);
              if (v === undefined) {
                throw new FormatError(
                  "NOT_A_NUMBER",
                  file,
                  `expected a number, got ${JSON.stringify(fields[c])}`,
                  { row, line, column: c },
                );
              }
              buffer[k++] = v;
            }
            filled++;
            if (filled === rowsPerChunk) yield flush();
          }
          const next = await batches.next();
          batch = next.done ? undefined : next.value;
        }
        if (filled > 0) yield flush();
        if (row === 0)
          throw new FormatError("EMPTY_FILE", file, "expected embedding rows after the header, got none");
        rows = row;
      } finally {
        await close();
      }
    },
  };
}
