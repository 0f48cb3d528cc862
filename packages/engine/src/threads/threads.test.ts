// The same analysis and selection on 1 and on 2 threads: identical bytes (every float's bits and every
// typed array's bytes of the whole result count) and the same manifest hash.
import { describe, expect, it } from "vitest";
import { analyze, groupsPerRow } from "../analyze.js";
import { createRng } from "../rng.js";
import { select } from "../select/select.js";
import { selectConstrained } from "../select/constrained.js";
import type { SelectInput } from "../select/types.js";
import { EngineInputError } from "../types.js";
import { allocateSharedMatrix, analyzeThreaded, isSharedMatrix, resolveThreads, selectConstrainedThreaded, selectThreaded, ThreadPool } from "./index.js";

/** 3 classes of unequal size, 2 sites shifting every class the same way, dim 64 (PCA off: dim ≤ 50 is not; 64 runs PCA to 50). */
function data(seed = 7, scale = 1) {
  const rng = createRng(seed);
  const sizes = { cat: 260 * scale, dog: 180 * scale, eel: 120 * scale };
  const dim = 64;
  const labels: string[] = [];
  const site: (string | null)[] = [];
  const rows: number[] = [];
  const centres = Object.keys(sizes).map(() => Array.from({ length: dim }, () => rng.normal() * 3));
  const shift = Array.from({ length: dim }, () => rng.normal() * 2);
  Object.entries(sizes).forEach(([label, count], c) => {
    for (let i = 0; i < count; i++) {
      const s = rng.next() < 0.5 ? 0 : 1;
      labels.push(label);
      site.push(i % 17 === 0 ? null : s ? "B" : "A");
      for (let t = 0; t < dim; t++) rows.push(centres[c]![t]! + s * shift[t]! + rng.normal());
    }
  });
  // interleave the classes (rows of a class are not contiguous in the pool)
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
  const points = new Float32Array(n * dim);
  order.forEach((from, to) => points.set(rows.slice(from * dim, (from + 1) * dim), to * dim));
  return {
    points: { data: points, n, dim },
    labels: order.map((i) => labels[i]!),
    metadata: { site: order.map((i) => site[i]!) },
    ids: order.map((_, i) => `s${String(i).padStart(4, "0")}`),
  };
}

