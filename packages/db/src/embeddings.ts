// Reads an EmbeddingSet back as one flat float32 matrix in version position order: what the analysis
// and selection jobs feed to the engine. Paged by position (keyset), so the driver never holds more
// than one page of rows besides the result itself.
import type { Store } from "./store.js";

export interface EmbeddingMatrix {
  /** n × dim float32, row-major, rows in position order. */
  points: Float32Array;
  n: number;
  dim: number;
  /** Sample id of each row. */
  sampleIds: Int32Array;
  /** Version position of each row (ascending; gaps where a sample has no vector, e.g. it failed to embed). */
  positions: Int32Array;
  datasetVersionId: number;
}

export interface LoadEmbeddingMatrixOptions {
  /** Rows per query (default 8192, i.e. ~25 MB of 768-d vectors). */
  pageRows?: number;
}

export async function loadEmbeddingMatrix(
  store: Store,
  embeddingSetId: number,
  options: LoadEmbeddingMatrixOptions = {},
): Promise<EmbeddingMatrix> {
  const pageRows = options.pageRows ?? 8192;
  if (!Number.isInteger(pageRows) || pageRows < 1)
    throw new RangeError(`pageRows: expected an integer ≥ 1, got ${pageRows}`);
  const set = (
    await store.sql.query<{ dim: number; datasetVersionId: number; n: number }>(
      `SELECT es.dim, es."datasetVersionId", (SELECT count(*)::int FROM "EmbeddingVector" v WHERE v."setId" = es.id) AS n
       FROM "EmbeddingSet" es WHERE es.id = $1`,
      [embeddingSetId],
    )
  ).rows[0];
  if (!set) throw new RangeError(`embeddingSetId: expected an existing embedding set, got ${embeddingSetId}`);
  const { dim, n, datasetVersionId } = set;
  const points = new Float32Array(n * dim);
  const bytesOut = new Uint8Array(points.buffer);
  const sampleIds = new Int32Array(n);
  const positions = new Int32Array(n);
  const rowBytes = dim * 4;
  let at = 0;
  let after = -1;
  for (;;) {
    const page = await store.sql.query<{ position: number; sampleId: number; vector: Uint8Array }>(
      `SELECT d.position, v."sampleId", v.vector
       FROM "EmbeddingVector" v
       JOIN "DatasetVersionSample" d ON d."versionId" = $2 AND d."sampleId" = v."sampleId"
       WHERE v."setId" = $1 AND d.position > $3
       ORDER BY d.position
       LIMIT $4`,
      [embeddingSetId, datasetVersionId, after, pageRows],
    );
    for (const row of page.rows) {
      if (at >= n)
        throw new Error(`loadEmbeddingMatrix: set ${embeddingSetId} gained vectors while being read`);
      if (row.vector.length !== rowBytes) {
        throw new Error(
          `loadEmbeddingMatrix: set ${embeddingSetId}, sample ${row.sampleId}: expected ${rowBytes} bytes (${dim} float32), got ${row.vector.length}`,
        );
      }
      bytesOut.set(row.vector, at * rowBytes);
      sampleIds[at] = row.sampleId;
      positions[at] = row.position;
      at++;
    }
    if (page.rows.length < pageRows) break;
    after = page.rows[page.rows.length - 1]!.position;
  }
  if (at !== n)
    throw new Error(
      `loadEmbeddingMatrix: set ${embeddingSetId}: read ${at} vectors, expected ${n} (vectors of samples outside version ${datasetVersionId}?)`,
    );
  return { points, n, dim, sampleIds, positions, datasetVersionId };
}
