// Separable resampling with antialiasing, as PIL and torchvision (antialias=True) do it: on
// downscaling the filter support widens by the scale factor, so every source pixel contributes.
// Pixel centres are at i + 0.5. Weights per output pixel are normalised to sum to 1.
import type { Interpolation } from "./config.js";

interface Coefficients {
  /** First source index per output pixel. */
  start: Int32Array;
  /** Number of taps per output pixel. */
  count: Int32Array;
  /** taps × out weights, row i at i × maxTaps. */
  weights: Float32Array;
  maxTaps: number;
}

function triangle(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}
function cubic(x: number): number {
  // Keys cubic convolution with a = -0.5 (PIL's BICUBIC).
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const cache = new Map<string, Coefficients>();

function coefficients(inSize: number, outSize: number, interpolation: Interpolation): Coefficients {
  const key = `${inSize}:${outSize}:${interpolation}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  let c: Coefficients;
  if (interpolation === "nearest") {
    const start = new Int32Array(outSize);
    for (let i = 0; i < outSize; i++) start[i] = Math.min(inSize - 1, Math.floor((i + 0.5) * scale));
    c = { start, count: new Int32Array(outSize).fill(1), weights: new Float32Array(outSize).fill(1), maxTaps: 1 };
  } else {
    const filter = interpolation === "bilinear" ? triangle : cubic;
    const baseSupport = interpolation === "bilinear" ? 1 : 2;
    const fscale = Math.max(1, scale);
    const support = baseSupport * fscale;
    const maxTaps = Math.ceil(support) * 2 + 1;
    const start = new Int32Array(outSize);
    const count = new Int32Array(outSize);
    const weights = new Float32Array(outSize * maxTaps);
    for (let i = 0; i < outSize; i++) {
      const centre = (i + 0.5) * scale;
      const lo = Math.max(0, Math.floor(centre - support + 0.5));
      const hi = Math.min(inSize, Math.floor(centre + support + 0.5));
      let sum = 0;
      const n = hi - lo;
      for (let j = 0; j < n; j++) {
        const w = filter((lo + j + 0.5 - centre) / fscale);
        weights[i * maxTaps + j] = w;
        sum += w;
      }
      if (sum !== 0) for (let j = 0; j < n; j++) weights[i * maxTaps + j]! /= sum;
      start[i] = lo;
      count[i] = n;
    }
    c = { start, count, weights, maxTaps };
  }
  if (cache.size > 64) cache.clear();
  cache.set(key, c);
  return c;
}

/**
 * Resamples interleaved HWC float pixels from inW×inH to outW×outH. Returns a new array; the input is
 * returned unchanged (not copied) when the size doesn't change.
 */
export function resize(
  src: Float32Array,
  inW: number,
  inH: number,
  channels: number,
  outW: number,
  outH: number,
  interpolation: Interpolation,
): Float32Array {
  if (inW === outW && inH === outH) return src;
  // Horizontal pass: inH × outW.
  const cx = coefficients(inW, outW, interpolation);
  const tmp = new Float32Array(inH * outW * channels);
  const { start: xs, count: xn, weights: xw, maxTaps: xt } = cx;
  if (channels === 1) {
    // The common gray case, without the channel loop.
    for (let y = 0; y < inH; y++) {
      const rowIn = y * inW;
      const rowOut = y * outW;
      for (let x = 0; x < outW; x++) {
        const s = rowIn + xs[x]!;
        const n = xn[x]!;
        const wb = x * xt;
        let acc = 0;
        for (let j = 0; j < n; j++) acc += xw[wb + j]! * src[s + j]!;
        tmp[rowOut + x] = acc;
      }
    }
  } else {
    for (let y = 0; y < inH; y++) {
      const rowIn = y * inW * channels;
      const rowOut = y * outW * channels;
      for (let x = 0; x < outW; x++) {
        const s = xs[x]!;
        const n = xn[x]!;
        const wb = x * xt;
        for (let ch = 0; ch < channels; ch++) {
          let acc = 0;
          for (let j = 0; j < n; j++) acc += xw[wb + j]! * src[rowIn + (s + j) * channels + ch]!;
          tmp[rowOut + x * channels + ch] = acc;
        }
      }
    }
  }
  // Vertical pass: outH × outW.
  const cy = coefficients(inH, outH, interpolation);
  const out = new Float32Array(outH * outW * channels);
  const stride = outW * channels;
  for (let y = 0; y < outH; y++) {
    const s = cy.start[y]!;
    const n = cy.count[y]!;
    const wBase = y * cy.maxTaps;
    const rowOut = y * stride;
    for (let j = 0; j < n; j++) {
      const w = cy.weights[wBase + j]!;
      const rowIn = (s + j) * stride;
      for (let k = 0; k < stride; k++) out[rowOut + k]! += w * tmp[rowIn + k]!;
    }
  }
  return out;
}
