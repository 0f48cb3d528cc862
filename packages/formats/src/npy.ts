// NumPy .npy, format versions 1.0, 2.0 and 3.0: header parser, whole-array reader and writer, and a
// streaming row reader that reads a 2-D (or higher) C-order array by chunks of rows from a file
// descriptor, so a 300 MB embedding matrix never has to sit in memory at once.
// Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { open, readFile, writeFile, type FileHandle } from "node:fs/promises";
import { FormatError, ioError } from "./errors.js";

export type DType =
  | "float32"
  | "float64"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bool";

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A dense C-order array. `data.length` equals the product of `shape`. bool is stored as Uint8Array (0/1). */
export interface NdArray<T extends TypedArray = TypedArray> {
  dtype: DType;
  shape: number[];
  data: T;
}

interface DTypeInfo {
  dtype: DType;
  bytes: number;
  make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

// Keyed by the .npy type code without the byte-order character.
const CODES: Record<string, DTypeInfo> = {
  f4: { dtype: "float32", bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  f8: { dtype: "float64", bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  i1: { dtype: "int8", bytes: 1, make: (b, o, n) => new Int8Array(b, o, n) },
  u1: { dtype: "uint8", bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  b1: { dtype: "bool", bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  i2: { dtype: "int16", bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  u2: { dtype: "uint16", bytes: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  i4: { dtype: "int32", bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  u4: { dtype: "uint32", bytes: 4, make: (b, o, n) => new Uint32Array(b, o, n) },
  i8: { dtype: "int64", bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  u8: { dtype: "uint64", bytes: 8, make: (b, o, n) => new BigUint64Array(b, o, n) },
};

const DESCR_OF: Record<DType, string> = {
  float32: "<f4",
  float64: "<f8",
  int8: "|i1",
  uint8: "|u1",
  bool: "|b1",
  int16: "<i2",
  uint16: "<u2",
  int32: "<i4",
  uint32: "<u4",
  int64: "<i8",
  uint64: "<u8",
};

/** The .npy descr string for a dtype, e.g. "<f4" for float32. */
export function npyDescr(dtype: DType): string {
  return DESCR_OF[dtype];
}

export interface NpyHeader {
  /** Format version, e.g. "1.0". */
  version: string;
  descr: string;
  dtype: DType;
  /** Bytes per element. */
  itemSize: number;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Product of the shape (1 for a 0-d array). */
  size: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses the header at the start of `bytes` (which needs to hold at least the whole header).
 * Returns undefined only when `bytes` is too short to hold the header it announces.
 */
export function parseNpyHeader(bytes: Uint8Array, file = "<buffer>"): NpyHeader | undefined {
  if (bytes.length < 10) {
    if (bytes.length === 0)
      throw new FormatError("EMPTY_FILE", file, "expected an .npy file, got an empty file");
    return undefined;
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i])
      throw new FormatError(
        "BAD_MAGIC",
        file,
        "expected the .npy magic \\x93NUMPY, got other bytes (not an .npy file)",
      );
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return undefined;
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new FormatError(
      "BAD_HEADER",
      file,
      `expected .npy format version 1, 2 or 3, got ${major}.${minor}`,
    );
  }
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) return undefined;
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataOffset),
  );
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new FormatError(
        "UNSUPPORTED_DTYPE",
        file,
        "expected a plain numeric dtype, got a structured dtype (record array)",
      );
    }
    throw new FormatError(
      "BAD_HEADER",
      file,
      `expected a 'descr' entry in the header, got ${JSON.stringify(text.trim())}`,
    );
  }
  if (!fortranMatch || !shapeMatch) {
    throw new FormatError(
      "BAD_HEADER",
      file,
      `expected 'fortran_order' and 'shape' in the header, got ${JSON.stringify(text.trim())}`,
    );
  }
  const descr = descrMatch[2]!;
  const order = descr[0];
  const code = order === "<" || order === ">" || order === "|" || order === "=" ? descr.slice(1) : descr;
  const info = CODES[code];
  if (!info) {
    throw new FormatError(
      "UNSUPPORTED_DTYPE",
      file,
      `expected a numeric dtype (float32, float64, [u]int8..64, bool), got "${descr}"`,
    );
  }
  const shape: number[] = [];
  for (const part of shapeMatch[1]!.split(",")) {
    const p = part.trim();
    if (p === "") continue;
    if (!/^\d+L?$/.test(p))
      throw new FormatError("BAD_HEADER", file, `expected integer dimensions in 'shape', got "${p}"`);
    shape.push(Number.parseInt(p, 10));
  }
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    version: `${major}.${minor}`,
    descr,
    dtype: info.dtype,
    itemSize: info.bytes,
    littleEndian: order !== ">" || info.bytes === 1,
    fortranOrder: fortranMatch[1] === "True",
    shape,
    dataOffset,
    size,
  };
}

function rejectFortran(header: NpyHeader, file: string): void {
  if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
    throw new FormatError(
      "FORTRAN_ORDER",
      file,
      "expected C order (fortran_order: False), got Fortran order; save with np.ascontiguousarray(a) first",
    );
  }
}

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Copies `bytes` into a fresh, aligned buffer and views it as the header's dtype (native little-endian). */
function toTyped(header: NpyHeader, bytes: Uint8Array, count: number): TypedArray {
  const copy = new Uint8Array(count * header.itemSize);
  copy.set(bytes.subarray(0, copy.length));
  if (!header.littleEndian) swapBytes(copy, header.itemSize);
  return CODES[header.descr.replace(/^[<>|=]/, "")]!.make(copy.buffer, 0, count);
}

/** Decodes a whole .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, file = "<buffer>"): NdArray {
  const header = parseNpyHeader(bytes, file);
  if (!header)
    throw new FormatError(
      "TRUNCATED",
      file,
      `expected a complete .npy header, got only ${bytes.length} bytes`,
    );
  rejectFortran(header, file);
  const need = header.size * header.itemSize;
  const have = bytes.length - header.dataOffset;
  if (have < need) {
    throw new FormatError(
      "TRUNCATED",
      file,
      `expected ${need} data bytes for shape (${header.shape.join(", ")}) ${header.dtype}, got ${have}`,
    );
  }
  return {
    dtype: header.dtype,
    shape: header.shape,
    data: toTyped(header, bytes.subarray(header.dataOffset), header.size),
  };
}

/** Reads a whole .npy file. For large 2-D matrices prefer openNpy(...).chunks(). */
export async function readNpy(path: string): Promise<NdArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioError(path, error);
  }
  return parseNpy(bytes, path);
}

