// Principal component analysis, exact (eigen-decomposition of the d×d covariance) or randomized
// (Halko, Martinsson & Tropp 2011: range finder with power iterations). The input is never copied
// or centred in place: centring happens row by row in a small Float64 buffer, so a 50k×384 float32
// matrix costs no extra memory beyond the d×d covariance.
import { symmetricEigen } from "../linalg/eigen.js";
import { EngineInputError, type Points, type Rng } from "../types.js";

export interface PcaOptions {
  /** Number of components to keep, 1..min(n, dim). */
  components: number;
  /** "auto" (default): exact while dim ≤ 800, randomized above. */
  method?: "auto" | "exact" | "randomized";
  /** Randomized SVD: extra random directions beyond `components` (default 10). */
  oversamples?: number;
  /** Randomized SVD: power iterations (default 4). */
  powerIterations?: number;
  /** Required for the randomized method. */
  rng?: Rng;
  /**
   * Only these rows of `points` (indices, in this order): the result is bit for bit that of PCA of a
   * matrix holding just those rows (same values, same summation order), without copying them. A class
   * of a shared matrix is analysed this way.
   */
  rows?: ArrayLike<number>;
}

export interface PcaResult {
  /** Number of components kept. */
  k: number;
  method: "exact" | "randomized";
  /** Principal axes, k rows of length dim (unit length; largest-magnitude entry positive). */
  components: Float64Array;
  mean: Float64Array;
  /** Variance along each axis (ddof = 1). */
  explainedVariance: Float64Array;
  /** Share of the total variance per axis. */
  explainedVarianceRatio: Float64Array;
  /** The centred data projected on the axes, n×k row-major (n = rows.length with `rows`). */
  projected: Float64Array;
}

/** Offset in `data` of row i of the (possibly subset) input. */
type RowOffset = (i: number) => number;

function rowOffsets(rows: ArrayLike<number> | undefined, n: number, dim: number): RowOffset {
  if (!rows) return (i) => i * dim;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new EngineInputError("BAD_ROW", "rows", `pca: expected rows in 0..${n - 1}, got ${r} at ${i}`);
  }
  return (i) => rows[i]! * dim;
}

export function pca(points: Points, options: PcaOptions): PcaResult {
  const { dim, data } = points;
  const off = rowOffsets(options.rows, points.n, dim);
  const n = options.rows ? options.rows.length : points.n;
  const k = options.components;
  if (n < 1) throw new EngineInputError("EMPTY_INPUT", "points", "pca: expected at least 1 point, got 0");
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, dim)) {
    throw new EngineInputError("BAD_COMPONENTS", "components", `pca: expected components in 1..${Math.min(n, dim)}, got ${k}`);
  }
  const method = options.method === "randomized" || (options.method !== "exact" && dim > 800) ? "randomized" : "exact";
  const mean = columnMeans(data, n, dim, off);
  let totalVar = 0;
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = off(i);
    for (let j = 0; j < dim; j++) {
      const v = data[o + j]! - mean[j]!;
      totalVar += v * v;
    }
  }
  const ddof = Math.max(1, n - 1);
  totalVar /= ddof;

  let components: Float64Array;
  let variances: Float64Array;
  if (method === "exact") {
    const cov = covariance(data, n, dim, mean, off);
    for (let i = 0; i < cov.length; i++) cov[i] = cov[i]! / ddof;
    const eig = symmetricEigen(cov, dim);
    components = eig.vectors.slice(0, k * dim);
    variances = eig.values.slice(0, k).map((v) => Math.max(0, v));
  } else {
    if (!options.rng) throw new EngineInputError("RNG_REQUIRED", "rng", "pca: the randomized method needs an rng");
    ({ components, variances } = randomizedPca(data, n, dim, off, mean, k, options.oversamples ?? 10, options.powerIterations ?? 4, options.rng));
    for (let i = 0; i < k; i++) variances[i] = variances[i]! / ddof;
  }
  const projected = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = off(i);
    for (let j = 0; j < dim; j++) row[j] = data[o + j]! - mean[j]!;
    // four components at a time (four independent sums, each still in j order)
    let c = 0;
    for (; c + 3 < k; c += 4) {
      const c0 = c * dim, c1 = c0 + dim, c2 = c1 + dim, c3 = c2 + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < dim; j++) {
        const x = row[j]!;
        s0 += x * components[c0 + j]!;
        s1 += x * components[c1 + j]!;
        s2 += x * components[c2 + j]!;
        s3 += x * components[c3 + j]!;
      }
      projected[i * k + c] = s0;
      projected[i * k + c + 1] = s1;
      projected[i * k + c + 2] = s2;
      projected[i * k + c + 3] = s3;
    }
    for (; c < k; c++) {
      const co = c * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += row[j]! * components[co + j]!;
      projected[i * k + c] = s;
    }
  }
  const ratio = variances.map((v) => (totalVar > 0 ? v / totalVar : 0));
  return { k, method, components, mean, explainedVariance: variances, explainedVarianceRatio: ratio, projected };
}

function columnMeans(data: Points["data"], n: number, dim: number, off: RowOffset): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = off(i);
    for (let j = 0; j < dim; j++) mean[j] = mean[j]! + data[o + j]!;
  }
  for (let j = 0; j < dim; j++) mean[j] = mean[j]! / n;
  return mean;
}

/** Rows per block of the covariance sum: each pass over the d×d triangle adds this many rows. */
const COV_ROWS = 8;

