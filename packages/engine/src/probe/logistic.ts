// Multinomial logistic regression with L2 regularisation, fitted by L-BFGS on the full batch.
// Objective (scikit-learn's convention, λ = 1/C):
//   f(W, b) = Σ_i −log softmax(W·x_i + b)[y_i] + (λ/2)·‖W‖²     (the intercepts b are not penalised)
// With `standardize` the features are centred and scaled by the training mean and standard deviation
// first (the model stores both and applies them at prediction time).
import { EngineInputError, type Points } from "../types.js";
import { minimizeLbfgs, type LbfgsOptions } from "./lbfgs.js";

export interface LogisticOptions extends LbfgsOptions {
  /** L2 strength λ on the weights (sum-of-losses convention, as scikit-learn's 1/C); default 1. */
  l2?: number;
  /** Standardise features with training mean/sd; default true. */
  standardize?: boolean;
}

export interface LogisticModel {
  classes: number;
  dim: number;
  /** C×dim weights, row-major (in standardised units when standardize). */
  weights: Float64Array;
  /** C intercepts. */
  intercepts: Float64Array;
  /** Per-feature mean and scale applied before the linear map (0 and 1 without standardize). */
  mean: Float64Array;
  scale: Float64Array;
  iterations: number;
  converged: boolean;
  /** Final objective value. */
  loss: number;
}

/** fitLogistic(points, y, classes, options) — y[i] in 0..classes−1. */
export function fitLogistic(points: Points, y: Int32Array, classes: number, options: LogisticOptions = {}): LogisticModel {
  const { n, dim, data } = points;
  const l2 = options.l2 ?? 1;
  if (y.length !== n) throw new EngineInputError("LENGTH_MISMATCH", "y", `expected ${n} labels, got ${y.length}`);
  if (!Number.isInteger(classes) || classes < 1) throw new EngineInputError("BAD_PARAM", "classes", `expected classes ≥ 1, got ${classes}`);
  if (!(l2 >= 0)) throw new EngineInputError("BAD_PARAM", "l2", `expected l2 ≥ 0, got ${l2}`);
  for (let i = 0; i < n; i++) {
    if (!(y[i]! >= 0 && y[i]! < classes)) throw new EngineInputError("BAD_LABEL", "y", `expected a class in 0..${classes - 1}, got ${y[i]} at row ${i}`);
  }
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim).fill(1);
  if (options.standardize ?? true) {
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += data[i * dim + j]!;
    for (let j = 0; j < dim; j++) mean[j]! /= Math.max(1, n);
    const v = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        const d = data[i * dim + j]! - mean[j]!;
        v[j]! += d * d;
      }
    }
    for (let j = 0; j < dim; j++) {
      const sd = Math.sqrt(v[j]! / Math.max(1, n));
      scale[j] = sd > 1e-12 ? sd : 1;
    }
  }
  const X = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) X[i * dim + j] = (data[i * dim + j]! - mean[j]!) / scale[j]!;

  const C = classes;
  const P = C * dim + C; // weights then intercepts
  const logits = new Float64Array(C);
  const objective = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      let mx = -Infinity;
      for (let c = 0; c < C; c++) {
        let z = w[C * dim + c]!;
        const wc = c * dim;
        for (let j = 0; j < dim; j++) z += w[wc + j]! * X[o + j]!;
        logits[c] = z;
        if (z > mx) mx = z;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - mx);
      const lse = mx + Math.log(sum);
      f += lse - logits[y[i]!]!;
      for (let c = 0; c < C; c++) {
        const r = Math.exp(logits[c]! - lse) - (c === y[i] ? 1 : 0);
        const wc = c * dim;
        for (let j = 0; j < dim; j++) grad[wc + j]! += r * X[o + j]!;
        grad[C * dim + c]! += r;
      }
    }
    for (let k = 0; k < C * dim; k++) {
      f += 0.5 * l2 * w[k]! * w[k]!;
      grad[k]! += l2 * w[k]!;
    }
    return f;
  };
  const res = minimizeLbfgs(objective, new Float64Array(P), {
    maxIter: options.maxIter ?? 1000,
    gradTol: options.gradTol ?? 1e-6,
    fTol: options.fTol ?? 1e-13,
    memory: options.memory ?? 10,
  });
  return {
    classes: C,
    dim,
    weights: res.x.slice(0, C * dim),
    intercepts: res.x.slice(C * dim),
    mean,
    scale,
    iterations: res.iterations,
    converged: res.converged,
    loss: res.f,
  };
}

/** predictProba(model, points) → n×C probabilities, row-major. */
export function predictProba(model: LogisticModel, points: Points): Float64Array {
  const { n, dim, data } = points;
  if (dim !== model.dim) throw new EngineInputError("DIM_MISMATCH", "points.dim", `expected dim ${model.dim} (as trained), got ${dim}`);
  const C = model.classes;
  const out = new Float64Array(n * C);
  const x = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) x[j] = (data[i * dim + j]! - model.mean[j]!) / model.scale[j]!;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) {
      let z = model.intercepts[c]!;
      for (let j = 0; j < dim; j++) z += model.weights[c * dim + j]! * x[j]!;
      out[i * C + c] = z;
      if (z > mx) mx = z;
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += out[i * C + c] = Math.exp(out[i * C + c]! - mx);
    for (let c = 0; c < C; c++) out[i * C + c]! /= sum;
  }
  return out;
}

/** predict(model, points) → most probable class per row (ties to the lower class). */
export function predict(model: LogisticModel, points: Points): Int32Array {
  const C = model.classes;
  const p = predictProba(model, points);
  const out = new Int32Array(points.n);
  for (let i = 0; i < points.n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (p[i * C + c]! > p[i * C + best]!) best = c;
    out[i] = best;
  }
  return out;
}
