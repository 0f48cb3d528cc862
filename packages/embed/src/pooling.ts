// Encoder output → one vector per sample.
//   pooled: [N, D] (trailing 1s allowed, e.g. [N, D, 1, 1] from a global pool)
//   cls:    [N, T, D] → token 0
//   mean:   [N, T, D] → mean of tokens 1..T-1 (the patch tokens; the CLS token is left out)
// Optional L2 normalisation (a zero vector stays zero).
import type { Pooling } from "./config.js";
import { EmbedError } from "./errors.js";

/** Returns N × dim floats, row-major. Throws EmbedError MODEL_OUTPUT_MISMATCH / DIM_MISMATCH on a wrong shape. */
export function poolOutput(data: Float32Array, dims: readonly number[], pooling: Pooling, dim: number, l2Normalize: boolean): Float32Array {
  const shape = dims.map(Number);
  const n = shape[0] ?? 0;
  let out: Float32Array;
  if (pooling === "pooled") {
    while (shape.length > 2 && shape[shape.length - 1] === 1) shape.pop();
    if (shape.length !== 2) throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output.pooling "pooled" expects an output of shape [N, D], got [${dims.join(", ")}]`);
    if (shape[1] !== dim) throw new EmbedError("DIM_MISMATCH", `expected output dimension ${dim} (output.dim), got ${shape[1]} (output shape [${dims.join(", ")}])`);
    out = data.slice(0, n * dim);
  } else {
    if (shape.length !== 3) {
      throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output.pooling "${pooling}" expects tokens of shape [N, T, D], got [${dims.join(", ")}]`);
    }
    const t = shape[1]!;
    const d = shape[2]!;
    if (d !== dim) throw new EmbedError("DIM_MISMATCH", `expected output dimension ${dim} (output.dim), got ${d} (output shape [${dims.join(", ")}])`);
    if (pooling === "mean" && t < 2) throw new EmbedError("MODEL_OUTPUT_MISMATCH", `output.pooling "mean" needs patch tokens after the CLS token, got T = ${t}`);
    out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const base = i * t * d;
      if (pooling === "cls") {
        out.set(data.subarray(base, base + d), i * d);
      } else {
        const acc = new Float64Array(d);
        for (let k = 1; k < t; k++) {
          const row = base + k * d;
          for (let j = 0; j < d; j++) acc[j]! += data[row + j]!;
        }
        for (let j = 0; j < d; j++) out[i * d + j] = acc[j]! / (t - 1);
      }
    }
  }
  if (l2Normalize) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += out[i * dim + j]! ** 2;
      if (s > 0) {
        const inv = 1 / Math.sqrt(s);
        for (let j = 0; j < dim; j++) out[i * dim + j]! *= inv;
      }
    }
  }
  return out;
}