function typedFor(dtype: DType, data: TypedArray): void {
  const ok =
    (dtype === "float32" && data instanceof Float32Array) ||
    (dtype === "float64" && data instanceof Float64Array) ||
    (dtype === "int8" && data instanceof Int8Array) ||
    ((dtype === "uint8" || dtype === "bool") && data instanceof Uint8Array) ||
    (dtype === "int16" && data instanceof Int16Array) ||
    (dtype === "uint16" && data instanceof Uint16Array) ||
    (dtype === "int32" && data instanceof Int32Array) ||
    (dtype === "uint32" && data instanceof Uint32Array) ||
    (dtype === "int64" && data instanceof BigInt64Array) ||
    (dtype === "uint64" && data instanceof BigUint64Array);
  if (!ok)
    throw new TypeError(`NdArray: dtype ${dtype} does not match data of type ${data.constructor.name}`);
}

/** Builds the .npy header bytes (format 1.0, or 2.0 when the header does not fit in 64 KiB). */
export function encodeNpyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = prefix === 10 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  const padded = dict.padEnd(total - prefix - 1, " ") + "\n";
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  return out;
}

/** Encodes an array as .npy bytes (little-endian, C order). */
export function encodeNpy(array: NdArray): Uint8Array {
  typedFor(array.dtype, array.data);
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (size !== array.data.length) {
    throw new RangeError(
      `encodeNpy: expected data.length = product of shape (${array.shape.join("×")} = ${size}), got ${array.data.length}`,
    );
  }
  const header = encodeNpyHeader(array.dtype, array.shape);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

export async function writeNpy(path: string, array: NdArray): Promise<void> {
  await writeFile(path, encodeNpy(array));
}

/** A chunk of consecutive rows of a ≥1-D array. `data` holds count × rowLength elements. */
export interface NpyChunk<T extends TypedArray = TypedArray> {
  /** 0-based index of the first row in the chunk. */
  start: number;
  count: number;
  data: T;
}

export interface NpyFile {
  readonly file: string;
  readonly header: NpyHeader;
  /** shape[0]. */
  readonly rows: number;
  /** Elements per row: product of shape[1..]. */
  readonly rowLength: number;
  /** Reads rows [start, start + count). */
  readRows(start: number, count: number): Promise<TypedArray>;
  /** Reads every row in chunks of `rowsPerChunk` (default: about 8 MiB per chunk). */
  chunks(rowsPerChunk?: number): AsyncGenerator<NpyChunk>;
  close(): Promise<void>;
}

const DEFAULT_CHUNK_BYTES = 8 << 20; // 8 MiB

/** Opens an .npy file for streaming reads by rows. Validates the header and the file length up front. */
export async function openNpy(path: string): Promise<NpyFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (error) {
    throw ioError(path, error);
  }
  try {
    const { size: fileSize } = await fh.stat();
    if (fileSize === 0) throw new FormatError("EMPTY_FILE", path, "expected an .npy file, got an empty file");
    let probe = new Uint8Array(Math.min(fileSize, 4096));
    await readFully(fh, probe, 0, path);
    let header = parseNpyHeader(probe, path);
    if (!header && probe.length < fileSize) {
      probe = new Uint8Array(Math.min(fileSize, 16 << 20));
      await readFully(fh, probe, 0, path);
      header = parseNpyHeader(probe, path);
    }
    if (!header)
      throw new FormatError(
        "TRUNCATED",
        path,
        `expected a complete .npy header, got a ${fileSize}-byte file`,
      );
    rejectFortran(header, path);
    if (header.shape.length === 0)
      throw new FormatError("WRONG_SHAPE", path, "expected an array with rows, got a 0-d scalar");
    const h = header;
    const rows = h.shape[0]!;
    const rowLength = h.shape.slice(1).reduce((a, b) => a * b, 1);
    const rowBytes = rowLength * h.itemSize;
    const expected = h.dataOffset + h.size * h.itemSize;
    if (fileSize < expected) {
      throw new FormatError(
        "TRUNCATED",
        path,
        `expected ${expected} bytes for shape (${h.shape.join(", ")}) ${h.dtype}, got ${fileSize} (about ${Math.floor((fileSize - h.dataOffset) / Math.max(1, rowBytes))} complete rows)`,
      );
    }
    const readRows = async (start: number, count: number): Promise<TypedArray> => {
      if (start < 0 || count < 0 || start + count > rows) {
        throw new RangeError(`readRows: expected rows within [0, ${rows}), got [${start}, ${start + count})`);
      }
      const bytes = new Uint8Array(count * rowBytes);
      await readFully(fh, bytes, h.dataOffset + start * rowBytes, path);
      if (!h.littleEndian) swapBytes(bytes, h.itemSize);
      return CODES[h.descr.replace(/^[<>|=]/, "")]!.make(bytes.buffer, 0, count * rowLength);
    };
    return {
      file: path,
      header: h,
      rows,
      rowLength,
      readRows,
      async *chunks(rowsPerChunk = Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / Math.max(1, rowBytes)))) {
        if (!(rowsPerChunk >= 1))
          throw new RangeError(`chunks: expected rowsPerChunk ≥ 1, got ${rowsPerChunk}`);
        for (let start = 0; start < rows; start += rowsPerChunk) {
          const count = Math.min(rowsPerChunk, rows - start);
          yield { start, count, data: await readRows(start, count) };
        }
      },
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close();
    throw error;
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(into, done, into.length - done, position + done));
    } catch (error) {
      throw ioError(file, error);
    }
    if (bytesRead === 0)
      throw new FormatError(
        "TRUNCATED",
        file,
        `expected ${into.length} bytes at offset ${position}, got ${done}`,
      );
    done += bytesRead;
  }
}
