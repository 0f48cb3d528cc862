// Complex fast Fourier transforms on split real/imaginary arrays, of length 2^a, 3·2^a or 5·2^a:
// an iterative radix-2 Cooley–Tukey transform with precomputed twiddles and bit-reversal, one
// radix-3 or radix-5 step on top (so padded grids overshoot less: 320 or 640 instead of 384 or 768),
// and a 2-D transform built from them. Used by the FFT-interpolation t-SNE repulsion
// (reduce/fft-repulsion.ts). Lengths with more odd factors (300, 625, 675, …) are not offered: each
// further radix-3/5 step costs more than the smaller grid saves.

/** True for the lengths Fft supports: 2^a, 3·2^a and 5·2^a. */
export function isFftLength(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  const m = n % 3 === 0 ? n / 3 : n % 5 === 0 ? n / 5 : n;
  return (m & (m - 1)) === 0;
}

/** The smallest supported FFT length ≥ n. */
export function fftLengthAtLeast(n: number): number {
  let best = Infinity;
  for (const odd of [1, 3, 5]) {
    let v = odd;
    while (v < n) v *= 2;
    if (v < best) best = v;
  }
  return best;
}

/** In-place 1-D FFT of a fixed length n = 2^a, 3·2^a or 5·2^a. */
export class Fft {
  readonly n: number;
  /**
   * For n = p·m, p = 3 or 5: the length-m transform, the twiddles e^{−2πi·r·k/n} (cos in c[r − 1],
   * sin in s[r − 1], r = 1..p − 1, k < m) and scratch for the p decimated sequences.
   */
  private readonly top: { p: 3 | 5; sub: Fft; c: Float64Array[]; s: Float64Array[]; re: Float64Array; im: Float64Array } | null;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Pairs (i, j), i < j, swapped by the bit-reversal permutation. */
  private readonly swaps: Int32Array;
  /** log2(n) for a power-of-two n. */
  private readonly stages: number;

