// t-SNE (van der Maaten, JMLR 2014). Input similarities on the k = 3·perplexity nearest neighbours
// (exact kNN up to 40k points, NN-descent above); repulsive forces either by Barnes–Hut on a
// quadtree with opening angle theta, or by FFT-accelerated interpolation (Linderman et al. 2019,
// reduce/fft-repulsion.ts), whose cost follows the layout's spread instead of n log n and wins on
// large inputs; scikit-learn's optimiser: early exaggeration 12 for 250 iterations
// with momentum 0.5, then momentum 0.8, the update and gains reset at the switch as sklearn does;
// delta-bar-delta gains (+0.2 / ×0.8, floor 0.01); learning
// rate "auto" = max(n / exaggeration / 4, 50) (Belkina et al. 2019) on the gradient 4·(F_attr − F_rep).
// Initialised from PCA scaled to standard deviation 1e-4, like sklearn's init="pca". Deterministic.
import { knnGraph, type KnnGraph } from "../neighbors/knn.js";
import { EngineInputError, type Points, type ProgressFn, type Rng } from "../types.js";
import { perplexityRows, symmetrize, type SparseMatrix } from "./affinity.js";
import { pca } from "./pca.js";
import { FftRepulsion, type FftRepulsionOptions } from "./fft-repulsion.js";
import { QuadTree } from "./quadtree.js";

export type TsneRepulsion = "auto" | "fft" | "barnes-hut";
export const TSNE_REPULSIONS: readonly TsneRepulsion[] = ["auto", "fft", "barnes-hut"];
/**
 * "auto" uses FFT interpolation in an iteration when its padded grid has at most this many cells
 * per point, else Barnes–Hut. FFT cost follows the grid (side² · log side, the side growing with the
 * layout's spread), Barnes–Hut's follows n; on 25k points FFT was 4.4× faster at side 384 (6 cells
 * per point), 3× at 512 (10) and even at 768 (24). Large inputs thus get FFT, and mid-sized ones FFT
 * while the layout is still compact.
 */
export const FFT_CELLS_PER_POINT = 24;
/**
 * Below this many points "auto" always uses Barnes–Hut (n = 384²/24, where the 50-interval grid
 * first fitted the rule above): compact layouts now get smaller FFT grids, but on small inputs
 * Barnes–Hut is cheap and its results stay what they were.
 */
export const FFT_MIN_POINTS = 6144;

export interface TsneOptions {
  rng: Rng;
  /** Effective number of neighbours (default 30). Must be < n. */
  perplexity?: number;
  /** Total gradient steps (default 750, of which `exaggerationIterations` exaggerated). */
  iterations?: number;
  exaggerationIterations?: number; // default 250
  earlyExaggeration?: number; // default 12
  learningRate?: number | "auto";
  /** Repulsive forces: "barnes-hut", "fft" (interpolation) or "auto" (default: per iteration, see FFT_CELLS_PER_POINT). */
  repulsion?: TsneRepulsion;
  /** Barnes–Hut opening angle (default 0.5; 0 = exact repulsion, slow). Unused by "fft". */
  theta?: number;
  /** Grid settings of the FFT repulsion (FIt-SNE's defaults: ≥ 50 intervals, each ≤ 1 unit wide). */
  fft?: FftRepulsionOptions;
  /** A precomputed kNN graph of `points` with k ≥ min(n − 1, ⌊3·perplexity⌋). */
  knn?: KnnGraph;
  /** Initial layout n×2 (default: PCA, scaled to std 1e-4). */
  init?: Float64Array;
  onProgress?: ProgressFn;
}

export interface TsneResult {
  /** n×2 layout. */
  embedding: Float64Array;
  /** The kNN graph the similarities were built on (reusable by the caller). */
  knn: KnnGraph;
}

