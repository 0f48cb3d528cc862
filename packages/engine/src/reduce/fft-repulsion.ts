// t-SNE's repulsive forces by FFT-accelerated interpolation (Linderman et al., "Fast interpolation-
// based t-SNE for improved visualization of single-cell RNA-seq data", Nature Methods 2019; FIt-SNE).
// The layout's bounding square is cut into intervals × intervals boxes with NODES equispaced
// Lagrange nodes per box and axis; every point spreads four charges (1, y₁, y₂, y₁² + y₂²) onto the
// nodes of its box; the node potentials under the kernel K(d) = 1/(1 + d²)² are one 2-D convolution
// on the equispaced node grid, done as a zero-padded FFT product; each point interpolates its four
// potentials φ₁..φ₄ back from the same nodes. Then
//   Σ_j q_ij²·(y_i − y_j) = y_i·φ₁ − (φ₂, φ₃)   and   Σ_j q_ij = (1 + ‖y_i‖²)·φ₁ − 2·y_i·(φ₂, φ₃) + φ₄,
// because q = q²·(1 + d²). Coordinates are taken relative to the box centre, which keeps that
// difference well conditioned. Cost per call: O(n) plus a few 2-D FFTs of the padded node grid,
// whose size follows the layout's spread, not n — so it beats Barnes–Hut on large n.
import { Fft2d, fftLengthAtLeast, isFftLength } from "../linalg/fft.js";
import { EngineInputError } from "../types.js";
import { layoutBox } from "./layout-box.js";

/** Interpolation nodes per interval and axis (FIt-SNE's default). */
const NODES = 3;

export interface FftRepulsionOptions {
  /** Fewest intervals per axis (default 50), unless they would be narrower than finestInterval. */
  minIntervals?: number;
  /** Largest interval width in layout units before more intervals are used (default 1). */
  intervalSize?: number;
  /**
   * Narrowest interval width used to reach minIntervals (default 0.25): on a compact layout (early
   * exaggeration) 50 intervals would be far finer than the kernel needs, and cost a 320-side grid.
   */
  finestInterval?: number;
  /** Largest padded FFT grid side, 2^a, 3·2^a or 5·2^a (default 2048); caps the interval count. */
  maxGrid?: number;
}

// Lagrange basis denominators for nodes at (k + ½)/NODES inside a unit interval.
const NODE_POS = Float64Array.from({ length: NODES }, (_, k) => (k + 0.5) / NODES);
const NODE_DENOM = Float64Array.from({ length: NODES }, (_, k) => {
  let d = 1;
  for (let l = 0; l < NODES; l++) if (l !== k) d *= NODE_POS[k]! - NODE_POS[l]!;
  return d;
});

// The basis written out for NODES = 3 (it runs twice per point and iteration); the products in the
// order of the general formula w_k = (1 / denom_k) · Π_{l≠k} (t − pos_l).
const [POS0, POS1, POS2] = [NODE_POS[0]!, NODE_POS[1]!, NODE_POS[2]!];
const [INV0, INV1, INV2] = [1 / NODE_DENOM[0]!, 1 / NODE_DENOM[1]!, 1 / NODE_DENOM[2]!];

function lagrange(t: number, out: Float64Array, off: number): void {
  const d0 = t - POS0, d1 = t - POS1, d2 = t - POS2;
  out[off] = INV0 * d1 * d2;
  out[off + 1] = INV1 * d0 * d2;
  out[off + 2] = INV2 * d0 * d1;
}

/** The layout's centre and the side of its bounding square, a hair wider so extreme points fall inside. */
function bounds(y: Float64Array, n: number): { cx: number; cy: number; width: number } {
  const { cx, cy, span } = layoutBox(y, n);
  return { cx, cy, width: Math.max(span, 1e-9) * (1 + 1e-9) };
}

export class FftRepulsion {
  private readonly minIntervals: number;
  private readonly intervalSize: number;
  private readonly finestInterval: number;
  private readonly maxGrid: number;
  private readonly ffts = new Map<number, Fft2d>();
  // two complex grids holding the packed charges (1 + i·y₁, y₂ + i·‖y‖²), then their potentials
  private aRe = new Float64Array(0);
  private aIm = new Float64Array(0);
  private bRe = new Float64Array(0);
  private bIm = new Float64Array(0);
  /** The kernel's (real) transform on the padded grid. */
  private kernel = new Float64Array(0);
  private lineRe = new Float64Array(0);
  private lineIm = new Float64Array(0);
  // per point: first node of its box on each axis, and its NODES weights per axis
  private gx: Int32Array;
  private gy: Int32Array;
  private wx: Float64Array;
  private wy: Float64Array;
  /** The interval count per axis used by the last compute() (for tests and diagnostics). */
  intervals = 0;

