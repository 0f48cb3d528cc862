// A WebAssembly SIMD kernel for x·c (float32 rows, float64 centre), used by kCenterGreedy on large
// float32 inputs. It computes exactly what the TypeScript loop computes (same products, same
// summation order; see wasm/dot.wat), about twice as fast. Falls back to null (the caller then uses
// its TypeScript loop) where WebAssembly or SIMD is unavailable or the rows don't fit in 2 GiB.
//
// Shared matrices: allocateSharedMatrix(n, dim) puts an n × dim float32 matrix inside a shared
// WebAssembly memory (its buffer a SharedArrayBuffer), so worker threads read it without a copy and
// createRowDotKernel runs the same dot product on its rows in place (dot-shared.wat), instead of
// copying a class's rows into the kernel's own memory (1.5 GB per class at 1M × 768).
import type { Points } from "../types.js";
import { DOT_SHARED_WASM_BASE64, DOT_WASM_BASE64 } from "./dot-wasm.js";

export interface DotKernel {
  /** Sets the centre (dim values). */
  setCentre(c: Float64Array): void;
  /** Row i · centre. */
  dot(i: number): number;
}

/** A DotKernel over rows of a matrix; release() gives back what it holds (call it when done). */
export interface RowDotKernel extends DotKernel {
  /** True when it reads the matrix in place (a shared matrix), false when it holds a copy of the rows. */
  readonly inPlace: boolean;
  release(): void;
}

// The few WebAssembly types used here (the engine's lib settings carry no DOM or wasm typings).
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

const modules = new Map<string, object | null>();

function compileModule(base64: string): object | null {
  if (modules.has(base64)) return modules.get(base64)!;
  let mod: object | null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (!wasm) throw new Error("no WebAssembly");
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    mod = new wasm.Module(bytes);
  } catch {
    mod = null; // no WebAssembly, or no SIMD (or no threads, for the shared module)
  }
  modules.set(base64, mod);
  return mod;
}

function compile(): object | null {
  return compileModule(DOT_WASM_BASE64);
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

// ── shared matrices ─────────────────────────────────────────────────────────
// Layout of the shared memory: a header, then the matrix (64-byte aligned). Header, as int32:
// [0] MAGIC, [1] dim, [2] slot bytes, [3] matrix byte offset, [4..4+SLOTS) slot flags (0 free, 1 taken),
// then SLOTS centres of dim float64 each: a kernel takes a slot for its centre (Atomics), so up to
// SLOTS kernels on any threads use one matrix at once; with none free a kernel copies its rows.
const MAGIC = 0x53544d31; // "STM1"
const SLOTS = 72;
const FLAGS_AT = 4;
const WASM_MAX_BYTES = 65536 * 65536; // 4 GiB: a 32-bit memory
const PAGE = 65536;

interface SharedMatrix {
  memory: WasmMemory;
  header: Int32Array;
  dim: number;
  slotBytes: number;
  matrixAt: number;
}

const shared = new WeakMap<object, SharedMatrix>();

function sharedOf(data: Points["data"]): SharedMatrix | undefined {
  return data instanceof Float32Array ? shared.get(data.buffer) : undefined;
}

/**
 * A new n × dim float32 matrix (zeros) that worker threads can read without a copy: inside a shared
 * WebAssembly memory when it fits in 4 GiB (then createRowDotKernel reads its rows in place), else on a
 * plain SharedArrayBuffer, else (no SharedArrayBuffer) an ordinary Float32Array.
 */
export function allocateSharedMatrix(n: number, dim: number): Float32Array {
  const length = n * dim;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const slotBytes = Math.ceil((dim * 8) / 16) * 16;
  const matrixAt = Math.ceil(((FLAGS_AT + SLOTS) * 4 + SLOTS * slotBytes) / 64) * 64;
  const total = matrixAt + length * 4;
  if (wasm && total <= WASM_MAX_BYTES && compileModule(DOT_SHARED_WASM_BASE64)) {
    try {
      const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(total / PAGE)), maximum: 65536, shared: true });
      const header = new Int32Array(memory.buffer, 0, FLAGS_AT + SLOTS);
      header[0] = MAGIC;
      header[1] = dim;
      header[2] = slotBytes;
      header[3] = matrixAt;
      const data = new Float32Array(memory.buffer, matrixAt, length);
      shared.set(memory.buffer, { memory, header, dim, slotBytes, matrixAt });
      return data;
    } catch {
      // address space refused: a plain shared buffer below
    }
  }
  if (typeof SharedArrayBuffer === "function") return new Float32Array(new SharedArrayBuffer(length * 4));
  return new Float32Array(length);
}

