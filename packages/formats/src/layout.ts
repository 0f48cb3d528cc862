// The map's wire format: an analysis's 2-D layout (GET /analyses/:id/layout) and one metadata column
// over the same points (GET /analyses/:id/layout/columns/:name), as binary frames instead of base64
// inside JSON, so a million points download in ~11 MB and decode without copying strings.
//
// The server encodes and the web app decodes with these same functions (one codec, one place). Pure:
// no Node APIs, so the browser bundle can import it (`@stratum/formats/layout`).
//
// A frame: magic (4 ASCII bytes) · u32 LE header length · UTF-8 JSON header · zero padding to 4 bytes ·
// little-endian typed arrays, each starting at a multiple of its element size.
//
// Layout frame "STL1", per point 11 bytes (12 with more than 254 sites):
//   sampleId u32 · x u16 · y u16 · group u16 (index into header.groups) · site u8|u16 (index into
//   header.sites; all ones = no site).
// x and y are quantised to 65,536 steps over header.bounds: the error is at most 1/131,070 of the
// layout's extent, far below a pixel on any screen (the map draws, it does not measure). Labels, external
// IDs and metadata are not in the frame: a label is its group's, the rest is fetched per point or per
// column when the user asks for it.
//
// Column frame "STC1": either a category (header.values, u16 codes, 0xffff = missing; at most 65,534
// distinct values, the rarest beyond that folded into one "other" value) or numbers (f32, NaN = missing).

export const LAYOUT_CONTENT_TYPE = "application/vnd.stratum.layout";
export const LAYOUT_COLUMN_CONTENT_TYPE = "application/vnd.stratum.layout-column";

const LAYOUT_MAGIC = "STL1";
const COLUMN_MAGIC = "STC1";
const Q = 65_535;
const NO_SITE_U8 = 0xff;
const NO_SITE_U16 = 0xffff;
export const MISSING_CODE = 0xffff;
/** Distinct values a category column carries; rarer ones become OTHER_VALUE. */
export const MAX_CATEGORY_VALUES = 65_534;
export const OTHER_VALUE = "(other)";

export interface LayoutGroup {
  /** Global ID of the ConfounderGroup. */
  id: string;
  label: string;
  index: number;
  isNoise: boolean;
  name: string;
  size: number;
}

export interface LayoutHeader {
  analysisId: string;
  count: number;
  /** GraphQL type of sampleIds: global ID = base64url(`${sampleIdType}:${id}`). */
  sampleIdType: string;
  groups: LayoutGroup[];
  sites: string[];
  /** Metadata columns present on the points, for GET …/layout/columns/:name. */
  columns: string[];
  /** [minX, minY, maxX, maxY] of the quantisation. */
  bounds: [number, number, number, number];
}

export interface LayoutPoints {
  sampleIds: Uint32Array;
  x: Float32Array;
  y: Float32Array;
  /** Index into header.groups. */
  group: Uint16Array;
  /** Index into header.sites, −1 for none. */
  site: Int32Array;
}

export type ColumnHeader =
  | { column: string; count: number; kind: "category"; values: string[] }
  | { column: string; count: number; kind: "number" };

export type DecodedColumn =
  | { column: string; kind: "category"; values: string[]; codes: Uint16Array }
  | { column: string; kind: "number"; numbers: Float32Array };

export class LayoutFormatError extends Error {
  override name = "LayoutFormatError";
}

const pad4 = (n: number) => (n + 3) & ~3;

function frame(magic: string, header: unknown, arrays: ArrayBufferView[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  let size = pad4(8 + json.length);
  const offsets: number[] = [];
  for (const a of arrays) {
    const align = (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    size = Math.ceil(size / align) * align;
    offsets.push(size);
    size += a.byteLength;
  }
  const out = new Uint8Array(size);
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]));
  return out;
}