/** Canonical bytes of a result: every number as its float64 bits, typed arrays as their raw bytes. */
function bytes(x: unknown): string {
  const f64 = new Float64Array(1);
  const bits = () => Buffer.from(f64.buffer).toString("hex");
  return JSON.stringify(x, (_k, v: unknown) => {
    if (typeof v === "number") return ((f64[0] = v), `n:${bits()}`);
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}`;
    return v;
  });
}

describe("threads: same bytes on 1 and 2 threads", () => {
  const d = data();

  it("analysis (umap and tsne), then every selection strategy over its groups", async () => {
    for (const reduce of ["umap", "tsne"] as const) {
      const one = await analyzeThreaded(d, { reduce, seed: 3 }, { threads: 1 });
      const two = await analyzeThreaded(d, { reduce, seed: 3 }, { threads: 2 });
      expect(one.classes.length).toBe(3);
      expect(bytes(two)).toBe(bytes(one));
      // threads = 1 is the engine's analyze() itself
      expect(bytes(one)).toBe(bytes(analyze(d, { reduce, seed: 3 })));

      const input: SelectInput = { points: d.points, labels: d.labels, ids: d.ids, metadata: d.metadata, groups: groupsPerRow(one, d.points.n) };
      for (const strategy of ["confounder-aware", "kcenter", "facility-location", "random", "stratified", "herding", "moderate"] as const) {
        const extra = strategy === "confounder-aware" ? { declared: ["site"] } : strategy === "stratified" ? { stratifyColumn: "site" } : {};
        const params = { strategy, perClass: 25, seed: 11, ...extra };
        const s1 = await selectThreaded(input, params, { threads: 1 });
        const s2 = await selectThreaded(input, params, { threads: 2 });
        expect(s1.selected.length).toBe(75);
        expect(s2.manifestHash).toBe(s1.manifestHash);
        expect(bytes(s2)).toBe(bytes(s1));
        expect(bytes(s1)).toBe(bytes(select(input, params)));
      }
    }
  });

  it("constrained selection (pool, exclusions, must-include)", async () => {
    const input: SelectInput = { points: d.points, labels: d.labels, ids: d.ids, metadata: d.metadata };
    const constraints = { exclude: [0, 1, 2, 3, 4], include: [10, 11], pool: Array.from({ length: 400 }, (_, i) => i + 5) };
    const params = { strategy: "kcenter" as const, perClass: 20, seed: 5 };
    const reference = selectConstrained(input, params, constraints);
    for (const threads of [1, 2, 3]) {
      const r = await selectConstrainedThreaded(input, params, constraints, { threads });
      expect(r.manifestHash).toBe(reference.manifestHash);
      expect(bytes(r)).toBe(bytes(reference));
    }
  });

  it("the comparison can fail: another seed gives other bytes and another hash", async () => {
    const input: SelectInput = { points: d.points, labels: d.labels, ids: d.ids };
    const a = await selectThreaded(input, { strategy: "kcenter", perClass: 25, seed: 1 }, { threads: 2 });
    const b = await selectThreaded(input, { strategy: "kcenter", perClass: 25, seed: 2 }, { threads: 2 });
    expect(b.manifestHash).not.toBe(a.manifestHash);
    const f1 = await analyzeThreaded(d, { reduce: "pca", seed: 1 }, { threads: 2 });
    const f2 = await analyzeThreaded(d, { reduce: "umap", seed: 1 }, { threads: 2 });
    expect(bytes(f2)).not.toBe(bytes(f1));
  });
});

/** The same points on a shared matrix: in a shared WebAssembly memory (allocateSharedMatrix) or a plain SharedArrayBuffer. */
function sharedCopy<T extends { points: { data: Float32Array | Float64Array; n: number; dim: number } }>(d: T, wasm: boolean): T {
  const { n, dim } = d.points;
  const data = wasm ? allocateSharedMatrix(n, dim) : new Float32Array(new SharedArrayBuffer(n * dim * 4));
  data.set(d.points.data);
  return { ...d, points: { data, n, dim } };
}

describe("threads: a shared matrix is read in place (class rows, no copies), with the same bytes", () => {
  it("analysis: the classes' rows of a shared matrix give the findings of the copied classes", async () => {
    const d = data();
    const reference = await analyzeThreaded(d, { reduce: "umap", seed: 3 }, { threads: 2 });
    for (const wasm of [true, false]) {
      const s = sharedCopy(d, wasm);
      expect(isSharedMatrix(s.points)).toBe(true);
      for (const threads of [1, 2]) expect(bytes(await analyzeThreaded(s, { reduce: "umap", seed: 3 }, { threads }))).toBe(bytes(reference));
    }
  });

  it("every strategy: the class rows of a shared matrix give select()'s bytes and hash (SIMD kernel in place)", async () => {
    // 4× the rows: the largest class is 1040 × 64 ≥ 65,536 values, so k-center and herding use the dot kernel
    const d = data(8, 4);
    const groups = Int32Array.from(d.metadata.site, (s) => (s === null ? -1 : s === "A" ? 0 : 1));
    const input: SelectInput = { points: d.points, labels: d.labels, ids: d.ids, metadata: d.metadata, groups };
    const inputs = [true, false].map((wasm) => ({ ...sharedCopy(input, wasm) }));
    for (const strategy of ["confounder-aware", "kcenter", "facility-location", "random", "stratified", "herding", "moderate"] as const) {
      const extra = strategy === "confounder-aware" ? { declared: ["site"] } : strategy === "stratified" ? { stratifyColumn: "site" } : {};
      const params = { strategy, perClass: 30, seed: 5, ...extra };
      const reference = select(input, params);
      for (const s of inputs) {
        for (const threads of [1, 2]) {
          const r = await selectThreaded(s, params, { threads });
          expect(r.manifestHash, `${strategy} on ${threads}`).toBe(reference.manifestHash);
          expect(bytes(r)).toBe(bytes(reference));
        }
      }
    }
  });
});

describe("threads setting and pool", () => {
  it("accepts integers 1..64 (numbers or decimal strings), rejects the rest with BAD_THREADS", () => {
    expect(resolveThreads(1)).toBe(1);
    expect(resolveThreads("64")).toBe(64);
    expect(resolveThreads(undefined)).toBeGreaterThanOrEqual(1);
    for (const bad of [0, 65, 1.5, -2, "2x", "", "0", Number.NaN, true]) {
      if (bad === "") continue; // empty = unset = default
      expect(() => resolveThreads(bad), String(bad)).toThrow(EngineInputError);
      try {
        resolveThreads(bad);
      } catch (e) {
        expect((e as EngineInputError).code).toBe("BAD_THREADS");
      }
    }
  });

  it("a kernel that throws in its thread rejects its task (the pool stays usable); an aborted signal rejects", async () => {
    const pool = new ThreadPool(1);
    try {
      const d = data();
      const input: SelectInput = { points: d.points, labels: d.labels, ids: d.ids };
      // selectClass trusts its caller; a stratified run without its column throws inside the thread
      const err = await pool
        .run("selectClass", { input, resolved: { strategy: "stratified", perClass: 3, seed: 0, stratifyColumn: "nope" }, label: "cat", classIndex: 0, rows: Int32Array.of(0, 1, 2, 3) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      // the thread that threw takes the next task
      const ok = await pool.run("selectClass", { input, resolved: { strategy: "random", perClass: 2, seed: 0 }, label: "cat", classIndex: 0, rows: Int32Array.of(0, 1, 2, 3) });
      expect(ok.picks).toHaveLength(2);
    } finally {
      await pool.close();
    }
    const controller = new AbortController();
    const d = data();
    const running = analyzeThreaded(d, { reduce: "tsne" }, { threads: 2, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled")), 50);
    await expect(running).rejects.toThrow("cancelled");
  });
});
