// NumPy .npz: a zip archive of .npy files (stored or deflated), read and written with fflate.
import { readFile, writeFile } from "node:fs/promises";
import { unzipSync, zipSync, type Zippable } from "fflate";
import { FormatError, ioError } from "./errors.js";
import { encodeNpy, parseNpy, type NdArray } from "./npy.js";

export interface ReadNpzOptions {
  /** Only decode these arrays (names without ".npy"). Every name listed must exist. */
  names?: readonly string[];
}

/** Decodes .npz bytes into arrays keyed by name (the entry name without ".npy"). */
export function parseNpz(
  bytes: Uint8Array,
  file = "<buffer>",
  options: ReadNpzOptions = {},
): Map<string, NdArray> {
  if (bytes.length === 0)
    throw new FormatError("EMPTY_FILE", file, "expected an .npz (zip) file, got an empty file");
  const wanted = options.names ? new Set(options.names) : undefined;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => !wanted || wanted.has(f.name.replace(/\.npy$/, "")) });
  } catch (error) {
    throw new FormatError(
      "BAD_ZIP",
      file,
      `expected a zip archive of .npy files, got unreadable data (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const out = new Map<string, NdArray>();
  for (const [entry, data] of Object.entries(entries)) {
    if (entry.endsWith("/")) continue;
    const name = entry.replace(/\.npy$/, "");
    out.set(name, parseNpy(data, `${file}:${entry}`));
  }
  for (const name of wanted ?? []) {
    if (!out.has(name)) {
      throw new FormatError(
        "MISSING_ENTRY",
        file,
        `expected an array named "${name}", got only ${[...out.keys()].map((k) => `"${k}"`).join(", ") || "none"}`,
      );
    }
  }
  return out;
}

export async function readNpz(path: string, options: ReadNpzOptions = {}): Promise<Map<string, NdArray>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioError(path, error);
  }
  return parseNpz(bytes, path, options);
}

/** Encodes arrays as .npz bytes (deflated, like np.savez_compressed when compress is true). */
export function encodeNpz(
  arrays: ReadonlyMap<string, NdArray> | Record<string, NdArray>,
  compress = true,
): Uint8Array {
  const entries = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  const zippable: Zippable = {};
  for (const [name, array] of entries)
    zippable[`${name}.npy`] = [encodeNpy(array), { level: compress ? 6 : 0 }];
  return zipSync(zippable);
}

export async function writeNpz(
  path: string,
  arrays: ReadonlyMap<string, NdArray> | Record<string, NdArray>,
  compress = true,
): Promise<void> {
  await writeFile(path, encodeNpz(arrays, compress));
}