/** The header and a cursor over the arrays that follow it; checks magic and lengths. */
function open<H>(bytes: Uint8Array, magic: string): { header: H; take: <T>(make: (buf: ArrayBuffer, at: number, n: number) => T, n: number, size: number, field: string) => T } {
  if (bytes.byteLength < 8) throw new LayoutFormatError(`${magic}: ${bytes.byteLength} bytes is too short for a frame`);
  const got = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (got !== magic) throw new LayoutFormatError(`expected a ${magic} frame, got "${got}"`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.byteLength) throw new LayoutFormatError(`${magic}: header of ${length} bytes runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as H;
  // Typed arrays need aligned offsets in their buffer: work on an aligned copy when the view is not.
  const own = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  let at = pad4(8 + length);
  const take = <T>(make: (buf: ArrayBuffer, at: number, n: number) => T, n: number, size: number, field: string): T => {
    at = Math.ceil(at / size) * size;
    if (at + n * size > own.byteLength) throw new LayoutFormatError(`${magic}: ${field} needs ${n * size} bytes at ${at}, the frame has ${own.byteLength}`);
    const v = make(own.buffer as ArrayBuffer, own.byteOffset + at, n);
    at += n * size;
    return v;
  };
  return { header, take };
}

/** Encodes a layout; points in the order the caller wants them drawn (the server: group, then sample). */
export function encodeLayout(header: Omit<LayoutHeader, "count" | "bounds">, points: LayoutPoints): Uint8Array {
  const n = points.sampleIds.length;
  if (points.x.length !== n || points.y.length !== n || points.group.length !== n || points.site.length !== n) {
    throw new LayoutFormatError(`layout: every array must hold ${n} points`);
  }
  if (header.groups.length > 0xffff) throw new LayoutFormatError(`layout: ${header.groups.length} groups do not fit a u16 index`);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points.x[i]!, y = points.y[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (n === 0) minX = minY = maxX = maxY = 0;
  const qx = new Uint16Array(n), qy = new Uint16Array(n);
  const sx = maxX > minX ? Q / (maxX - minX) : 0, sy = maxY > minY ? Q / (maxY - minY) : 0;
  for (let i = 0; i < n; i++) {
    qx[i] = Math.round((points.x[i]! - minX) * sx);
    qy[i] = Math.round((points.y[i]! - minY) * sy);
  }
  const wide = header.sites.length >= NO_SITE_U8;
  const site = wide ? new Uint16Array(n) : new Uint8Array(n);
  const none = wide ? NO_SITE_U16 : NO_SITE_U8;
  for (let i = 0; i < n; i++) site[i] = points.site[i]! < 0 ? none : points.site[i]!;
  const full: LayoutHeader = { ...header, count: n, bounds: [minX, minY, maxX, maxY] };
  return frame(LAYOUT_MAGIC, full, [points.sampleIds, qx, qy, points.group, site]);
}

export function decodeLayoutFrame(bytes: Uint8Array): { header: LayoutHeader; points: LayoutPoints } {
  const { header, take } = open<LayoutHeader>(bytes, LAYOUT_MAGIC);
  const n = header.count;
  const sampleIds = take((b, at, k) => new Uint32Array(b, at, k), n, 4, "sampleIds");
  const qx = take((b, at, k) => new Uint16Array(b, at, k), n, 2, "x");
  const qy = take((b, at, k) => new Uint16Array(b, at, k), n, 2, "y");
  const group = take((b, at, k) => new Uint16Array(b, at, k), n, 2, "group");
  const wide = header.sites.length >= NO_SITE_U8;
  const rawSite = wide ? take((b, at, k) => new Uint16Array(b, at, k), n, 2, "site") : take((b, at, k) => new Uint8Array(b, at, k), n, 1, "site");
  const [minX, minY, maxX, maxY] = header.bounds;
  const x = new Float32Array(n), y = new Float32Array(n), site = new Int32Array(n);
  const dx = (maxX - minX) / Q, dy = (maxY - minY) / Q;
  const none = wide ? NO_SITE_U16 : NO_SITE_U8;
  for (let i = 0; i < n; i++) {
    x[i] = minX + qx[i]! * dx;
    y[i] = minY + qy[i]! * dy;
    if (group[i]! >= header.groups.length) throw new LayoutFormatError(`layout: point ${i} has group index ${group[i]}, expected 0…${header.groups.length - 1}`);
    const s = rawSite[i]!;
    if (s !== none && s >= header.sites.length) throw new LayoutFormatError(`layout: point ${i} has site index ${s}, expected 0…${header.sites.length - 1}`);
    site[i] = s === none ? -1 : s;
  }
  return { header, points: { sampleIds, x, y, group, site } };
}

/**
 * Encodes one metadata column over the layout's points (values[i] for point i). Numeric when at least
 * 90 % of the values are finite numbers (or numeric strings) with more than 12 distinct, so the map can
 * bin it; otherwise a category.
 */
export function encodeLayoutColumn(column: string, values: ReadonlyArray<unknown>): Uint8Array {
  const n = values.length;
  const nums = new Float32Array(n);
  let finite = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    nums[i] = Number.isFinite(x) ? x : NaN;
    if (Number.isFinite(x)) {
      finite++;
      if (distinct.size <= 12) distinct.add(x);
    }
  }
  if (n > 0 && finite >= 0.9 * n && distinct.size > 12) {
    return frame(COLUMN_MAGIC, { column, count: n, kind: "number" } satisfies ColumnHeader, [nums]);
  }
  const text = (v: unknown) => (v === null || v === undefined || v === "" ? null : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
  const counts = new Map<string, number>();
  for (const v of values) {
    const t = text(v);
    if (t !== null) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let kept = [...counts.keys()];
  if (kept.length > MAX_CATEGORY_VALUES) {
    kept = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_CATEGORY_VALUES - 1).map(([v]) => v);
    kept.push(OTHER_VALUE);
  }
  const index = new Map(kept.map((v, i) => [v, i]));
  const other = index.get(OTHER_VALUE) ?? MISSING_CODE;
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const t = text(values[i]);
    codes[i] = t === null ? MISSING_CODE : (index.get(t) ?? other);
  }
  return frame(COLUMN_MAGIC, { column, count: n, kind: "category", values: kept } satisfies ColumnHeader, [codes]);
}

/** A numeric column as is (scores: the map bins them whatever their count of distinct values). NaN = missing. */
export function encodeNumberColumn(column: string, numbers: Float32Array): Uint8Array {
  return frame(COLUMN_MAGIC, { column, count: numbers.length, kind: "number" } satisfies ColumnHeader, [numbers]);
}

export function decodeLayoutColumn(bytes: Uint8Array): DecodedColumn {
  const { header, take } = open<ColumnHeader>(bytes, COLUMN_MAGIC);
  if (header.kind === "number") {
    return { column: header.column, kind: "number", numbers: take((b, at, k) => new Float32Array(b, at, k), header.count, 4, "numbers") };
  }
  const codes = take((b, at, k) => new Uint16Array(b, at, k), header.count, 2, "codes");
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] !== MISSING_CODE && codes[i]! >= header.values.length) throw new LayoutFormatError(`column ${header.column}: point ${i} has code ${codes[i]}, expected 0…${header.values.length - 1}`);
  }
  return { column: header.column, kind: "category", values: header.values, codes };
}
