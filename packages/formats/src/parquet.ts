// Parquet embeddings through hyparquet, read one row group at a time (memory stays bounded by the
// row-group size). Two layouts: one list<float|double> column (any name; "embedding"/"vector" preferred
// when there are several), or one float/double column per dimension. An "id" column, when present, is
// returned with each chunk.
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type FileMetaData,
  type SchemaTree,
} from "hyparquet";
import { FormatError, ioError } from "./errors.js";
import type { EmbeddingChunk, EmbeddingReader } from "./embeddings.js";

const FLOATS = new Set(["FLOAT", "DOUBLE"]);

function leafOfList(node: SchemaTree): SchemaTree | undefined {
  // Standard 3-level list: <name> (LIST) → list (repeated) → element; also tolerate 2-level lists.
  let n: SchemaTree = node;
  while (n.children.length === 1) n = n.children[0]!;
  return n.children.length === 0 && n !== node ? n : undefined;
}

export async function openParquetEmbeddings(
  file: string,
  rowsPerChunk: number,
  check: (file: string, data: Float32Array, start: number, dim: number) => void,
): Promise<EmbeddingReader> {
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (error) {
    throw ioError(file, error);
  }
  if (buffer.byteLength === 0)
    throw new FormatError("EMPTY_FILE", file, "expected a Parquet file, got an empty file");
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new FormatError(
      "BAD_PARQUET",
      file,
      `expected a Parquet file, got unreadable data (${(error as Error).message})`,
      { cause: error },
    );
  }
  const root = parquetSchema(metadata);
  const idNode = root.children.find((c) => c.element.name.toLowerCase() === "id" && c.children.length === 0);
  const lists = root.children.filter((c) => c.children.length > 0);
  const scalars = root.children.filter((c) => c.children.length === 0 && c !== idNode);
  let mode: "list" | "columns";
  let columns: string[];
  if (lists.length > 0) {
    const preferred =
      lists.find((c) => /^(embedding|embeddings|vector|vectors|features)$/i.test(c.element.name)) ??
      lists[0]!;
    if (
      lists.length > 1 &&
      !/^(embedding|embeddings|vector|vectors|features)$/i.test(preferred.element.name)
    ) {
      throw new FormatError(
        "WRONG_SHAPE",
        file,
        `expected one list column of floats (or one named "embedding"), got ${lists.length}: ${lists.map((c) => c.element.name).join(", ")}`,
      );
    }
    const leaf = leafOfList(preferred);
    if (!leaf || !FLOATS.has(leaf.element.type ?? "")) {
      throw new FormatError(
        "WRONG_DTYPE",
        file,
        `expected column "${preferred.element.name}" to be a list of float or double, got a list of ${leaf?.element.type ?? "nested values"}`,
        { column: preferred.element.name },
      );
    }
    mode = "list";
    columns = [preferred.element.name];
  } else {
    const bad = scalars.find((c) => !FLOATS.has(c.element.type ?? ""));
    if (bad) {
      throw new FormatError(
        "WRONG_DTYPE",
        file,
        `expected float or double columns (one per dimension), got ${bad.element.type ?? "?"}`,
        { column: bad.element.name },
      );
    }
    if (scalars.length === 0)
      throw new FormatError("WRONG_SHAPE", file, "expected embedding columns, got none");
    mode = "columns";
    columns = scalars.map((c) => c.element.name);
  }
  const total = Number(metadata.num_rows);
  if (total === 0) throw new FormatError("EMPTY_FILE", file, "expected at least one row, got none");
  const readColumns = idNode ? [...columns, idNode.element.name] : columns;

  const readRange = (rowStart: number, rowEnd: number): Promise<unknown[][]> =>
    new Promise((resolve, reject) => {
      parquetRead({
        file: buffer,
        metadata,
        columns: readColumns,
        rowStart,
        rowEnd,
        onComplete: (rows) => resolve(rows),
      }).catch((error: unknown) =>
        reject(
          new FormatError(
            "BAD_PARQUET",
            file,
            `cannot decode rows ${rowStart + 1}..${rowEnd}: ${(error as Error).message}`,
            { cause: error },
          ),
        ),
      );
    });

  let dim: number;
  if (mode === "columns") {
    dim = columns.length;
  } else {
    const [firstRow] = await readRange(0, 1);
    const v = firstRow?.[0] as ArrayLike<number> | null | undefined;
    if (!v || typeof v.length !== "number")
      throw new FormatError("NOT_A_NUMBER", file, "expected a list of numbers, got null", {
        row: 1,
        column: columns[0],
      });
    dim = v.length;
    if (dim === 0)
      throw new FormatError("WRONG_SHAPE", file, "expected a non-empty vector, got an empty list", {
        row: 1,
        column: columns[0],
      });
  }

  const groupBounds: Array<[number, number]> = [];
  let at = 0;
  for (const g of metadata.row_groups) {
    const n = Number(g.num_rows);
    if (n > 0) groupBounds.push([at, at + n]);
    at += n;
  }

  return {
    file,
    format: "parquet",
    dim,
    rows: total,
    hasIds: idNode !== undefined,
    close: async () => {},
    async *chunks() {
      for (const [gStart, gEnd] of groupBounds) {
        const rows = await readRange(gStart, gEnd);
        for (let off = 0; off < rows.length; off += rowsPerChunk) {
          const count = Math.min(rowsPerChunk, rows.length - off);
          const start = gStart + off;
          const data = new Float32Array(count * dim);
          const ids: string[] | undefined = idNode ? [] : undefined;
          for (let r = 0; r < count; r++) {
            const values = rows[off + r]!;
            const row = start + r + 1;
            if (mode === "list") {
              const v = values[0] as ArrayLike<number> | null;
              if (!v || typeof v.length !== "number")
                throw new FormatError("NOT_A_NUMBER", file, "expected a list of numbers, got null", {
                  row,
                  column: columns[0],
                });
              if (v.length !== dim)
                throw new FormatError(
                  "RAGGED_ROW",
                  file,
                  `expected ${dim} values (as in row 1), got ${v.length}`,
                  { row, column: columns[0] },
                );
              for (let d = 0; d < dim; d++) {
                const x = v[d];
                if (typeof x !== "number")
                  throw new FormatError(
                    "NOT_A_NUMBER",
                    file,
                    `expected a number at position ${d}, got ${x === null ? "null" : typeof x}`,
                    { row, column: columns[0] },
                  );
                data[r * dim + d] = x;
              }
            } else {
              for (let d = 0; d < dim; d++) {
                const x = values[d];
                if (typeof x !== "number")
                  throw new FormatError(
                    "NOT_A_NUMBER",
                    file,
                    `expected a number, got ${x === null ? "null" : typeof x}`,
                    { row, column: columns[d] },
                  );
                data[r * dim + d] = x;
              }
            }
            if (ids) ids.push(String(values[readColumns.length - 1]));
          }
          check(file, data, start, dim);
          const chunk: EmbeddingChunk = { start, count, dim, data };
          if (ids) chunk.ids = ids;
          yield chunk;
        }
      }
    },
  };
}
