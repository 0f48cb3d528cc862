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
  it.each([1, 2, 3, 4, 6, 8, 12, 48, 64, 96, 256, 384])("transform(length %i) equals the naive DFT, forward and inverse", (n) => {
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

  it("refuses a length other than 2^a or 3·2^a", () => {
    expect(() => new Fft(10)).toThrow(/2\^a or 3·2\^a, got 10/);
    expect(() => new Fft(9)).toThrow(RangeError);
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
  it("transform equals the naive 2-D DFT, and rows = r skips only rows that are zero", () => {
    const n = 12;
    const [re, im] = randomComplex(n * n, 9);
    for (let g = 5 * n; g < n * n; g++) re[g] = im[g] = 0; // rows 5.. are zero
    // reference: DFT every row, then every column
    const wantRe = Float64Array.from(re), wantIm = Float64Array.from(im);
    for (let r = 0; r < n; r++) {
      const [a, b] = naiveDft(wantRe.slice(r * n, r * n + n), wantIm.slice(r * n, r * n + n), false);
      wantRe.set(a, r * n);
      wantIm.set(b, r * n);
    }
    for (let c = 0; c < n; c++) {
      const colRe = Float64Array.from({ length: n }, (_, r) => wantRe[r * n + c]!);
      const colIm = Float64Array.from({ length: n }, (_, r) => wantIm[r * n + c]!);
      const [a, b] = naiveDft(colRe, colIm, false);
      for (let r = 0; r < n; r++) {
        wantRe[r * n + c] = a[r]!;
        wantIm[r * n + c] = b[r]!;
      }
    }
    const gotRe = Float64Array.from(re), gotIm = Float64Array.from(im);
    const fft = new Fft2d(n);
    fft.transform(gotRe, gotIm, false, 5);
    expectAllClose(gotRe, wantRe, 1e-9);
    expectAllClose(gotIm, wantIm, 1e-9);
    // the inverse brings the first rows back (×n²)
    fft.transform(gotRe, gotIm, true, 5);
    for (let g = 0; g < 5 * n; g++) {
      expect(Math.abs(gotRe[g]! / (n * n) - re[g]!)).toBeLessThan(1e-12);
      expect(Math.abs(gotIm[g]! / (n * n) - im[g]!)).toBeLessThan(1e-12);
    }
  });
});