  constructor(n: number, options: FftRepulsionOptions = {}) {
    this.minIntervals = options.minIntervals ?? 50;
    this.intervalSize = options.intervalSize ?? 1;
    this.finestInterval = options.finestInterval ?? 0.25;
    this.maxGrid = options.maxGrid ?? 2048;
    if (!Number.isInteger(this.minIntervals) || this.minIntervals < 1) {
      throw new EngineInputError("BAD_FFT_GRID", "fft.minIntervals", `tsne: expected fft.minIntervals to be an integer ≥ 1, got ${this.minIntervals}`);
    }
    if (!(this.intervalSize > 0) || !Number.isFinite(this.intervalSize)) {
      throw new EngineInputError("BAD_FFT_GRID", "fft.intervalSize", `tsne: expected fft.intervalSize > 0, got ${this.intervalSize}`);
    }
    if (!(this.finestInterval > 0) || !Number.isFinite(this.finestInterval)) {
      throw new EngineInputError("BAD_FFT_GRID", "fft.finestInterval", `tsne: expected fft.finestInterval > 0, got ${this.finestInterval}`);
    }
    if (!isFftLength(this.maxGrid) || this.maxGrid < 2 * NODES) {
      throw new EngineInputError("BAD_FFT_GRID", "fft.maxGrid", `tsne: expected fft.maxGrid to be 2^a, 3·2^a or 5·2^a and ≥ ${2 * NODES}, got ${this.maxGrid}`);
    }
    this.gx = new Int32Array(n);
    this.gy = new Int32Array(n);
    this.wx = new Float64Array(NODES * n);
    this.wy = new Float64Array(NODES * n);
  }

