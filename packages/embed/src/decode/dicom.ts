// DICOM → DecodedImage + sample metadata.
//
// Parsing and metadata: dicom-parser (cornerstone). Pixel data: read directly for the uncompressed
// transfer syntaxes (implicit/explicit little endian, explicit big endian, deflated); decompressed by
// daikon for JPEG baseline/extended, JPEG lossless, JPEG-LS, JPEG 2000 and RLE. Any other transfer
// syntax is a per-sample UNSUPPORTED_TRANSFER_SYNTAX failure.
//
// Pixel interpretation (PS3.3 C.7.6.3, C.11.1, C.11.2): stored value (sign-extended from BitsStored)
// → modality value (RescaleSlope × v + RescaleIntercept) → VOI window (first WindowCenter/Width, LINEAR
// or SIGMOID; without a window, the frame's min..max) → 0..255 → MONOCHROME1 inverted. Multi-frame:
// the middle frame, floor(frames / 2).
import { inflateRawSync } from "node:zlib";
import dicomParser, { type DataSet } from "dicom-parser";
import { createRequire } from "node:module";
import type daikonModule from "daikon";
import { SampleError } from "../errors.js";
import type { DecodedImage, SampleMetadata } from "../image.js";

export const UNCOMPRESSED_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2": "Implicit VR Little Endian",
  "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
};
export const COMPRESSED_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
  "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless (Process 14)",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless SV1",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};
const KNOWN_UNSUPPORTED: Record<string, string> = {
  "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile",
  "1.2.840.10008.1.2.4.101": "MPEG2 High Profile",
  "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264",
  "1.2.840.10008.1.2.4.103": "MPEG-4 AVC/H.264 BD",
  "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main",
  "1.2.840.10008.1.2.4.108": "HEVC/H.265 Main 10",
  "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
  "1.2.840.10008.1.2.4.112": "JPEG XL",
  "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Lossless",
  "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Lossless",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
};

export interface DicomDecodeResult {
  image: DecodedImage;
  metadata: SampleMetadata;
  transferSyntax: string;
  frames: number;
  frameIndex: number;
}

/** True when the bytes carry the DICOM Part 10 preamble ("DICM" at offset 128). */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length > 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function parse(bytes: Uint8Array): DataSet {
  try {
    return dicomParser.parseDicom(bytes, {
      inflater: (arr: Uint8Array, position: number) => {
        const inflated = inflateRawSync(arr.subarray(position));
        const full = new Uint8Array(position + inflated.length);
        full.set(arr.subarray(0, position), 0);
        full.set(inflated, position);
        return full;
      },
    } as dicomParser.ParseDicomOptions);
  } catch (error) {
    const e = error as { exception?: unknown; message?: unknown };
    const msg = typeof error === "string" ? error : typeof e?.exception === "string" ? e.exception : String(e?.message ?? error);
    throw new SampleError("DECODE_FAILED", `not a readable DICOM file: ${msg}`);
  }
}

