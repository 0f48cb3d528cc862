// Encoder for PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
// "Binary Format"): a signature, then tuples of length-prefixed fields, then a trailer. Vectors go in
// as their raw float32 bytes: no hex, no text parsing on either side.
// Only the field types the importer needs: int4, text, bytea, jsonb and NULL.

/** Signature "PGCOPY\n\377\r\n\0", flags (int32 0) and header-extension length (int32 0). */
export const COPY_BINARY_HEADER: Uint8Array = Uint8Array.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** int16 -1: end of data. */
export const COPY_BINARY_TRAILER: Uint8Array = Uint8Array.from([0xff, 0xff]);

/** Appends tuples to a growing buffer; take() hands the bytes over and starts a fresh buffer. */
export class CopyBinaryWriter {
  private buf: Buffer;
  private len = 0;
  /** Tuples written since the last take(). */
  rows = 0;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get byteLength(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Starts a tuple of `fields` fields. */
  row(fields: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(fields, this.len);
    this.len += 2;
    this.rows++;
    return this;
  }

  null(): this {
    this.ensure(4);
    this.buf.writeInt32BE(-1, this.len);
    this.len += 4;
    return this;
  }

  int4(value: number): this {
    this.ensure(8);
    this.buf.writeInt32BE(4, this.len);
    this.buf.writeInt32BE(value, this.len + 4);
    this.len += 8;
    return this;
  }

  text(value: string | null | undefined): this {
    if (value === null || value === undefined) return this.null();
    const n = Buffer.byteLength(value, "utf8");
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.len);
    this.buf.write(value, this.len + 4, n, "utf8");
    this.len += 4 + n;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(4 + value.length);
    this.buf.writeInt32BE(value.length, this.len);
    this.buf.set(value, this.len + 4);
    this.len += 4 + value.length;
    return this;
  }

  /** jsonb in binary form: a version byte (1) then the JSON text. */
  jsonb(json: string): this {
    const n = Buffer.byteLength(json, "utf8");
    this.ensure(5 + n);
    this.buf.writeInt32BE(n + 1, this.len);
    this.buf[this.len + 4] = 1;
    this.buf.write(json, this.len + 5, n, "utf8");
    this.len += 5 + n;
    return this;
  }

  /** The tuple bytes written since the last take() (no header or trailer); the writer starts afresh. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(Math.max(this.initialBytes, this.len));
    this.len = 0;
    this.rows = 0;
    return out;
  }
}