export function tsne(points: Points, options: TsneOptions): TsneResult {
  const { n } = points;
  const perplexity = options.perplexity ?? 30;
  if (n < 4) throw new EngineInputError("TOO_FEW_POINTS", "points", `tsne: expected at least 4 points, got ${n}`);
  if (!(perplexity > 0) || perplexity >= n) {
    throw new EngineInputError("BAD_PERPLEXITY", "perplexity", `tsne: expected perplexity in (0, ${n}), got ${perplexity}`);
  }
  const iterations = options.iterations ?? 750;
  const exIters = Math.min(iterations, options.exaggerationIterations ?? 250);
  const exaggeration = options.earlyExaggeration ?? 12;
  const theta = options.theta ?? 0.5;
  if (!(theta >= 0 && theta <= 1)) throw new EngineInputError("BAD_THETA", "theta", `tsne: expected theta in [0, 1], got ${theta}`);
  const method = options.repulsion ?? "auto";
  if (!TSNE_REPULSIONS.includes(method)) {
    throw new EngineInputError("BAD_REPULSION", "repulsion", `tsne: expected repulsion to be one of ${TSNE_REPULSIONS.join("|")}, got ${String(method)}`);
  }
  const lr = options.learningRate === undefined || options.learningRate === "auto" ? Math.max(n / exaggeration / 4, 50) : options.learningRate;
  if (!(lr > 0)) throw new EngineInputError("BAD_LEARNING_RATE", "learningRate", `tsne: expected learningRate > 0, got ${lr}`);

  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  let graph = options.knn;
  if (!graph || graph.k < k || graph.n !== n) {
    // k = 3·perplexity is large, and NN-descent's rounds cost ~k² per point: on 25k × 50 PCA'd
    // points brute force took 105 s (75 s four pairs at a time) vs NN-descent's 128 s, so brute
    // force up to ~40k; NN-descent needs few candidates per round for near-exact recall at this k
    graph = knnGraph(points, k, options.rng, { exactBelow: 40_000, maxCandidates: Math.min(k, 16) });
  }
  const view: KnnGraph = graph.k === k ? graph : truncate(graph, k);
  const upper = upperTriangle(symmetrize(view, perplexityRows(view, perplexity)));

  const y = options.init ? Float64Array.from(options.init) : pcaInit(points, options.rng);
  if (y.length !== 2 * n) throw new EngineInputError("BAD_INIT", "init", `tsne: expected init of ${2 * n} values, got ${y.length}`);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  const rep = new Float64Array(2 * n);
  const fft = method === "barnes-hut" ? null : new FftRepulsion(n, options.fft);
  const barnesHut = method === "fft" ? null : barnesHutRepulsion(n, theta);

  for (let it = 0; it < iterations; it++) {
    if (it === exIters && it > 0) {
      // sklearn restarts its optimiser when the exaggeration ends: the exaggerated phase's momentum and
      // gains (grown on forces 12× too strong) would otherwise overshoot the first unexaggerated steps.
      // Measured on 10k points of the speed bench: trustworthiness (k = 10) 0.9707 → 0.9719.
      update.fill(0);
      gains.fill(1);
    }
    const exag = it < exIters ? exaggeration : 1;
    const momentum = it < exIters ? 0.5 : 0.8;
    // attractive forces over the sparse P, each pair once: j pulls i as much as i pulls j
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i]!, yi = y[2 * i + 1]!;
      let fx = 0, fy = 0;
      for (let s = upper.rowPtr[i]!, e = upper.rowPtr[i + 1]!; s < e; s++) {
        const j = upper.cols[s]!;
        const dx = xi - y[2 * j]!, dy = yi - y[2 * j + 1]!;
        const w = (upper.vals[s]! * exag) / (1 + dx * dx + dy * dy);
        const wx = w * dx, wy = w * dy;
        fx += wx;
        fy += wy;
        grad[2 * j] = grad[2 * j]! - wx;
        grad[2 * j + 1] = grad[2 * j + 1]! - wy;
      }
      grad[2 * i] = grad[2 * i]! + fx;
      grad[2 * i + 1] = grad[2 * i + 1]! + fy;
    }
    const useFft = fft !== null && (barnesHut === null || (n >= FFT_MIN_POINTS && fft.gridSide(y, n) ** 2 <= FFT_CELLS_PER_POINT * n));
    const sumQ = Math.max(useFft ? fft.compute(y, n, rep) : barnesHut!(y, rep), 1e-300);
    for (let t = 0; t < 2 * n; t++) {
      const g = 4 * (grad[t]! - rep[t]! / sumQ);
      const u = update[t]!;
      let gain = gains[t]!;
      gain = u * g < 0 ? gain + 0.2 : gain * 0.8;
      if (gain < 0.01) gain = 0.01;
      gains[t] = gain;
      const nu = momentum * u - lr * gain * g;
      update[t] = nu;
      y[t] = y[t]! + nu;
    }
    if (options.onProgress && (it % 25 === 24 || it === iterations - 1)) options.onProgress("t-SNE", it + 1, iterations);
  }
  return { embedding: y, knn: graph };
}

