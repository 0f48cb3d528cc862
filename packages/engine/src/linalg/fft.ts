// Complex fast Fourier transforms on split real/imaginary arrays, of length 2^a or 3·2^a: an
// iterative radix-2 Cooley–Tukey transform with precomputed twiddles and bit-reversal, one radix-3
// step on top for 3·2^a (so padded grids overshoot less), and a 2-D transform built from them. Used
// by the FFT-interpolation t-SNE repulsion (reduce/fft-repulsion.ts).

/** True for the lengths Fft supports: 2^a and 3·2^a. */
export function isFftLength(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  const m = n % 3 === 0 ? n / 3 : n;
  return (m & (m - 1)) === 0;
}

/** The smallest supported FFT length ≥ n. */
export function fftLengthAtLeast(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  // 3·2^(a−2) lies between 2^(a−1) and 2^a
  return p >= 4 && (3 * p) / 4 >= n ? (3 * p) / 4 : p;
}

/** In-place 1-D FFT of a fixed length n = 2^a or 3·2^a. */
export class Fft {
  readonly n: number;
  /** For n = 3m: the length-m transform and the radix-3 twiddles e^{−2πi·k/n}, e^{−2πi·2k/n}. */
  private readonly third: { sub: Fft; c1: Float64Array; s1: Float64Array; c2: Float64Array; s2: Float64Array; re: Float64Array; im: Float64Array } | null;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Pairs (i, j), i < j, swapped by the bit-reversal permutation. */
  private readonly swaps: Int32Array;
  /** log2(n) for a power-of-two n. */
  private readonly stages: number;

  constructor(n: number) {
    if (!isFftLength(n)) throw new RangeError(`Fft: length must be 2^a or 3·2^a, got ${n}`);
    this.n = n;
    if (n % 3 === 0) {
      const m = n / 3;
      const angle = (k: number): number => (2 * Math.PI * k) / n;
      this.third = {
        sub: new Fft(m),
        c1: Float64Array.from({ length: m }, (_, k) => Math.cos(angle(k))),
        s1: Float64Array.from({ length: m }, (_, k) => Math.sin(angle(k))),
        c2: Float64Array.from({ length: m }, (_, k) => Math.cos(angle(2 * k))),
        s2: Float64Array.from({ length: m }, (_, k) => Math.sin(angle(2 * k))),
        re: new Float64Array(n),
        im: new Float64Array(n),
      };
      this.cos = this.sin = new Float64Array(0);
      this.swaps = new Int32Array(0);
      this.stages = 0;
      return;
    }
    this.third = null;
    const half = n >> 1;
    this.cos = new Float64Array(Math.max(half, 1));
    this.sin = new Float64Array(Math.max(half, 1));
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    const swaps: number[] = [];
    const bits = Math.round(Math.log2(n));
    this.stages = bits;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      if (i < r) swaps.push(i, r);
    }
    this.swaps = Int32Array.from(swaps);
  }

  /**
   * Transforms re/im[off .. off + n) in place: X_k = Σ_j x_j · e^{∓2πi·jk/n}, minus sign forward,
   * plus sign for `inverse` (unscaled: a forward then inverse transform multiplies by n).
   */
  transform(re: Float64Array, im: Float64Array, off: number, inverse: boolean): void {
    if (this.third) {
      this.radix3(re, im, off, inverse);
      return;
    }
    const { n, cos, sin, swaps } = this;
    for (let s = 0; s < swaps.length; s += 2) {
      const a = off + swaps[s]!, b = off + swaps[s + 1]!;
      const tr = re[a]!, ti = im[a]!;
      re[a] = re[b]!;
      im[a] = im[b]!;
      re[b] = tr;
      im[b] = ti;
    }
    let size = 2;
    if ((this.stages & 1) === 1) {
      // an odd stage count: size-2 butterflies alone first (they need no twiddles)
      for (let i = off, end = off + n - 1; i < end; i += 2) {
        const ar = re[i]!, ai = im[i]!, br = re[i + 1]!, bi = im[i + 1]!;
        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 1] = ar - br;
        im[i + 1] = ai - bi;
      }
      size = 4;
    }
    // then two radix-2 stages (sizes 2q and 4q) per pass over four elements: the same arithmetic in
    // the same order as one stage at a time, with half the loads and stores
    const sign = inverse ? 1 : -1;
    for (; size <= n; size <<= 2) {
      const q = size >> 1;
      const step1 = n / size, step2 = step1 >> 1;
      for (let k = 0; k < q; k++) {
        const w1r = cos[k * step1]!, w1i = sign * sin[k * step1]!;
        const w2r = cos[k * step2]!, w2i = sign * sin[k * step2]!;
        const w3r = cos[(k + q) * step2]!, w3i = sign * sin[(k + q) * step2]!;
        for (let i0 = off + k, end = off + n; i0 < end; i0 += 4 * q) {
          const i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
          // stage 2q: (i0, i1) and (i2, i3) with w1
          const x1r = re[i1]!, x1i = im[i1]!, x3r = re[i3]!, x3i = im[i3]!;
          const t1r = w1r * x1r - w1i * x1i, t1i = w1r * x1i + w1i * x1r;
          const t3r = w1r * x3r - w1i * x3i, t3i = w1r * x3i + w1i * x3r;
          const x0r = re[i0]!, x0i = im[i0]!, x2r = re[i2]!, x2i = im[i2]!;
          const b0r = x0r + t1r, b0i = x0i + t1i, b1r = x0r - t1r, b1i = x0i - t1i;
          const b2r = x2r + t3r, b2i = x2i + t3i, b3r = x2r - t3r, b3i = x2i - t3i;
          // stage 4q: (i0, i2) with w2, (i1, i3) with w3
          const ur = w2r * b2r - w2i * b2i, ui = w2r * b2i + w2i * b2r;
          const vr = w3r * b3r - w3i * b3i, vi = w3r * b3i + w3i * b3r;
          re[i0] = b0r + ur;
          im[i0] = b0i + ui;
          re[i2] = b0r - ur;
          im[i2] = b0i - ui;
          re[i1] = b1r + vr;
          im[i1] = b1i + vi;
          re[i3] = b1r - vr;
          im[i3] = b1i - vi;
        }
      }
    }
  }

  /**
   * n = 3m by decimation in time: F_r = FFT_m(x[3j + r]), then with a = F₀[k], b = w^k·F₁[k],
   * c = w^{2k}·F₂[k] and ω = e^{∓2πi/3}: X[k] = a + b + c, X[k + m] = a + ω·b + ω²·c,
   * X[k + 2m] = a + ω²·b + ω·c.
   */
  private radix3(re: Float64Array, im: Float64Array, off: number, inverse: boolean): void {
    const { sub, c1, s1, c2, s2, re: sr, im: si } = this.third!;
    const m = sub.n;
    for (let j = 0, src = off; j < m; j++, src += 3) {
      sr[j] = re[src]!;
      si[j] = im[src]!;
      sr[m + j] = re[src + 1]!;
      si[m + j] = im[src + 1]!;
      sr[2 * m + j] = re[src + 2]!;
      si[2 * m + j] = im[src + 2]!;
    }
    sub.transform(sr, si, 0, inverse);
    sub.transform(sr, si, m, inverse);
    sub.transform(sr, si, 2 * m, inverse);
    const sign = inverse ? 1 : -1;
    const h = sign * (Math.sqrt(3) / 2);
    for (let k = 0; k < m; k++) {
      const w1r = c1[k]!, w1i = sign * s1[k]!, w2r = c2[k]!, w2i = sign * s2[k]!;
      const ar = sr[k]!, ai = si[k]!;
      const xr = sr[m + k]!, xi = si[m + k]!, yr = sr[2 * m + k]!, yi = si[2 * m + k]!;
      const br = w1r * xr - w1i * xi, bi = w1r * xi + w1i * xr;
      const cr = w2r * yr - w2i * yi, ci = w2r * yi + w2i * yr;
      const pr = br + cr, pi = bi + ci; // b + c
      const dr = br - cr, di = bi - ci; // b − c
      // ω·b + ω²·c = −(b + c)/2 + (ω − ω²)/2·(b − c), with (ω − ω²)/2 = i·h
      const mr = ar - pr / 2, mi = ai - pi / 2;
      re[off + k] = ar + pr;
      im[off + k] = ai + pi;
      re[off + m + k] = mr - h * di;
      im[off + m + k] = mi + h * dr;
      re[off + 2 * m + k] = mr + h * di;
      im[off + 2 * m + k] = mi - h * dr;
    }
  }
}