/** The shared WebAssembly memory holding `data` (allocateSharedMatrix), or null: what a thread needs to adopt it. */
export function sharedMatrixMemory(data: Points["data"]): object | null {
  return sharedOf(data)?.memory ?? null;
}

/**
 * On another thread: registers a memory from sharedMatrixMemory (sent with the matrix in one message)
 * so createRowDotKernel reads the matrix in place there too. Returns the matrix view, or null when the
 * memory is not one of allocateSharedMatrix's.
 */
export function adoptSharedMatrix(memory: object, data: Points["data"]): Points["data"] | null {
  const mem = memory as WasmMemory;
  if (!(data instanceof Float32Array) || !mem || !(mem.buffer instanceof SharedArrayBuffer)) return null;
  const header = new Int32Array(mem.buffer, 0, FLAGS_AT + SLOTS);
  if (header[0] !== MAGIC) return null;
  const known = shared.get(mem.buffer);
  if (!known) shared.set(mem.buffer, { memory: mem, header, dim: header[1]!, slotBytes: header[2]!, matrixAt: header[3]! });
  if (data.buffer === mem.buffer) return data;
  return new Float32Array(mem.buffer, data.byteOffset, data.length);
}

/**
 * A dot kernel over `m` rows of points (positions 0..m−1 are `rows[i]`, or rows 0..m−1 without rows):
 * in place when points live in a shared matrix (allocateSharedMatrix), else over a copy of those rows
 * in the kernel's own memory (createDotKernel); null when neither is possible. Same products either way.
 */
export function createRowDotKernel(points: Points, m: number, rows?: ArrayLike<number>): RowDotKernel | null {
  const { data, dim } = points;
  const sm = sharedOf(data);
  if (sm && sm.dim === dim) {
    const k = inPlaceKernel(sm, data as Float32Array, dim, rows);
    if (k) return k;
  }
  const copy = createDotKernel(m, dim, (view) => {
    if (!rows) view.set(data.subarray(0, m * dim));
    else for (let r = 0; r < m; r++) view.set(data.subarray(rows[r]! * dim, rows[r]! * dim + dim), r * dim);
  });
  return copy ? { ...copy, inPlace: false, release: () => {} } : null;
}

function inPlaceKernel(sm: SharedMatrix, data: Float32Array, dim: number, rows: ArrayLike<number> | undefined): RowDotKernel | null {
  const mod = compileModule(DOT_SHARED_WASM_BASE64);
  if (!mod) return null;
  let slot = -1;
  for (let s = 0; s < SLOTS; s++) {
    if (Atomics.compareExchange(sm.header, FLAGS_AT + s, 0, 1) === 0) {
      slot = s;
      break;
    }
  }
  if (slot < 0) return null;
  let instance: WasmInstance;
  try {
    instance = new (globalThis as { WebAssembly?: WasmApi }).WebAssembly!.Instance(mod, { env: { memory: sm.memory } });
  } catch {
    Atomics.store(sm.header, FLAGS_AT + slot, 0);
    return null;
  }
  const dotFn = instance.exports.dot as (x: number, c: number, dim: number) => number;
  const cAt = (FLAGS_AT + SLOTS) * 4 + slot * sm.slotBytes; // a multiple of 16
  const centre = new Float64Array(sm.memory.buffer, cAt, dim);
  const base = data.byteOffset;
  const rowBytes = dim * 4;
  let released = false;
  return {
    inPlace: true,
    setCentre: (c) => centre.set(c),
    // addresses above 2^31 wrap to negative i32, which WebAssembly reads as the same unsigned address
    dot: rows ? (i) => dotFn(base + rows[i]! * rowBytes, cAt, dim) : (i) => dotFn(base + i * rowBytes, cAt, dim),
    release: () => {
      if (released) return;
      released = true;
      Atomics.store(sm.header, FLAGS_AT + slot, 0);
    },
  };
}
