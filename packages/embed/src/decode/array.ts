// Images stored as arrays in .npy / .npz (e.g. MedMNIST: uint8 [N, 28, 28] or [N, 28, 28, 3]).
// A reference names the file, the array inside an .npz, and the row. .npy rows are read from disk one at a
// time (openNpy); an .npz is read whole once per worker and kept in a small cache (MedMNIST-sized).
//
// Value scale: uint8 as is, uint16 ÷ 257, float32/float64 taken as 0..1 (× 255); others are rejected.
import { openNpy, readNpz, FormatError, type NdArray, type NpyFile, type TypedArray } from "@stratum/formats";
import { SampleError } from "../errors.js";
import type { DecodedImage } from "../image.js";

export interface ArrayRef {
  /** Path of the .npy or .npz file. */
  path: string;
  /** .npz only: the array name (default: the first array with 3 or 4 dimensions, e.g. train_images). */
  array?: string;
  /** 0-based row (image index). */
  index: number;
}

const npzCache = new Map<string, Map<string, NdArray>>();
const npyCache = new Map<string, NpyFile>();
const MAX_CACHED_FILES = 2;

function remember<V>(cache: Map<string, V>, key: string, value: V, drop?: (v: V) => void): void {
  if (cache.size >= MAX_CACHED_FILES) {
    const oldest = cache.keys().next().value as string;
    const v = cache.get(oldest);
    cache.delete(oldest);
    if (v !== undefined) drop?.(v);
  }
  cache.set(key, value);
}

/** Closes cached .npy handles (the worker calls this when it stops). */
export async function closeArrayCache(): Promise<void> {
  for (const f of npyCache.values()) await f.close().catch(() => {});
  npyCache.clear();
  npzCache.clear();
}

function toImage(shape: readonly number[], dtype: string, data: TypedArray, where: string): DecodedImage {
  // shape is the per-image shape: [H, W], [H, W, 1] or [H, W, 3].
  const [h, w, c = 1] = shape;
  if (shape.length < 2 || shape.length > 3 || (c !== 1 && c !== 3) || h === undefined || w === undefined) {
    throw new SampleError("UNSUPPORTED_FORMAT", `${where}: expected images of shape [H, W], [H, W, 1] or [H, W, 3], got [${shape.join(", ")}]`);
  }
  if (h < 1 || w < 1) throw new SampleError("EMPTY_IMAGE", `${where}: expected at least 1×1 pixels, got ${w}×${h}`);
  const n = h * w * c;
  const out = new Float32Array(n);
  if (dtype === "uint8") for (let i = 0; i < n; i++) out[i] = data[i] as number;
  else if (dtype === "uint16") for (let i = 0; i < n; i++) out[i] = (data[i] as number) / 257;
  else if (dtype === "float32" || dtype === "float64") {
    for (let i = 0; i < n; i++) {
      const v = (data[i] as number) * 255;
      if (!Number.isFinite(v)) throw new SampleError("NON_FINITE", `${where}: pixel ${i} is not finite`);
      out[i] = v;
    }
  } else {
    throw new SampleError("BAD_BIT_DEPTH", `${where}: expected uint8, uint16, float32 or float64 pixels, got ${dtype}`);
  }
  return { width: w, height: h, channels: c === 1 ? 1 : 3, data: out };
}

function formatFailure(error: unknown): never {
  if (error instanceof SampleError) throw error;
  if (error instanceof FormatError) throw new SampleError(error.code === "FILE_NOT_FOUND" || error.code === "IO_ERROR" ? "READ_FAILED" : "DECODE_FAILED", error.message);
  throw new SampleError("DECODE_FAILED", (error as Error)?.message ?? String(error));
}

export async function decodeArrayRef(ref: ArrayRef): Promise<DecodedImage> {
  const where = `${ref.path}${ref.array ? `[${ref.array}]` : ""}[${ref.index}]`;
  try {
    if (ref.path.toLowerCase().endsWith(".npz")) {
      let arrays = npzCache.get(ref.path);
      if (!arrays) {
        arrays = await readNpz(ref.path);
        remember(npzCache, ref.path, arrays);
      }
      const name = ref.array ?? [...arrays.entries()].find(([, a]) => a.shape.length === 3 || a.shape.length === 4)?.[0];
      const arr = name === undefined ? undefined : arrays.get(name);
      if (!arr) throw new SampleError("UNSUPPORTED_FORMAT", `${where}: no such image array (has ${[...arrays.keys()].join(", ")})`);
      const rows = arr.shape[0] ?? 0;
      if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= rows) {
        throw new SampleError("READ_FAILED", `${where}: expected an index in [0, ${rows}), got ${ref.index}`);
      }
      const per = arr.shape.slice(1).reduce((a, b) => a * b, 1);
      return toImage(arr.shape.slice(1), arr.dtype, arr.data.subarray(ref.index * per, (ref.index + 1) * per) as TypedArray, where);
    }
    let file = npyCache.get(ref.path);
    if (!file) {
      file = await openNpy(ref.path);
      remember(npyCache, ref.path, file, (f) => void f.close().catch(() => {}));
    }
    if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= file.rows) {
      throw new SampleError("READ_FAILED", `${where}: expected an index in [0, ${file.rows}), got ${ref.index}`);
    }
    const row = await file.readRows(ref.index, 1);
    return toImage(file.header.shape.slice(1), file.header.dtype, row, where);
  } catch (error) {
    formatFailure(error);
  }
}