/**
 * Xcᵀ Xc (not divided by n − 1), accumulated COV_ROWS rows at a time to cut traffic on the d×d sum;
 * the block is stored column-interleaved (block[j·COV_ROWS + t] = row t, column j), so the COV_ROWS
 * values a product needs sit side by side.
 */
function covariance(data: Points["data"], n: number, dim: number, mean: Float64Array, off: RowOffset): Float64Array {
  const c = new Float64Array(dim * dim);
  const block = new Float64Array(dim * COV_ROWS);
  for (let i = 0; i < n; i += COV_ROWS) {
    const m = Math.min(COV_ROWS, n - i);
    if (m < COV_ROWS) block.fill(0);
    for (let t = 0; t < m; t++) {
      const o = off(i + t);
      for (let j = 0; j < dim; j++) block[j * COV_ROWS + t] = data[o + j]! - mean[j]!;
    }
    for (let a = 0; a < dim; a++) {
      const ao = a * COV_ROWS;
      const x0 = block[ao]!, x1 = block[ao + 1]!, x2 = block[ao + 2]!, x3 = block[ao + 3]!;
      const x4 = block[ao + 4]!, x5 = block[ao + 5]!, x6 = block[ao + 6]!, x7 = block[ao + 7]!;
      const base = a * dim;
      for (let b = a, bo = ao; b < dim; b++, bo += COV_ROWS) {
        c[base + b] = c[base + b]! + (x0 * block[bo]! + x1 * block[bo + 1]! + x2 * block[bo + 2]! + x3 * block[bo + 3]!
          + x4 * block[bo + 4]! + x5 * block[bo + 5]! + x6 * block[bo + 6]! + x7 * block[bo + 7]!);
      }
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) c[a * dim + b] = c[b * dim + a]!;
  return c;
}

/** Orthonormalises the columns of the m×l row-major matrix in place (modified Gram–Schmidt). */
function orthonormalizeColumns(q: Float64Array, m: number, l: number): void {
  for (let c = 0; c < l; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i * l + c]! * q[i * l + p]!;
      for (let i = 0; i < m; i++) q[i * l + c] = q[i * l + c]! - dot * q[i * l + p]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * l + c]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 1e-300) for (let i = 0; i < m; i++) q[i * l + c] = q[i * l + c]! / norm;
    else for (let i = 0; i < m; i++) q[i * l + c] = 0;
  }
}

function randomizedPca(
  data: Points["data"], n: number, dim: number, off: RowOffset, mean: Float64Array, k: number,
  oversamples: number, powerIterations: number, rng: Rng,
): { components: Float64Array; variances: Float64Array } {
  const l = Math.min(k + oversamples, n, dim);
  const row = new Float64Array(dim);
  // Y = Xc Ω  (n×l), Ω is dim×l Gaussian
  let omega: Float64Array = new Float64Array(dim * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const y = new Float64Array(n * l);
  const multiply = (right: Float64Array): void => {
    // y = Xc · right  (right is dim×l)
    for (let i = 0; i < n; i++) {
      const o = off(i);
      for (let j = 0; j < dim; j++) row[j] = data[o + j]! - mean[j]!;
      for (let c = 0; c < l; c++) y[i * l + c] = 0;
      for (let j = 0; j < dim; j++) {
        const x = row[j]!;
        if (x === 0) continue;
        const ro = j * l;
        for (let c = 0; c < l; c++) y[i * l + c] = y[i * l + c]! + x * right[ro + c]!;
      }
    }
  };
  const multiplyT = (): Float64Array => {
    // z = Xcᵀ · y (dim×l)
    const z = new Float64Array(dim * l);
    for (let i = 0; i < n; i++) {
      const o = off(i);
      for (let j = 0; j < dim; j++) {
        const x = data[o + j]! - mean[j]!;
        const zo = j * l;
        for (let c = 0; c < l; c++) z[zo + c] = z[zo + c]! + x * y[i * l + c]!;
      }
    }
    return z;
  };
  multiply(omega);
  orthonormalizeColumns(y, n, l);
  for (let it = 0; it < powerIterations; it++) {
    omega = multiplyT();
    orthonormalizeColumns(omega, dim, l);
    multiply(omega);
    orthonormalizeColumns(y, n, l);
  }
  // B = Qᵀ Xc is l×dim; stored transposed as Bᵀ = Xcᵀ Q (dim×l).
  const bt = multiplyT();
  // B Bᵀ (l×l) = U S² Uᵀ, right singular vectors v = Bᵀ u / s.
  const bbt = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let b = a; b < l; b++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += bt[j * l + a]! * bt[j * l + b]!;
      bbt[a * l + b] = s;
      bbt[b * l + a] = s;
    }
  }
  const eig = symmetricEigen(bbt, l);
  const components = new Float64Array(k * dim);
  const variances = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const s2 = Math.max(0, eig.values[c]!);
    variances[c] = s2;
    const s = Math.sqrt(s2);
    let best = 0;
    for (let j = 0; j < dim; j++) {
      let v = 0;
      for (let a = 0; a < l; a++) v += bt[j * l + a]! * eig.vectors[c * l + a]!;
      v = s > 0 ? v / s : 0;
      components[c * dim + j] = v;
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    if (best < 0) for (let j = 0; j < dim; j++) components[c * dim + j] = -components[c * dim + j]!;
  }
  return { components, variances };
}