  /**
   * Fills rep (n×2) with Σ_j q_ij²·(y_i − y_j), q_ij = 1/(1 + ‖y_i − y_j‖²), and returns
   * Z = Σ_{i≠j} q_ij (both approximate).
   */
  compute(y: Float64Array, n: number, rep: Float64Array): number {
    const { cx, cy, width } = bounds(y, n);
    const N = this.side(width);
    const intervals = Math.floor((N + 1) / (2 * NODES));
    const G = intervals * NODES;
    this.intervals = intervals;
    const h = width / intervals;
    const spacing = h / NODES;
    const x0 = cx - width / 2, y0 = cy - width / 2;
    const fft = this.fftOf(N);
    const { gx, gy, wx, wy } = this;
    // the charge grids hold the G rows that can be non-zero (the padding rows stay implicit)
    const aRe = this.aRe.subarray(0, G * N), aIm = this.aIm.subarray(0, G * N);
    const bRe = this.bRe.subarray(0, G * N), bIm = this.bIm.subarray(0, G * N);
    this.kernelTransform(N, spacing);

    aRe.fill(0);
    aIm.fill(0);
    bRe.fill(0);
    bIm.fill(0);
    for (let i = 0; i < n; i++) {
      const px = y[2 * i]! - cx, py = y[2 * i + 1]! - cy;
      const ux = (y[2 * i]! - x0) / h, uy = (y[2 * i + 1]! - y0) / h;
      const bx = Math.min(Math.floor(ux), intervals - 1), by = Math.min(Math.floor(uy), intervals - 1);
      lagrange(ux - bx, wx, NODES * i);
      lagrange(uy - by, wy, NODES * i);
      gx[i] = bx * NODES;
      gy[i] = by * NODES;
      const r2 = px * px + py * py;
      for (let s = 0; s < NODES; s++) {
        const row = (gx[i]! + s) * N + gy[i]!;
        const ws = wx[NODES * i + s]!;
        for (let t = 0; t < NODES; t++) {
          const w = ws * wy[NODES * i + t]!;
          const g = row + t;
          aRe[g] = aRe[g]! + w;
          aIm[g] = aIm[g]! + w * px;
          bRe[g] = bRe[g]! + w * py;
          bIm[g] = bIm[g]! + w * r2;
        }
      }
    }
    fft.convolve([[aRe, aIm], [bRe, bIm]], this.kernel.subarray(0, N * N), G);

    let z = 0;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i]! - cx, py = y[2 * i + 1]! - cy;
      let p1 = 0, p2 = 0, p3 = 0, p4 = 0;
      for (let s = 0; s < NODES; s++) {
        const row = (gx[i]! + s) * N + gy[i]!;
        const ws = wx[NODES * i + s]!;
        for (let t = 0; t < NODES; t++) {
          const w = ws * wy[NODES * i + t]!;
          const g = row + t;
          p1 += w * aRe[g]!;
          p2 += w * aIm[g]!;
          p3 += w * bRe[g]!;
          p4 += w * bIm[g]!;
        }
      }
      rep[2 * i] = px * p1 - p2;
      rep[2 * i + 1] = py * p1 - p3;
      z += (1 + px * px + py * py) * p1 - 2 * (px * p2 + py * p3) + p4;
    }
    return z - n; // drop each point's q_ii = 1
  }

  /** The padded grid side compute() uses for this layout: its cost grows as side² · log(side). */
  gridSide(y: Float64Array, n: number): number {
    return this.side(bounds(y, n).width);
  }

  // intervals from the spread (at least minIntervals while those are no narrower than finestInterval),
  // then as many more as the padded grid (2^a, 3·2^a or 5·2^a) holds for free:
  // a linear convolution of G nodes needs a circular one of length ≥ 2G − 1
  private side(width: number): number {
    const fine = Math.min(this.minIntervals, Math.ceil(width / this.finestInterval));
    const wanted = Math.max(1, fine, Math.ceil(width / this.intervalSize));
    return Math.min(fftLengthAtLeast(2 * NODES * wanted - 1), this.maxGrid);
  }

  /**
   * The 2-D transform of K at every node offset, even in both axes (offsets past ±(G − 1) are never
   * read), over N² (the inverse transform's scale). A real even sequence has a real even transform,
   * so two rows (then two columns) share one complex FFT, and only the first N/2 + 1 of each are
   * transformed; the rest are mirror copies. K is isotropic, so the result is symmetric too.
   */
  private kernelTransform(N: number, spacing: number): void {
    const kernel = this.kernel;
    const fft = this.fftOf(N).fft;
    const re = this.lineRe, im = this.lineIm;
    const half = N >> 1;
    const scale = 1 / (N * N);
    for (let r = 0; r <= half; r += 2) {
      for (let t = 0; t < 2; t++) {
        const line = t === 0 ? re : im;
        const dr = (r + t) * spacing;
        const dr2 = 1 + dr * dr;
        for (let c = 0; c < N; c++) {
          const dc = Math.min(c, N - c) * spacing;
          const q = 1 / (dr2 + dc * dc);
          line[c] = q * q * scale;
        }
      }
      fft.transform(re, im, 0, false);
      kernel.set(re.subarray(0, N), r * N);
      if (r + 1 <= half) kernel.set(im.subarray(0, N), (r + 1) * N);
    }
    for (let c = 0; c <= half; c += 2) {
      const c2 = Math.min(c + 1, half);
      for (let r = 0; r < N; r++) {
        const o = Math.min(r, N - r) * N;
        re[r] = kernel[o + c]!;
        im[r] = kernel[o + c2]!;
      }
      fft.transform(re, im, 0, false);
      for (let r = 0; r <= half; r++) {
        kernel[r * N + c] = re[r]!;
        kernel[r * N + c2] = im[r]!;
      }
    }
    for (let r = 0; r <= half; r++) {
      const o = r * N;
      for (let c = half + 1; c < N; c++) kernel[o + c] = kernel[o + N - c]!;
    }
    for (let r = half + 1; r < N; r++) kernel.copyWithin(r * N, (N - r) * N, (N - r) * N + N);
  }

  /** The transform for grid side N; the grids grow to the largest N seen and are used as prefixes. */
  private fftOf(N: number): Fft2d {
    let fft = this.ffts.get(N);
    if (!fft) this.ffts.set(N, (fft = new Fft2d(N)));
    if (this.lineRe.length < N) {
      this.lineRe = new Float64Array(N);
      this.lineIm = new Float64Array(N);
    }
    if (this.kernel.length < N * N) {
      // charge grids: G = ⌊(N + 1)/2⌋ rounded to whole intervals rows of N at most
      const rows = Math.floor((N + 1) / 2);
      this.aRe = new Float64Array(rows * N);
      this.aIm = new Float64Array(rows * N);
      this.bRe = new Float64Array(rows * N);
      this.bIm = new Float64Array(rows * N);
      this.kernel = new Float64Array(N * N);
    }
    return fft;
  }
}
