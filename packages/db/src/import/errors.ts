// ImportError: everything that is wrong with an import's input, named by file, row and problem.
// Thrown before anything is written, or inside the import's transaction (which then rolls back).
import { FormatError, type FormatErrorCode } from "@stratum/formats";

export type ImportErrorCode =
  | FormatErrorCode
  | "BAD_INPUT"
  | "NOT_FOUND"
  | "MISSING_COLUMN"
  | "MISSING_ID"
  | "MISSING_VALUE"
  | "BAD_VALUE"
  | "URI_NOT_ALLOWED"
  | "UNKNOWN_SITE"
  | "DUPLICATE_ID"
  | "ROW_COUNT_MISMATCH"
  | "ID_MISMATCH"
  | "DIM_MISMATCH";

export interface ImportErrorDetails {
  file?: string;
  row?: number;
  line?: number;
  column?: string | number;
  cause?: unknown;
}

export class ImportError extends Error {
  override readonly name = "ImportError";
  readonly code: ImportErrorCode;
  readonly file: string | undefined;
  /** 1-based data row (the CSV header is not a row). */
  readonly row: number | undefined;
  readonly line: number | undefined;
  readonly column: string | number | undefined;
  /** What is wrong, without the location. */
  readonly problem: string;

  constructor(code: ImportErrorCode, problem: string, details: ImportErrorDetails = {}) {
    super(
      `${location(details)}${problem}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.file = details.file;
    this.row = details.row;
    this.line = details.line;
    this.column = details.column;
    this.problem = problem;
  }

  static fromFormatError(error: FormatError): ImportError {
    return new ImportError(error.code, error.problem, {
      file: error.file,
      row: error.row,
      line: error.line,
      column: error.column,
      cause: error,
    });
  }
}

function location(d: ImportErrorDetails): string {
  if (d.file === undefined) return "";
  let where = d.file;
  if (d.row !== undefined) where += `: row ${d.row}`;
  if (d.line !== undefined && d.line !== d.row)
    where += d.row !== undefined ? ` (line ${d.line})` : `: line ${d.line}`;
  if (d.column !== undefined)
    where += typeof d.column === "number" ? `, column ${d.column}` : `, column "${d.column}"`;
  return `${where}: `;
}

/** Re-throws FormatErrors as ImportErrors; anything else unchanged. */
export function asImportError(error: unknown): unknown {
  return error instanceof FormatError ? ImportError.fromFormatError(error) : error;
}