function str(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return undefined;
  const v = ds.string(tag);
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}
function num(ds: DataSet, tag: string, index = 0): number | undefined {
  const s = str(ds, tag);
  if (s === undefined) return undefined;
  const part = s.split("\\")[index];
  if (part === undefined || part.trim() === "") return undefined;
  const n = Number(part.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** "045Y" → "40-49"; days, weeks and months → "0-9"; ≥ 90 years → "90+" (HIPAA safe harbour). */
export function ageBand(age: string | undefined): string | undefined {
  if (!age) return undefined;
  const m = /^(\d{1,3})\s*([DWMY])?$/i.exec(age.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "Y").toUpperCase();
  const years = unit === "Y" ? Number(m[1]) : 0;
  if (years >= 90) return "90+";
  const lo = Math.floor(years / 10) * 10;
  return `${lo}-${lo + 9}`;
}

/**
 * The metadata we keep: acquisition confounders only. Only these tags are ever read into metadata,
 * so direct identifiers (PatientName, PatientID, PatientBirthDate, accession numbers, UIDs, dates)
 * cannot leak. PatientAge is reduced to a 10-year band.
 */
export function dicomMetadata(ds: DataSet): SampleMetadata {
  const out: SampleMetadata = {};
  const strings: Array<[string, string]> = [
    ["Manufacturer", "x00080070"],
    ["ManufacturerModelName", "x00081090"],
    ["InstitutionName", "x00080080"],
    ["StationName", "x00081010"],
    ["Modality", "x00080060"],
    ["BodyPartExamined", "x00180015"],
    ["PhotometricInterpretation", "x00280004"],
    ["PatientSex", "x00100040"],
  ];
  for (const [name, tag] of strings) {
    const v = str(ds, tag);
    if (v !== undefined) out[name] = v;
  }
  const kvp = num(ds, "x00180060");
  if (kvp !== undefined) out.KVP = kvp;
  const thickness = num(ds, "x00180050");
  if (thickness !== undefined) out.SliceThickness = thickness;
  const r = num(ds, "x00280030", 0);
  const c = num(ds, "x00280030", 1);
  if (r !== undefined && c !== undefined) out.PixelSpacing = [r, c];
  const band = ageBand(str(ds, "x00101010"));
  if (band !== undefined) out.PatientAgeBand = band;
  const ts = str(ds, "x00020010");
  if (ts !== undefined) out.TransferSyntaxUID = ts;
  const rows = ds.uint16("x00280010");
  const cols = ds.uint16("x00280011");
  if (rows !== undefined) out.Rows = rows;
  if (cols !== undefined) out.Columns = cols;
  return out;
}

// daikon (and its JPEG/JPEG-LS/JPEG 2000 codecs) loads on first use: most inputs never need it, and it
// adds noticeably to worker start-up.
let daikonCache: typeof daikonModule | undefined;
function loadDaikon(): typeof daikonModule {
  if (!daikonCache) {
    silenceDaikonAsmWarning();
    daikonCache = createRequire(import.meta.url)("daikon") as typeof daikonModule;
  }
  return daikonCache;
}

// daikon's bundled CharLS (JPEG-LS) is asm.js that V8 declines to validate; V8 then runs it as plain
// JS (correct, tested) and Node prints "V8: …charLS… Invalid asm.js". That line alarms users and says
// nothing actionable, so drop exactly that warning and let every other one through.
function silenceDaikonAsmWarning(): void {
  const emit = process.emit.bind(process) as (event: string | symbol, ...args: unknown[]) => boolean;
  (process as unknown as { emit: typeof emit }).emit = (event, ...args) => {
    const w = args[0] as { name?: string; message?: string } | undefined;
    if (event === "warning" && w?.name === "V8" && /daikon[\\/].*Invalid asm\.js/.test(w.message ?? "")) return false;
    return emit(event, ...args);
  };
}

/** Decompressed pixel bytes of one frame (little endian) through daikon, decoding only that frame where possible. */
function decompressFrame(bytes: Uint8Array, frames: number, frameIndex: number, frameBytes: number, ts: string): Uint8Array {
  const daikon = loadDaikon();
  let image;
  try {
    daikon.Parser.verbose = false;
    image = daikon.Series.parseImage(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new SampleError("DECODE_FAILED", `${COMPRESSED_SYNTAXES[ts]}: cannot parse: ${(error as Error)?.message ?? error}`);
  }
  if (!image) throw new SampleError("DECODE_FAILED", `${COMPRESSED_SYNTAXES[ts]}: cannot parse: ${String(daikon.Series.parserError ?? "unknown error")}`);
  let index = frameIndex;
  if (frames > 1 && !image.isCompressedRLE()) {
    // One JPEG stream per frame: hand daikon only the frame we need (a 96-frame XA decodes 96× faster).
    const jpegs = image.getJpegs();
    if (jpegs.length === frames) {
      const only = jpegs[frameIndex]!;
      image.getJpegs = () => [only];
      image.getNumberOfFrames = () => 1;
      index = 0;
    }
  }
  let raw: ArrayBuffer;
  try {
    raw = image.getRawData();
  } catch (error) {
    throw new SampleError("DECODE_FAILED", `${COMPRESSED_SYNTAXES[ts]}: decompression failed: ${(error as Error)?.message ?? error}`);
  }
  if (!raw || raw.byteLength < (index + 1) * frameBytes) {
    throw new SampleError("DECODE_FAILED", `${COMPRESSED_SYNTAXES[ts]}: expected ${(index + 1) * frameBytes} decompressed bytes, got ${raw?.byteLength ?? 0}`);
  }
  return new Uint8Array(raw, index * frameBytes, frameBytes);
}

export function decodeDicom(bytes: Uint8Array): DicomDecodeResult {
  if (!isDicom(bytes)) throw new SampleError("DECODE_FAILED", "expected a DICOM Part 10 file (\"DICM\" at byte 128), got something else");
  const ds = parse(bytes);
  const metadata = dicomMetadata(ds);
  const ts = str(ds, "x00020010") ?? "1.2.840.10008.1.2";
  const compressed = ts in COMPRESSED_SYNTAXES;
  if (!(ts in UNCOMPRESSED_SYNTAXES) && !compressed) {
    const name = KNOWN_UNSUPPORTED[ts];
    throw new SampleError("UNSUPPORTED_TRANSFER_SYNTAX", `transfer syntax ${ts}${name ? ` (${name})` : ""} is not supported; supported: ${[...Object.values(UNCOMPRESSED_SYNTAXES), ...Object.values(COMPRESSED_SYNTAXES)].join(", ")}`);
  }
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new SampleError("NO_PIXEL_DATA", "the file has no PixelData (7FE0,0010)");
  const rows = ds.uint16("x00280010") ?? 0;
  const cols = ds.uint16("x00280011") ?? 0;
  if (rows === 0 || cols === 0) throw new SampleError("EMPTY_IMAGE", `expected Rows and Columns ≥ 1, got ${rows}×${cols}`);
  const bitsAllocated = ds.uint16("x00280100") ?? 0;
  const bitsStored = ds.uint16("x00280101") ?? bitsAllocated;
  const signed = (ds.uint16("x00280103") ?? 0) === 1;
  const spp = ds.uint16("x00280002") ?? 1;
  const planar = ds.uint16("x00280006") ?? 0;
  const photometric = (str(ds, "x00280004") ?? "MONOCHROME2").toUpperCase();
  const frames = Math.max(1, Math.floor(num(ds, "x00280008") ?? 1));
  const frameIndex = Math.floor(frames / 2);

  if (![8, 16, 32].includes(bitsAllocated) || (compressed && bitsAllocated === 32)) {
    throw new SampleError("BAD_BIT_DEPTH", `expected BitsAllocated 8 or 16${compressed ? "" : " or 32"}, got ${bitsAllocated}`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new SampleError("BAD_BIT_DEPTH", `expected BitsStored between 1 and BitsAllocated (${bitsAllocated}), got ${bitsStored}`);
  }
  const gray = photometric === "MONOCHROME1" || photometric === "MONOCHROME2";
  const colour = ["RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT"].includes(photometric);
  if (!(gray && spp === 1) && !(colour && spp === 3)) {
    throw new SampleError("UNSUPPORTED_PHOTOMETRIC", `expected MONOCHROME1/2 with 1 sample per pixel or RGB/YBR with 3, got ${photometric} with ${spp}`);
  }
  if (colour && bitsAllocated !== 8) throw new SampleError("BAD_BIT_DEPTH", `expected 8-bit colour, got ${photometric} with BitsAllocated ${bitsAllocated}`);

  const bytesPerSample = bitsAllocated / 8;
  const n = rows * cols;
  const frameBytes = n * spp * bytesPerSample;
  let frame: Uint8Array;
  let littleEndian = true;
  if (compressed) {
    frame = decompressFrame(bytes, frames, frameIndex, frameBytes, ts);
  } else {
    littleEndian = ts !== "1.2.840.10008.1.2.2";
    const available = pixel.length;
    if (pixel.hadUndefinedLength || available < frames * frameBytes) {
      throw new SampleError("DECODE_FAILED", `pixel data truncated: expected ${frames * frameBytes} bytes for ${frames} frame(s) of ${cols}×${rows}×${spp} at ${bitsAllocated} bits, got ${available}`);
    }
    const arr = ds.byteArray;
    if (pixel.dataOffset + frames * frameBytes > arr.length) {
      throw new SampleError("DECODE_FAILED", `pixel data truncated: file ends ${pixel.dataOffset + frames * frameBytes - arr.length} bytes early`);
    }
    frame = arr.subarray(pixel.dataOffset + frameIndex * frameBytes, pixel.dataOffset + (frameIndex + 1) * frameBytes);
  }

  metadata.Frames = frames;
  if (colour) {
    const image = { width: cols, height: rows, channels: 3 as const, data: colourFrame(frame, n, planar, photometric, compressed) };
    return { image, metadata, transferSyntax: ts, frames, frameIndex };
  }

  // Grayscale: stored → modality → VOI → 0..255.
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const values = new Float32Array(n);
  const slope = num(ds, "x00281053") ?? 1;
  const intercept = num(ds, "x00281052") ?? 0;
  const shift = 32 - bitsStored;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (bytesPerSample === 1) v = view.getUint8(i);
    else if (bytesPerSample === 2) v = view.getUint16(i * 2, littleEndian);
    else v = view.getUint32(i * 4, littleEndian);
    // Keep BitsStored bits, sign-extended when PixelRepresentation is 1.
    v = signed ? (v << shift) >> shift : bitsStored === 32 ? v >>> 0 : v & ((1 << bitsStored) - 1);
    const m = v * slope + intercept;
    values[i] = m;
    if (m < min) min = m;
    if (m > max) max = m;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new SampleError("NON_FINITE", "pixel values are not finite after rescale");
  const centre = num(ds, "x00281050");
  const width = num(ds, "x00281051");
  const sigmoid = (str(ds, "x00281056") ?? "LINEAR").toUpperCase() === "SIGMOID";
  const invert = photometric === "MONOCHROME1";
  if (centre !== undefined && width !== undefined && width >= 1) {
    if (sigmoid) {
      for (let i = 0; i < n; i++) values[i] = 255 / (1 + Math.exp((-4 * (values[i]! - centre)) / width));
    } else {
      // PS3.3 C.11.2.1.2.1: linear window with the half-pixel offsets of the standard.
      const lo = centre - 0.5 - (width - 1) / 2;
      const hi = centre - 0.5 + (width - 1) / 2;
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        values[i] = x <= lo ? 0 : x > hi ? 255 : ((x - (centre - 0.5)) / (width - 1) + 0.5) * 255;
      }
    }
  } else {
    const range = max - min;
    for (let i = 0; i < n; i++) values[i] = range > 0 ? ((values[i]! - min) / range) * 255 : 0;
  }
  if (invert) for (let i = 0; i < n; i++) values[i] = 255 - values[i]!;
  return { image: { width: cols, height: rows, channels: 1, data: values }, metadata, transferSyntax: ts, frames, frameIndex };
}

function colourFrame(frame: Uint8Array, n: number, planar: number, photometric: string, compressed: boolean): Float32Array {
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = planar === 1 && !compressed ? frame[c * n + i]! : frame[i * 3 + c]!;
  }
  // Uncompressed YBR_FULL → RGB (JPEG decoders already output RGB).
  if (!compressed && photometric === "YBR_FULL") {
    for (let i = 0; i < n; i++) {
      const y = out[i * 3]!;
      const cb = out[i * 3 + 1]! - 128;
      const cr = out[i * 3 + 2]! - 128;
      out[i * 3] = clamp255(y + 1.402 * cr);
      out[i * 3 + 1] = clamp255(y - 0.344136 * cb - 0.714136 * cr);
      out[i * 3 + 2] = clamp255(y + 1.772 * cb);
    }
  }
  return out;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
