// "More like this": per-process cache of one search structure per embedding set. The set's vectors are
// loaded once (loadEmbeddingMatrix) and, above EXACT_SEARCH_MAX rows, the engine's similarity index is
// built over them once (kNN graph + pivots); later queries reuse it. Entries are kept in a small LRU
// bounded by their estimated bytes, so a process holds a few sets' vectors at most. A build is shared
// by concurrent callers (one promise per key). The key includes the set's count and completion time,
// so a re-filled set is loaded again.
import * as engine from "@stratum/engine";
import { loadEmbeddingMatrix, type Store } from "@stratum/db";

/** Sets up to this many rows are searched exactly (every vector compared); above, through the index. */
export const EXACT_SEARCH_MAX = 5_000;
/** Bytes of cached vectors and indexes per process. */
export const SIMILARITY_CACHE_BYTES = 768 * 1024 * 1024;

export interface SearchEntry {
  setId: number;
  points: engine.Points;
  sampleIds: Int32Array;
  rowOfSample: Map<number, number>;
  index: engine.SimilarityIndex | null;
  inv: Float64Array;
  bytes: number;
  builtMs: number;
}

interface Slot {
  key: string;
  entry: Promise<SearchEntry>;
  bytes: number;
}

export class SearchCache {
  private readonly slots = new Map<number, Slot>(); // insertion order = least recently used first
  private used = 0;
  constructor(private readonly maxBytes: number) {}

  has(setId: number, key: string): boolean {
    return this.slots.get(setId)?.key === key && this.slots.get(setId)!.bytes > 0;
  }

  get(setId: number, key: string, build: () => Promise<SearchEntry>): Promise<SearchEntry> {
    const slot = this.slots.get(setId);
    if (slot && slot.key === key) {
      this.slots.delete(setId);
      this.slots.set(setId, slot); // most recently used
      return slot.entry;
    }
    if (slot) this.drop(setId);
    const fresh: Slot = { key, bytes: 0, entry: build() };
    this.slots.set(setId, fresh);
    fresh.entry.then(
      (e) => {
        if (this.slots.get(setId) !== fresh) return;
        fresh.bytes = e.bytes;
        this.used += e.bytes;
        this.evict(setId);
      },
      () => {
        if (this.slots.get(setId) === fresh) this.slots.delete(setId); // a failed build is not cached
      },
    );
    return fresh.entry;
  }

  private drop(setId: number): void {
    const slot = this.slots.get(setId);
    if (!slot) return;
    this.used -= slot.bytes;
    this.slots.delete(setId);
  }

  /** Least recently used first, never the entry just built (a set larger than the budget is still served once). */
  private evict(keep: number): void {
    for (const setId of [...this.slots.keys()]) {
      if (this.used <= this.maxBytes) break;
      if (setId === keep || this.slots.get(setId)!.bytes === 0) continue;
      this.drop(setId);
    }
  }

  get usedBytes(): number {
    return this.used;
  }
}

const caches = new WeakMap<Store, SearchCache>();

export function searchCache(store: Store): SearchCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new SearchCache(SIMILARITY_CACHE_BYTES)));
  return c;
}

/** 1/‖row‖ per row (0 for a zero row), as the engine's exact search expects in `inv`. */
function inverseNorms(points: engine.Points): Float64Array {
  const { n, dim, data } = points;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) s += data[t]! * data[t]!;
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return inv;
}

async function build(store: Store, setId: number): Promise<SearchEntry> {
  const started = Date.now();
  const m = await loadEmbeddingMatrix(store.sql, setId);
  const points: engine.Points = { data: m.points, n: m.n, dim: m.dim };
  const rowOfSample = new Map<number, number>();
  m.sampleIds.forEach((id, row) => rowOfSample.set(id, row));
  const index = m.n > EXACT_SEARCH_MAX ? engine.buildSimilarityIndex(points, { seed: 0 }) : null;
  const inv = index ? index.inv : inverseNorms(points);
  // vectors + norms + ids (+ map) + the index's graph, adjacency and scratch
  let bytes = m.points.byteLength + inv.byteLength + m.sampleIds.byteLength + m.n * 48;
  if (index) bytes += index.graph.indices.byteLength + index.graph.distances.byteLength + index.adjacency.byteLength + index.offsets.byteLength + index.visited.byteLength;
  return { setId, points, sampleIds: m.sampleIds, rowOfSample, index, inv, bytes, builtMs: Date.now() - started };
}

export function searchEntry(store: Store, set: { id: number; count: number; completedAt: Date | null }): { warm: boolean; entry: Promise<SearchEntry> } {
  const key = `${set.count}:${set.completedAt?.getTime() ?? 0}`;
  const cache = searchCache(store);
  const warm = cache.has(set.id, key);
  return { warm, entry: cache.get(set.id, key, () => build(store, set.id)) };
}

/** Top-k rows for a query vector, the query's own row (if any) left out. */
export function search(entry: SearchEntry, query: Float32Array | number, k: number): { rows: Int32Array; scores: Float64Array; evaluated: number; method: "exact" | "index" } {
  const kk = Math.max(1, Math.min(k, entry.points.n - (typeof query === "number" ? 1 : 0)));
  if (entry.points.n < 1 || (typeof query === "number" && entry.points.n < 2)) return { rows: new Int32Array(0), scores: new Float64Array(0), evaluated: 0, method: "exact" };
  if (entry.index) {
    const r = engine.similarTo(entry.index, query, kk);
    return { ...r, method: "index" };
  }
  const r = engine.exactSimilar(entry.points, query, kk, { inv: entry.inv, ...(typeof query === "number" ? {} : { exclude: -1 }) });
  return { rows: r.rows, scores: r.scores, evaluated: entry.points.n, method: "exact" };
}
