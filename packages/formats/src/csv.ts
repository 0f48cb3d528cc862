// A streaming RFC 4180 CSV parser: quoted fields (with "" escapes and line breaks inside), LF, CRLF or
// CR line ends, blank lines skipped, and the 1-based line where each record starts, which csv-parse
// only gives at a high cost per record. Text in, records out; the caller decodes bytes (TextDecoder,
// which also drops a UTF-8 BOM) and reads the file.
import { createReadStream } from "node:fs";
import { FormatError, ioError } from "./errors.js";

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

export class CsvParser {
  private leftover = "";
  private line = 1;
  private skipLF = false;
  private readonly delimiter: number;

  constructor(
    private readonly file: string,
    delimiter = ",",
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
      throw new RangeError(
        `CsvParser: expected a one-character delimiter other than a quote or line break, got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Parses the complete records in `text` (plus what was left from the previous call). */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.parse(text, false, out);
    return out;
  }

  /** Parses what is left at the end of the input. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.parse("", true, out);
    return out;
  }

  private parse(text: string, final: boolean, out: CsvRecord[]): void {
    let buf = this.leftover.length > 0 ? this.leftover + text : text;
    if (this.skipLF && buf.length > 0) {
      if (buf.charCodeAt(0) === LF) buf = buf.slice(1);
      this.skipLF = false;
    }
    const len = buf.length;
    const delim = this.delimiter;
    let i = 0;
    outer: while (i < len) {
      const c = buf.charCodeAt(i);
      if (c === LF) {
        this.line++;
        i++;
        continue;
      }
      if (c === CR) {
        this.line++;
        i++;
        if (i < len) {
          if (buf.charCodeAt(i) === LF) i++;
        } else {
          this.skipLF = true;
        }
        continue;
      }
      const fields: string[] = [];
      let j = i;
      let newlines = 0;
      for (;;) {
        if (j >= len) {
          if (!final) break outer; // the record may go on in the next chunk
          fields.push(""); // a delimiter right before the end of the input
          break;
        }
        if (buf.charCodeAt(j) === QUOTE) {
          let value = "";
          let seg = j + 1;
          let k = seg;
          for (;;) {
            const q = buf.indexOf('"', k);
            if (q < 0 || (q + 1 >= len && !final)) {
              if (!final) break outer;
              throw new FormatError(
                "BAD_CSV",
                this.file,
                "expected a closing quote, got the end of the file",
                { line: this.line + newlines },
              );
            }
            if (buf.charCodeAt(q + 1) === QUOTE) {
              value += buf.slice(seg, q + 1);
              k = seg = q + 2;
              continue;
            }
            value += buf.slice(seg, q);
            j = q + 1;
            break;
          }
          for (let p = value.indexOf("\n"); p >= 0; p = value.indexOf("\n", p + 1)) newlines++;
          fields.push(value);
          if (j >= len) {
            if (!final) break outer;
            break;
          }
          const after = buf.charCodeAt(j);
          if (after === delim) {
            j++;
            continue;
          }
          if (after === LF || after === CR) break;
          throw new FormatError(
            "BAD_CSV",
            this.file,
            `expected a delimiter or a line end after a closing quote, got ${JSON.stringify(buf[j])}`,
            {
              line: this.line + newlines,
            },
          );
        }
        let k = j;
        let ch = 0;
        while (k < len) {
          ch = buf.charCodeAt(k);
          if (ch === delim || ch === LF || ch === CR) break;
          k++;
        }
        if (k >= len && !final) break outer;
        fields.push(buf.slice(j, k));
        j = k;
        if (k < len && ch === delim) {
          j++;
          continue;
        }
        break;
      }
      // j is at the line end (or the end of the input): consume it.
      if (j < len) {
        if (buf.charCodeAt(j) === CR) {
          j++;
          if (j < len) {
            if (buf.charCodeAt(j) === LF) j++;
          } else {
            this.skipLF = true;
          }
        } else {
          j++;
        }
      }
      out.push({ fields, line: this.line });
      this.line += 1 + newlines;
      i = j;
    }
    this.leftover = i < len ? buf.slice(i) : "";
  }
}

/** Streams the records of a CSV file, a batch per chunk read. */
export async function* readCsvRecords(
  file: string,
  delimiter = ",",
  highWaterMark = 1 << 20,
): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser(file, delimiter);
  const decoder = new TextDecoder("utf-8");
  const stream = createReadStream(file, { highWaterMark });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const records = parser.push(decoder.decode(chunk, { stream: true }));
      if (records.length > 0) yield records;
    }
  } catch (error) {
    throw error instanceof FormatError ? error : ioError(file, error);
  } finally {
    stream.destroy();
  }
  const tail = parser.push(decoder.decode());
  const last = parser.end();
  if (tail.length + last.length > 0) yield [...tail, ...last];
}

/**
 * Opens a CSV file for streaming and reads its first batch, so callers can look at the header before
 * going on. An empty file is a FormatError saying `expected`; the stream is closed on any error.
 */
export async function openCsvRecords(
  file: string,
  delimiter: string,
  expected: string,
): Promise<{ first: CsvRecord[]; batches: AsyncGenerator<CsvRecord[]>; close: () => Promise<void> }> {
  const batches = readCsvRecords(file, delimiter);
  const close = async () => {
    await batches.return(undefined);
  };
  try {
    const first = await batches.next();
    if (first.done || first.value.length === 0) throw new FormatError("EMPTY_FILE", file, `expected ${expected}, got no content`);
    return { first: first.value, batches, close };
  } catch (error) {
    await close();
    throw error;
  }
}
