// One error type for every reader and writer in this package. It names the file, the row (1-based
// data row: the header line of a CSV is not a row) and, where it helps, the physical line and column,
// so that a person can open the file and find the problem.

export type FormatErrorCode =
  | "FILE_NOT_FOUND"
  | "IO_ERROR"
  | "EMPTY_FILE"
  | "UNSUPPORTED_FORMAT"
  | "BAD_MAGIC"
  | "BAD_HEADER"
  | "UNSUPPORTED_DTYPE"
  | "WRONG_DTYPE"
  | "WRONG_SHAPE"
  | "FORTRAN_ORDER"
  | "TRUNCATED"
  | "BAD_ZIP"
  | "MISSING_ENTRY"
  | "DUPLICATE_COLUMN"
  | "EMPTY_COLUMN_NAME"
  | "RAGGED_ROW"
  | "BAD_CSV"
  | "BAD_JSON"
  | "NOT_AN_OBJECT"
  | "NOT_A_NUMBER"
  | "NON_FINITE"
  | "BAD_PARQUET";

export interface FormatErrorDetails {
  /** 1-based data row (the CSV header is not counted; an .npy row i is row i + 1). */
  row?: number;
  /** 1-based physical line in a text file, when it differs from the row. */
  line?: number;
  /** Column name or 0-based column index. */
  column?: string | number;
  cause?: unknown;
}

export class FormatError extends Error {
  override readonly name = "FormatError";
  readonly code: FormatErrorCode;
  readonly file: string;
  readonly row: number | undefined;
  readonly line: number | undefined;
  readonly column: string | number | undefined;
  /** What is wrong, without the location prefix. */
  readonly problem: string;

  constructor(code: FormatErrorCode, file: string, problem: string, details: FormatErrorDetails = {}) {
    super(
      `${formatLocation(file, details)}: ${problem}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.file = file;
    this.row = details.row;
    this.line = details.line;
    this.column = details.column;
    this.problem = problem;
  }
}

function formatLocation(file: string, d: FormatErrorDetails): string {
  let where = file;
  if (d.row !== undefined) where += `: row ${d.row}`;
  if (d.line !== undefined && d.line !== d.row)
    where += d.row !== undefined ? ` (line ${d.line})` : `: line ${d.line}`;
  if (d.column !== undefined)
    where += typeof d.column === "number" ? `, column ${d.column}` : `, column "${d.column}"`;
  return where;
}

/** Turns a Node fs error into a FormatError naming the file. */
export function ioError(file: string, error: unknown): FormatError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return new FormatError("FILE_NOT_FOUND", file, "file not found", { cause: error });
  if (code === "EISDIR")
    return new FormatError("IO_ERROR", file, "expected a file, got a directory", { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new FormatError("IO_ERROR", file, `cannot read: ${message}`, { cause: error });
}