  constructor(n: number) {
    if (!isFftLength(n)) throw new RangeError(`Fft: length must be 2^a, 3·2^a or 5·2^a, got ${n}`);
    this.n = n;
    const p = n % 3 === 0 ? 3 : n % 5 === 0 ? 5 : 0;
    if (p !== 0) {
      const m = n / p;
      const angle = (k: number): number => (2 * Math.PI * k) / n;
      const rs = Array.from({ length: p - 1 }, (_, r) => r + 1);
      this.top = {
        p,
        sub: new Fft(m),
        c: rs.map((r) => Float64Array.from({ length: m }, (_, k) => Math.cos(angle(r * k)))),
        s: rs.map((r) => Float64Array.from({ length: m }, (_, k) => Math.sin(angle(r * k)))),
        re: new Float64Array(n),
        im: new Float64Array(n),
      };
      this.cos = this.sin = new Float64Array(0);
      this.swaps = new Int32Array(0);
      this.stages = 0;
      return;
    }
    this.top = null;
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
    if (this.top) {
      if (this.top.p === 3) this.radix3(re, im, off, inverse);
      else this.radix5(re, im, off, inverse);
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
    const { sub, c, s, re: sr, im: si } = this.top!;
    const c1 = c[0]!, c2 = c[1]!, s1 = s[0]!, s2 = s[1]!;
    const m = sub.n;
    deinterleave(re, im, off, 3, m, sr, si);
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

  /**
   * n = 5m, the same way: with b_r = w^{rk}·F_r[k], S₁ = b₁ + b₄, D₁ = b₁ − b₄, S₂ = b₂ + b₃,
   * D₂ = b₂ − b₃ and θ = 2π/5, X[k + qm] = a + cos(qθ)·S₁ + cos(2qθ)·S₂ ∓ i·(sin(qθ)·D₁ + sin(2qθ)·D₂),
   * and X[k + (5 − q)m] the same with the last term's sign flipped (q = 1, 2).
   */
  private radix5(re: Float64Array, im: Float64Array, off: number, inverse: boolean): void {
    const { sub, c, s, re: sr, im: si } = this.top!;
    const c1 = c[0]!, c2 = c[1]!, c3 = c[2]!, c4 = c[3]!, s1 = s[0]!, s2 = s[1]!, s3 = s[2]!, s4 = s[3]!;
    const m = sub.n;
    deinterleave(re, im, off, 5, m, sr, si);
    sub.transform(sr, si, 0, inverse);
    sub.transform(sr, si, m, inverse);
    sub.transform(sr, si, 2 * m, inverse);
    sub.transform(sr, si, 3 * m, inverse);
    sub.transform(sr, si, 4 * m, inverse);
    const sign = inverse ? 1 : -1;
    const cA = Math.cos((2 * Math.PI) / 5), cB = Math.cos((4 * Math.PI) / 5);
    // the ∓i·(…) term is i·sign·(…); sign folded into the sines
    const sA = sign * Math.sin((2 * Math.PI) / 5), sB = sign * Math.sin((4 * Math.PI) / 5);
    for (let k = 0; k < m; k++) {
      const ar = sr[k]!, ai = si[k]!;
      let xr = sr[m + k]!, xi = si[m + k]!, wr = c1[k]!, wi = sign * s1[k]!;
      const b1r = wr * xr - wi * xi, b1i = wr * xi + wi * xr;
      xr = sr[2 * m + k]!; xi = si[2 * m + k]!; wr = c2[k]!; wi = sign * s2[k]!;
      const b2r = wr * xr - wi * xi, b2i = wr * xi + wi * xr;
      xr = sr[3 * m + k]!; xi = si[3 * m + k]!; wr = c3[k]!; wi = sign * s3[k]!;
      const b3r = wr * xr - wi * xi, b3i = wr * xi + wi * xr;
      xr = sr[4 * m + k]!; xi = si[4 * m + k]!; wr = c4[k]!; wi = sign * s4[k]!;
      const b4r = wr * xr - wi * xi, b4i = wr * xi + wi * xr;
      const p1r = b1r + b4r, p1i = b1i + b4i, d1r = b1r - b4r, d1i = b1i - b4i;
      const p2r = b2r + b3r, p2i = b2i + b3i, d2r = b2r - b3r, d2i = b2i - b3i;
      const a1r = ar + cA * p1r + cB * p2r, a1i = ai + cA * p1i + cB * p2i;
      const a2r = ar + cB * p1r + cA * p2r, a2i = ai + cB * p1i + cA * p2i;
      // i·(e1 + i·f1) = −f1 + i·e1, where e + i·f = sA·D₁ + sB·D₂ (q = 1) or sB·D₁ − sA·D₂ (q = 2)
      const e1r = sA * d1r + sB * d2r, e1i = sA * d1i + sB * d2i;
      const e2r = sB * d1r - sA * d2r, e2i = sB * d1i - sA * d2i;
      re[off + k] = ar + p1r + p2r;
      im[off + k] = ai + p1i + p2i;
      re[off + m + k] = a1r - e1i;
      im[off + m + k] = a1i + e1r;
      re[off + 4 * m + k] = a1r + e1i;
      im[off + 4 * m + k] = a1i - e1r;
      re[off + 2 * m + k] = a2r - e2i;
      im[off + 2 * m + k] = a2i + e2r;
      re[off + 3 * m + k] = a2r + e2i;
      im[off + 3 * m + k] = a2i - e2r;
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

/** Splits the `radix` interleaved sub-sequences x[off + radix·j + r] into blocks out[r·m + j]. */
function deinterleave(re: Float64Array, im: Float64Array, off: number, radix: number, m: number, outRe: Float64Array, outIm: Float64Array): void {
  for (let r = 0; r < radix; r++) {
    for (let j = 0, src = off + r, dst = r * m; j < m; j++, src += radix, dst++) {
      outRe[dst] = re[src]!;
      outIm[dst] = im[src]!;
    }
  }
}
