// One input → decoded, preprocessed model sample. Runs inside the decode workers (and inline when
// workers = 0). Every failure comes out as a SampleError with a code and a reason.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ModelConfig } from "../config.js";
import { SampleError } from "../errors.js";
import type { SampleMetadata } from "../image.js";
import { preprocess } from "../preprocess.js";
import { decodeArrayRef, type ArrayRef } from "./array.js";
import { decodeDicom, isDicom } from "./dicom.js";
import { decodeRaster } from "./raster.js";

/** One image to embed. Exactly one of path, bytes or array. */
export interface EmbedInput {
  /** The caller's id for the sample (echoed in results and failures). */
  key: string;
  /** A PNG/JPEG/TIFF/DICOM file. */
  path?: string;
  /** The same, already in memory. */
  bytes?: Uint8Array;
  /** A row of an image array in an .npy/.npz file. */
  array?: ArrayRef;
}

export interface ProcessedSample {
  tensor: Float32Array;
  metadata: SampleMetadata;
  /** sha256 of the file bytes (path/bytes), or of the decoded float32 pixels (array refs). */
  sha256: string;
  width: number;
  height: number;
  channels: number;
}

const RASTER_EXT = new Set([".png", ".jpg", ".jpeg", ".tif", ".tiff"]);
const DICOM_EXT = new Set([".dcm", ".dicom", ".dic", ""]);

/** Extensions `stratum embed --input DIR` picks up. */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg", ".tif", ".tiff", ".dcm", ".dicom"];

function looksRaster(b: Uint8Array): boolean {
  const png = b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
  const jpeg = b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  const tiff = (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a);
  return png || jpeg || tiff;
}

/**
 * @param syncRead read files synchronously: the decode workers do, because a worker has nothing else to
 *   do meanwhile and a sync read costs about a fifth of the CPU of fs.promises.readFile (4 thread-pool
 *   hops). On slow network storage, give the pipeline more workers to overlap reads.
 */
export async function processInput(input: EmbedInput, config: ModelConfig, syncRead = false): Promise<ProcessedSample> {
  const sources = (input.path !== undefined ? 1 : 0) + (input.bytes !== undefined ? 1 : 0) + (input.array !== undefined ? 1 : 0);
  if (sources !== 1) throw new SampleError("READ_FAILED", `expected exactly one of path, bytes or array, got ${sources}`);
  if (input.array) {
    const image = await decodeArrayRef(input.array);
    const sha256 = createHash("sha256").update(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength)).digest("hex");
    const tensor = preprocess(image, config);
    return { tensor, metadata: {}, sha256, width: image.width, height: image.height, channels: image.channels };
  }
  let bytes: Uint8Array;
  if (input.path !== undefined) {
    try {
      bytes = syncRead ? readFileSync(input.path) : await readFile(input.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SampleError("READ_FAILED", code === "ENOENT" ? `file not found: ${input.path}` : `cannot read ${input.path}: ${(error as Error).message}`);
    }
  } else {
    bytes = input.bytes!;
  }
  if (bytes.length === 0) throw new SampleError("EMPTY_IMAGE", "expected image bytes, got an empty file");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const ext = input.path !== undefined ? path.extname(input.path).toLowerCase() : "";
  if (isDicom(bytes)) {
    const { image, metadata } = decodeDicom(bytes);
    return { tensor: preprocess(image, config), metadata, sha256, width: image.width, height: image.height, channels: image.channels };
  }
  if (looksRaster(bytes) || RASTER_EXT.has(ext)) {
    const image = await decodeRaster(bytes);
    return { tensor: preprocess(image, config), metadata: {}, sha256, width: image.width, height: image.height, channels: image.channels };
  }
  if (DICOM_EXT.has(ext) && ext !== "") {
    throw new SampleError("DECODE_FAILED", "expected a DICOM Part 10 file (\"DICM\" at byte 128), got something else");
  }
  throw new SampleError("UNSUPPORTED_FORMAT", `expected PNG, JPEG, TIFF or DICOM, got ${ext ? `a "${ext}" file` : "unrecognised bytes"}`);
}
