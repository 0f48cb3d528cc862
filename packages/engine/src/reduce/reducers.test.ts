import { describe, expect, it } from "vitest";
import { expectClose } from "../__tests__/close.js";
import { flat, loadFixture } from "../__tests__/fixtures.js";
import { trustworthiness } from "../quality/trustworthiness.js";
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";
import { tsne } from "./tsne.js";
import { fitAB, fuzzyUnion, umap } from "./umap.js";

interface TsneFixture {
  n: number; dim: number; points: number[][]; labels: number[];
  sklearnTsneLayout: number[][]; sklearnTsneTrustworthiness10: number;
}
const fx = loadFixture<TsneFixture>("tsne.json");
const points = { data: flat(fx.points), n: fx.n, dim: fx.dim };

describe("t-SNE and UMAP layouts", () => {
  // (FFT with a coarser minimum grid than FIt-SNE's 50 intervals: 500 points need no finer one)
  it.each(["barnes-hut", "fft"] as const)("tsne(digits, {repulsion: %s}) reaches trustworthiness(k=10) within 0.02 of scikit-learn's t-SNE", (repulsion) => {
    const { embedding } = tsne(points, { rng: createRng(0), repulsion, fft: { minIntervals: 20 } });
    const t = trustworthiness(points, { data: embedding, n: fx.n, dim: 2 }, 10);
    expect(t).toBeGreaterThanOrEqual(fx.sklearnTsneTrustworthiness10 - 0.02);
  });

  it("tsne(digits) defaults to Barnes–Hut on small inputs: byte-identical to repulsion \"barnes-hut\"", () => {
    const small = { data: points.data.subarray(0, 200 * fx.dim), n: 200, dim: fx.dim };
    const a = tsne(small, { rng: createRng(1), iterations: 100 }).embedding;
    const b = tsne(small, { rng: createRng(1), iterations: 100, repulsion: "barnes-hut" }).embedding;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it("umap(digits) reaches trustworthiness(k=10) within 0.02 of scikit-learn's t-SNE", () => {
    const { embedding } = umap(points, { rng: createRng(0) });
    const t = trustworthiness(points, { data: embedding, n: fx.n, dim: 2 }, 10);
    expect(t).toBeGreaterThanOrEqual(fx.sklearnTsneTrustworthiness10 - 0.02);
  });

  it("tsne(points, {rng}) and umap(points, {rng}) are byte-identical for the same seed", () => {
    const small = { data: points.data.subarray(0, 150 * fx.dim), n: 150, dim: fx.dim };
    const a = tsne(small, { rng: createRng(3), iterations: 200 }).embedding;
    const b = tsne(small, { rng: createRng(3), iterations: 200 }).embedding;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const f1 = tsne(small, { rng: createRng(3), iterations: 200, repulsion: "fft", fft: { minIntervals: 20 } }).embedding;
    const f2 = tsne(small, { rng: createRng(3), iterations: 200, repulsion: "fft", fft: { minIntervals: 20 } }).embedding;
    expect(Buffer.from(f1.buffer).equals(Buffer.from(f2.buffer))).toBe(true);
    const c = umap(small, { rng: createRng(3), epochs: 100 }).embedding;
    const d = umap(small, { rng: createRng(3), epochs: 100 }).embedding;
    expect(Buffer.from(c.buffer).equals(Buffer.from(d.buffer))).toBe(true);
  });

  it("tsne restarts its optimiser when the exaggeration ends (sklearn's two phases): the rest equals a fresh run from that layout", () => {
    const small = { data: points.data.subarray(0, 120 * fx.dim), n: 120, dim: fx.dim };
    const whole = tsne(small, { rng: createRng(5), iterations: 60, exaggerationIterations: 50 }).embedding;
    const phase1 = tsne(small, { rng: createRng(5), iterations: 50, exaggerationIterations: 50 }).embedding;
    const phase2 = tsne(small, { rng: createRng(5), iterations: 10, exaggerationIterations: 0, init: phase1 }).embedding;
    expect(Buffer.from(whole.buffer).equals(Buffer.from(phase2.buffer))).toBe(true);
  });

  it("tsne(points) and umap(points) refuse fewer than 4 points", () => {
    const three = { data: new Float64Array(6), n: 3, dim: 2 };
    expect(() => tsne(three, { rng: createRng(0) })).toThrow(/at least 4 points, got 3/);
    expect(() => umap(three, { rng: createRng(0) })).toThrow(EngineInputError);
  });

  it("tsne(points, {repulsion}) refuses an unknown method", () => {
    const p = { data: points.data.subarray(0, 20 * fx.dim), n: 20, dim: fx.dim };
    expect(() => tsne(p, { rng: createRng(0), perplexity: 5, repulsion: "exact" as never })).toThrow(/expected repulsion to be one of auto\|fft\|barnes-hut, got exact/);
  });

  it("tsne(points, {perplexity}) refuses perplexity ≥ n", () => {
    const p = { data: points.data.subarray(0, 20 * fx.dim), n: 20, dim: fx.dim };
    expect(() => tsne(p, { rng: createRng(0), perplexity: 20 })).toThrow(/expected perplexity in \(0, 20\), got 20/);
  });

  it("tsne(duplicate points) and umap(duplicate points) return finite layouts", () => {
    const data = new Float64Array(40 * 3);
    for (let i = 20; i < 40; i++) data.fill(1, i * 3, i * 3 + 3);
    const p = { data, n: 40, dim: 3 };
    expect(tsne(p, { rng: createRng(0), perplexity: 5, iterations: 100 }).embedding.every(Number.isFinite)).toBe(true);
    expect(tsne(p, { rng: createRng(0), perplexity: 5, iterations: 100, repulsion: "fft", fft: { minIntervals: 10 } }).embedding.every(Number.isFinite)).toBe(true);
    expect(umap(p, { rng: createRng(0), nNeighbors: 5, epochs: 50 }).embedding.every(Number.isFinite)).toBe(true);
  });

  it("fitAB(1, 0.1) gives umap-learn's curve parameters", () => {
    const { a, b } = fitAB(1, 0.1);
    expectClose(a, 1.577, 0.01);
    expectClose(b, 0.895, 0.01);
  });
});

describe("fuzzyUnion", () => {
  // The Map-based union it replaced (kept here as the reference): edges in first-seen scan order.
  function mapUnion(n: number, k: number, indices: Int32Array, w: Float64Array) {
    const key = new Map<number, number>();
    const heads: number[] = [], tails: number[] = [], a: number[] = [], b: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = indices[i * k + t]!;
        if (j < 0 || j === i) continue;
        const lo = Math.min(i, j), hi = Math.max(i, j);
        let e = key.get(lo * n + hi);
        if (e === undefined) {
          e = heads.length;
          key.set(lo * n + hi, e);
          heads.push(lo); tails.push(hi); a.push(0); b.push(0);
        }
        if (i === lo) a[e] = w[i * k + t]!;
        else b[e] = w[i * k + t]!;
      }
    }
    return { heads: Int32Array.from(heads), tails: Int32Array.from(tails), weights: Float64Array.from(a, (x, e) => x + b[e]! - x * b[e]!) };
  }

  it("gives the same edges, order and weights as a Map-based union, missing slots, self-loops and repeats included", () => {
    const rng = createRng(7);
    for (const [n, k] of [[1, 1], [2, 1], [50, 5], [400, 15], [3000, 10]] as const) {
      const indices = new Int32Array(n * k);
      const w = new Float64Array(n * k);
      for (let q = 0; q < n * k; q++) {
        const r = rng.next();
        // mostly near neighbours (so pairs meet from both ends), some far, some -1, some self, some repeats
        indices[q] = r < 0.05 ? -1 : r < 0.08 ? Math.floor(q / k) : r < 0.8 ? (Math.floor(q / k) + 1 + Math.floor(rng.next() * 8)) % n : Math.floor(rng.next() * n);
        if (q % k > 0 && rng.next() < 0.03) indices[q] = indices[q - 1]!;
        w[q] = rng.next();
      }
      const got = fuzzyUnion({ n, k, indices, distances: new Float64Array(n * k), method: "exact" }, w);
      const want = mapUnion(n, k, indices, w);
      expect(got.heads).toEqual(want.heads);
      expect(got.tails).toEqual(want.tails);
      expect(got.weights).toEqual(want.weights);
    }
  });
});
