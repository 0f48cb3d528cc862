// A WebAssembly SIMD kernel for x·c (float32 rows, float64 centre), used by kCenterGreedy on large
// float32 inputs. It computes exactly what the TypeScript loop computes (same products, same
// summation order; see wasm/dot.wat), about twice as fast. Falls back to null (the caller then uses
// its TypeScript loop) where WebAssembly or SIMD is unavailable or the rows don't fit in 2 GiB.
import { DOT_WASM_BASE64 } from "./dot-wasm.js";

export interface DotKernel {
  /** Sets the centre (dim values). */
  setCentre(c: Float64Array): void;
  /** Row i · centre. */
  dot(i: number): number;
}

// The few WebAssembly types used here (the engine's lib settings carry no DOM or wasm typings).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}

let compiled: object | null | undefined;

function compile(): object | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (!wasm) throw new Error("no WebAssembly");
    const bin = atob(DOT_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new wasm.Module(bytes);
  } catch {
    compiled = null; // no WebAssembly, or no SIMD
  }
  return compiled;
}

const MAX_BYTES = 2 ** 31;

/**
 * createDotKernel(m, dim, fill) → a kernel over m rows of dim float32 values, which `fill(view)`
 * writes into the kernel's memory (a Float32Array of m·dim), or null when unavailable.
 */
export function createDotKernel(m: number, dim: number, fill: (rows: Float32Array) => void): DotKernel | null {
  const mod = compile();
  if (!mod) return null;
  const cBytes = Math.ceil((dim * 8) / 16) * 16;
  const total = cBytes + m * dim * 4;
  if (total > MAX_BYTES) return null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
  let instance: WasmInstance;
  try {
    instance = new wasm.Instance(mod, {});
    const memory = instance.exports.memory as WasmMemory;
    const pages = Math.ceil(total / 65536);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
  } catch {
    return null; // out of memory for a second copy: the TypeScript loop needs none
  }
  const memory = instance.exports.memory as WasmMemory;
  const dotFn = instance.exports.dot as (x: number, c: number, dim: number) => number;
  fill(new Float32Array(memory.buffer, cBytes, m * dim));
  const centre = new Float64Array(memory.buffer, 0, dim);
  const rowBytes = dim * 4;
  return {
    setCentre: (c) => centre.set(c),
    dot: (i) => dotFn(cBytes + i * rowBytes, 0, dim),
  };
}
