// DecodedImage → one model input sample (C×H×W or H×W×C float32), following a ModelConfig:
// channel conversion, resize (stretch | shorter-side + centre crop | letterbox), then
// value = (pixel × scale − mean[c]) / std[c].
import type { ModelConfig } from "./config.js";
import { SampleError } from "./errors.js";
import type { DecodedImage } from "./image.js";
import { resize } from "./resize.js";

/** Number of floats one sample occupies in the input tensor. */
export function sampleSize(config: ModelConfig): number {
  return config.input.channels * config.input.height * config.input.width;
}

/** BT.601 luma of interleaved RGB. */
function toGray(img: DecodedImage): DecodedImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/**
 * Writes the preprocessed sample into `out` (length sampleSize(config)) starting at `offset`, or into a
 * new array. Throws SampleError for an empty image or a channel policy of "reject".
 */
export function preprocess(img: DecodedImage, config: ModelConfig, out?: Float32Array, offset = 0): Float32Array {
  const { input, preprocess: p } = config;
  if (img.width < 1 || img.height < 1) {
    throw new SampleError("EMPTY_IMAGE", `expected an image of at least 1×1 pixels, got ${img.width}×${img.height}`);
  }
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new SampleError("DECODE_FAILED", `expected ${img.width * img.height * img.channels} pixel values, got ${img.data.length}`);
  }
  let src = img;
  if (input.channels === 1 && img.channels === 3) {
    if (input.rgbToGray === "reject") throw new SampleError("CHANNELS_MISMATCH", "expected a grayscale image (input.rgbToGray is \"reject\"), got RGB");
    src = toGray(img);
  }
  if (input.channels === 3 && img.channels === 1 && input.grayToRgb === "reject") {
    throw new SampleError("CHANNELS_MISMATCH", "expected an RGB image (input.grayToRgb is \"reject\"), got grayscale");
  }
  const C = src.channels; // 1 or 3; gray is replicated at the normalisation step
  const H = input.height;
  const W = input.width;

  // Geometry: resized size (rw × rh) and where the H×W window sits in it (ox, oy may be < 0 for letterbox).
  let rw: number;
  let rh: number;
  if (p.resize === "stretch") {
    rw = W;
    rh = H;
  } else if (p.resize === "shorter-side") {
    const short = Math.min(src.width, src.height);
    rw = src.width === short ? p.resizeSize : Math.max(p.resizeSize, Math.floor((p.resizeSize * src.width) / short));
    rh = src.height === short ? p.resizeSize : Math.max(p.resizeSize, Math.floor((p.resizeSize * src.height) / short));
  } else {
    const s = Math.min(W / src.width, H / src.height);
    rw = Math.max(1, Math.min(W, Math.round(src.width * s)));
    rh = Math.max(1, Math.min(H, Math.round(src.height * s)));
  }
  const resized = resize(src.data, src.width, src.height, C, rw, rh, p.interpolation);
  // Centre crop (torchvision: int(round((h - th) / 2))) or centred padding.
  const oy = Math.round((rh - H) / 2);
  const ox = Math.round((rw - W) / 2);

  const target = out ?? new Float32Array(sampleSize(config));
  const outC = input.channels;
  const plane = H * W;
  const scale = p.scale;
  if (ox === 0 && oy === 0 && rw === W && rh === H && (input.layout === "NCHW" || outC === 1)) {
    // No crop or padding and a planar destination: one straight pass per channel.
    for (let c = 0; c < outC; c++) {
      const srcC = C === 1 ? 0 : c;
      const a = scale / p.std[c]!;
      const b = -p.mean[c]! / p.std[c]!;
      const base = offset + c * plane;
      if (C === 1) for (let i = 0; i < plane; i++) target[base + i] = resized[i]! * a + b;
      else for (let i = 0; i < plane; i++) target[base + i] = resized[i * C + srcC]! * a + b;
    }
    return target;
  }
  for (let c = 0; c < outC; c++) {
    const srcC = C === 1 ? 0 : c;
    const mean = p.mean[c]!;
    const invStd = 1 / p.std[c]!;
    const padded = (p.padValue * scale - mean) * invStd;
    for (let y = 0; y < H; y++) {
      const sy = y + oy;
      for (let x = 0; x < W; x++) {
        const sx = x + ox;
        const v =
          sy >= 0 && sy < rh && sx >= 0 && sx < rw ? (resized[(sy * rw + sx) * C + srcC]! * scale - mean) * invStd : padded;
        const idx = input.layout === "NCHW" ? c * plane + y * W + x : (y * W + x) * outC + c;
        target[offset + idx] = v;
      }
    }
  }
  return target;
}
