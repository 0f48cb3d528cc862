import { describe, expect, it } from "vitest";
import { expectAllClose } from "../__tests__/close.js";
import { createRng } from "../rng.js";
import { Fft, Fft2d, fftLengthAtLeast, isFftLength } from "./fft.js";

/** The O(n²) definition, the reference the FFT must match. */
function naiveDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      outRe[k] = outRe[k]! + re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      outIm[k] = outIm[k]! + re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

function randomComplex(n: number, seed: number): [Float64Array, Float64Array] {
  const rng = createRng(seed);
  return [Float64Array.from({ length: n }, () => rng.normal()), Float64Array.from({ length: n }, () => rng.normal())];
}

describe("Fft", () => {
  it.each([1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 48, 64, 80, 96, 256, 320, 384, 640])("transform(length %i) equals the naive DFT, forward and inverse", (n) => {
    for (const inverse of [false, true]) {
      const [re, im] = randomComplex(n, n);
      const [wantRe, wantIm] = naiveDft(re, im, inverse);
      new Fft(n).transform(re, im, 0, inverse);
      expectAllClose(re, wantRe, 1e-9 * n);
      expectAllClose(im, wantIm, 1e-9 * n);
    }
  });

  it("transform works in place at an offset and leaves the rest alone", () => {
    const [re, im] = randomComplex(24, 5);
    const before = [Float64Array.from(re), Float64Array.from(im)];
    const [wantRe, wantIm] = naiveDft(re.slice(8, 16), im.slice(8, 16), false);
    new Fft(8).transform(re, im, 8, false);
    expectAllClose(re.subarray(8, 16), wantRe);
    expectAllClose(im.subarray(8, 16), wantIm);
    expectAllClose(re.subarray(0, 8), before[0]!.subarray(0, 8), 0);
    expectAllClose(im.subarray(16), before[1]!.subarray(16), 0);
  });

  it("refuses a length other than 2^a, 3·2^a or 5·2^a", () => {
    expect(() => new Fft(14)).toThrow(/2\^a, 3·2\^a or 5·2\^a, got 14/);
    expect(() => new Fft(15)).toThrow(RangeError);
  });

  it("fftLengthAtLeast(n) is the smallest supported length ≥ n", () => {
    for (let n = 1; n <= 800; n++) {
      const got = fftLengthAtLeast(n);
      expect(isFftLength(got) && got >= n).toBe(true);
      for (let m = n; m < got; m++) expect(isFftLength(m)).toBe(false);
    }
  });
});

describe("Fft2d", () => {
  it("convolve equals the naive circular 2-D convolution on the first rows", () => {
    const n = 12, rows = 5; // 12 = 3·4: the radix-3 path, and a partial block of columns
    const kernel = new Float64Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const a = Math.min(r, n - r), b = Math.min(c, n - c);
        kernel[r * n + c] = 1 / (1 + a * a + 0.5 * a * b + b * b); // even in both axes, symmetric
      }
    }
    // its transform by the definition (real, as the kernel is real and even), scaled by 1/n²
    const kernelHat = new Float64Array(n * n);
    for (let u = 0; u < n; u++) {
      for (let v = 0; v < n; v++) {
        let sum = 0;
        for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) sum += kernel[r * n + c]! * Math.cos((2 * Math.PI * (((u * r) % n) * n + ((v * c) % n) * n)) / (n * n));
        kernelHat[u * n + v] = sum / (n * n);
      }
    }
    const grids: [Float64Array, Float64Array][] = [randomComplex(rows * n, 9), randomComplex(rows * n, 10)];
    const want = grids.map(([re, im]) => {
      const outRe = new Float64Array(rows * n), outIm = new Float64Array(rows * n);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < n; c++) {
          for (let r2 = 0; r2 < rows; r2++) {
            for (let c2 = 0; c2 < n; c2++) {
              const k = kernel[((r - r2 + n) % n) * n + ((c - c2 + n) % n)]!;
              outRe[r * n + c] = outRe[r * n + c]! + k * re[r2 * n + c2]!;
              outIm[r * n + c] = outIm[r * n + c]! + k * im[r2 * n + c2]!;
            }
          }
        }
      }
      return [outRe, outIm] as const;
    });
    new Fft2d(n).convolve(grids, kernelHat, rows);
    for (let g = 0; g < 2; g++) {
      expectAllClose(grids[g]![0], want[g]![0], 1e-9);
      expectAllClose(grids[g]![1], want[g]![1], 1e-9);
    }
  });
});