/**
 * Barnes–Hut repulsion: fills rep (n×2) with the unnormalised Σ_j q_ij²·(y_i − y_j) and returns
 * Z = Σ_{i≠j} q_ij, q_ij = 1/(1 + ‖y_i − y_j‖²), like FftRepulsion.compute.
 */
function barnesHutRepulsion(n: number, theta: number): (y: Float64Array, rep: Float64Array) => number {
  const tree = new QuadTree(n);
  const stack = new Int32Array(4 * 64 + 8);
  const theta2 = theta * theta;
  return (y, rep) => {
    // packed preorder copy of the tree; points visited in spatial order
    tree.build(y, n);
    tree.pack(n);
    let sumQ = 0;
    const { packed, packedChild, packedLeaf, order } = tree;
    for (let o = 0; o < n; o++) {
      const i = order[o]!;
      const xi = y[2 * i]!, yi = y[2 * i + 1]!;
      let rx = 0, ry = 0;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const v = stack[--top]!;
        const b = 4 * v;
        const dx = xi - packed[b]!, dy = yi - packed[b + 1]!;
        const d2 = dx * dx + dy * dy;
        if (packedLeaf[v] === 1 || packed[b + 2]! < theta2 * d2) {
          const q = 1 / (1 + d2);
          const c = packed[b + 3]!;
          sumQ += c * q;
          const m = c * q * q;
          rx += m * dx;
          ry += m * dy;
        } else {
          for (let t = 3; t >= 0; t--) {
            const ch = packedChild[b + t]!;
            if (ch >= 0) stack[top++] = ch;
          }
        }
      }
      rep[2 * i] = rx;
      rep[2 * i + 1] = ry;
    }
    return sumQ - n; // drop each point's q_ii = 1
  };
}

/** The entries j > i of a symmetric CSR matrix (its diagonal is empty). */
function upperTriangle(P: SparseMatrix): SparseMatrix {
  const { n } = P;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let s = P.rowPtr[i]!, e = P.rowPtr[i + 1]!; s < e; s++) if (P.cols[s]! > i) c++;
    rowPtr[i + 1] = rowPtr[i]! + c;
  }
  const cols = new Int32Array(rowPtr[n]!);
  const vals = new Float64Array(rowPtr[n]!);
  for (let i = 0, t = 0; i < n; i++) {
    for (let s = P.rowPtr[i]!, e = P.rowPtr[i + 1]!; s < e; s++) {
      if (P.cols[s]! > i) {
        cols[t] = P.cols[s]!;
        vals[t++] = P.vals[s]!;
      }
    }
  }
  return { n, rowPtr, cols, vals };
}

/** The first k columns of a graph with more neighbours per row. */
export function truncate(graph: KnnGraph, k: number): KnnGraph {
  const indices = new Int32Array(graph.n * k);
  const distances = new Float64Array(graph.n * k);
  for (let i = 0; i < graph.n; i++) {
    indices.set(graph.indices.subarray(i * graph.k, i * graph.k + k), i * k);
    distances.set(graph.distances.subarray(i * graph.k, i * graph.k + k), i * k);
  }
  return { n: graph.n, k, indices, distances, method: graph.method };
}

/** The first two principal components scaled to standard deviation `std` on the first axis. */
export function pcaInit(points: Points, rng: Rng, std = 1e-4): Float64Array {
  const { n, dim } = points;
  const y = new Float64Array(2 * n);
  if (dim >= 2 && n >= 2) {
    const { projected } = pca(points, { components: 2, rng });
    let m = 0;
    for (let i = 0; i < n; i++) m += projected[2 * i]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (projected[2 * i]! - m) ** 2;
    const sd = Math.sqrt(v / n);
    if (sd > 0) {
      for (let t = 0; t < 2 * n; t++) y[t] = (projected[t]! / sd) * std;
      return y;
    }
  }
  for (let t = 0; t < 2 * n; t++) y[t] = rng.normal() * std;
  return y;
}