/** Columns transformed together: a block of rows' worth of them stays in cache. */
const COLUMN_BLOCK = 8;

/**
 * Circular 2-D convolution on an n×n grid by FFT, for grids whose only non-zero rows are the first
 * `rows` and whose results are wanted in those rows only (a zero-padded linear convolution). Each
 * grid is stored as those rows alone (rows × n, row-major, split re/im). Rows are transformed along
 * their length; each block of columns is gathered once, transformed, multiplied by the kernel's
 * transform, transformed back and scattered, so the strided column access happens once per grid.
 */
export class Fft2d {
  readonly n: number;
  readonly fft: Fft;
  private readonly colRe: Float64Array;
  private readonly colIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.fft = new Fft(n);
    this.colRe = new Float64Array(n * COLUMN_BLOCK);
    this.colIm = new Float64Array(n * COLUMN_BLOCK);
  }

  /**
   * Replaces each grid x by the first `rows` rows of IFFT(FFT(x) · kernelHat), unscaled (a forward
   * then inverse transform multiplies by n²: fold 1/n² into kernelHat). kernelHat is n×n and real,
   * and must be symmetric (kernelHat[r·n + c] = kernelHat[c·n + r]): it is read column-wise as rows.
   */
  convolve(grids: readonly [Float64Array, Float64Array][], kernelHat: Float64Array, rows: number): void {
    const { n, fft, colRe, colIm } = this;
    for (const [re, im] of grids) for (let r = 0; r < rows; r++) fft.transform(re, im, r * n, false);
    for (let c0 = 0; c0 < n; c0 += COLUMN_BLOCK) {
      const w = Math.min(COLUMN_BLOCK, n - c0);
      for (const [re, im] of grids) {
        colRe.fill(0);
        colIm.fill(0);
        for (let r = 0; r < rows; r++) {
          const src = r * n + c0;
          for (let c = 0; c < w; c++) {
            colRe[c * n + r] = re[src + c]!;
            colIm[c * n + r] = im[src + c]!;
          }
        }
        for (let c = 0; c < w; c++) {
          const o = c * n;
          fft.transform(colRe, colIm, o, false);
          const ko = (c0 + c) * n;
          for (let r = 0; r < n; r++) {
            const k = kernelHat[ko + r]!;
            colRe[o + r] = colRe[o + r]! * k;
            colIm[o + r] = colIm[o + r]! * k;
          }
          fft.transform(colRe, colIm, o, true);
        }
        for (let r = 0; r < rows; r++) {
          const dst = r * n + c0;
          for (let c = 0; c < w; c++) {
            re[dst + c] = colRe[c * n + r]!;
            im[dst + c] = colIm[c * n + r]!;
          }
        }
      }
    }
    for (const [re, im] of grids) for (let r = 0; r < rows; r++) fft.transform(re, im, r * n, true);
  }
}
