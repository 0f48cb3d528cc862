// A fast path for the most common medical PNGs: non-interlaced, 8- or 16-bit, gray / gray+alpha /
// RGB / RGBA. Inflate is node's native zlib; unfiltering is one pass over the bytes. For small images
// this avoids sharp's fixed per-call cost (≈ 1 ms: header probe, thread-pool hop), which otherwise
// dominates decoding. Anything else (palette, < 8 bits, interlaced, odd chunks) returns undefined and
// the caller falls back to sharp. Output is the same as decodeRaster: 0..255 scale, alpha dropped.
import { inflateSync } from "node:zlib";
import type { DecodedImage } from "../image.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePngFast(bytes: Uint8Array): DecodedImage | undefined {
  if (bytes.length < 33) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== 0x49484452) return undefined; // IHDR first
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24]!;
  const colourType = bytes[25]!;
  const interlace = bytes[28]!;
  if (width === 0 || height === 0 || interlace !== 0 || (depth !== 8 && depth !== 16)) return undefined;
  const samples = colourType === 0 ? 1 : colourType === 2 ? 3 : colourType === 4 ? 2 : colourType === 6 ? 4 : 0;
  if (samples === 0) return undefined;
  // Gather IDAT chunks.
  const parts: Uint8Array[] = [];
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = view.getUint32(pos + 4);
    if (pos + 12 + len > bytes.length) return undefined;
    if (type === 0x49444154) parts.push(bytes.subarray(pos + 8, pos + 8 + len));
    else if (type === 0x49454e44) break; // IEND
    pos += 12 + len;
  }
  if (parts.length === 0) return undefined;
  let raw: Uint8Array;
  try {
    raw = inflateSync(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  } catch {
    return undefined; // let sharp produce the error message
  }
  const bpp = (samples * depth) / 8; // bytes per pixel
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) return undefined;
  // Unfilter in place into `cur`, keeping the previous row.
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    const prev = dst - stride;
    switch (filter) {
      case 0:
        pixels.set(raw.subarray(src, src + stride), dst);
        break;
      case 1:
        for (let i = 0; i < stride; i++) pixels[dst + i] = raw[src + i]! + (i >= bpp ? pixels[dst + i - bpp]! : 0);
        break;
      case 2:
        for (let i = 0; i < stride; i++) pixels[dst + i] = raw[src + i]! + (y > 0 ? pixels[prev + i]! : 0);
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? pixels[dst + i - bpp]! : 0;
          const b = y > 0 ? pixels[prev + i]! : 0;
          pixels[dst + i] = raw[src + i]! + ((a + b) >> 1);
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? pixels[dst + i - bpp]! : 0;
          const b = y > 0 ? pixels[prev + i]! : 0;
          const c = i >= bpp && y > 0 ? pixels[prev + i - bpp]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pixels[dst + i] = raw[src + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        return undefined;
    }
  }
  const channels = samples <= 2 ? 1 : 3;
  const n = width * height;
  const out = new Float32Array(n * channels);
  if (depth === 8) {
    if (samples === channels) out.set(pixels);
    else for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = pixels[i * samples + c]!;
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) {
        const o = (i * samples + c) * 2;
        out[i * channels + c] = ((pixels[o]! << 8) | pixels[o + 1]!) / 257; // PNG is big-endian
      }
    }
  }
  return { width, height, channels, data: out };
}
