// PNG, JPEG, TIFF (and anything else libvips reads) through sharp, at the file's own bit depth:
// 8-bit stays 0..255, 16-bit is divided by 257 onto the same 0..255 scale. Alpha is dropped.
// Common non-interlaced 8/16-bit PNGs take a faster path (png.ts) with identical output.
import sharp, { type Metadata, type OutputInfo } from "sharp";
import { SampleError } from "../errors.js";
import type { DecodedImage } from "../image.js";
import { decodePngFast } from "./png.js";

export async function decodeRaster(bytes: Uint8Array): Promise<DecodedImage> {
  const fast = decodePngFast(bytes);
  if (fast) return fast;
  return decodeWithSharp(bytes);
}

/** Decoding through sharp/libvips only (JPEG, TIFF, palette or interlaced PNG, …). */
export async function decodeWithSharp(bytes: Uint8Array): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (error) {
    throw new SampleError("DECODE_FAILED", `not a readable image: ${(error as Error).message}`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) throw new SampleError("EMPTY_IMAGE", `expected an image of at least 1×1 pixels, got ${width}×${height}`);
  const depth = meta.depth ?? "uchar";
  if (depth !== "uchar" && depth !== "ushort" && depth !== "char" && depth !== "short") {
    throw new SampleError("BAD_BIT_DEPTH", `expected 8- or 16-bit integer pixels, got ${depth} (${meta.format})`);
  }
  const sixteen = depth === "ushort" || depth === "short";
  const colourChannels = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0);
  const gray = colourChannels === 1;
  let pipeline = sharp(bytes).removeAlpha();
  pipeline = gray ? pipeline.toColourspace(sixteen ? "grey16" : "b-w") : pipeline.toColourspace(sixteen ? "rgb16" : "srgb");
  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await pipeline.raw({ depth: sixteen ? "ushort" : "uchar" }).toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw new SampleError("DECODE_FAILED", `cannot decode ${meta.format ?? "image"}: ${(error as Error).message}`);
  }
  const channels = info.channels === 1 ? 1 : 3;
  if (info.channels !== channels) throw new SampleError("DECODE_FAILED", `expected 1 or 3 channels after decoding, got ${info.channels}`);
  const n = info.width * info.height * channels;
  const out = new Float32Array(n);
  if (sixteen) {
    const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
    const src = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = src[i]! / 257;
  } else {
    for (let i = 0; i < n; i++) out[i] = data[i]!;
  }
  return { width: info.width, height: info.height, channels, data: out };
}
