// Reads an EmbeddingSet back as one flat float32 matrix in version position order, with each row's
// sample (id, external id, label, site and metadata): what the analysis, selection and probe jobs feed
// to the engine. Paged by position (keyset) into a matrix allocated once from the set's vector count,
// so the driver never holds more than one page of rows besides the result itself.
import type { SqlClient } from "./sql.js";

export interface EmbeddingMatrix {
  /** n × dim float32, row-major, rows in position order. */
  points: Float32Array;
  n: number;
  dim: number;
  /** Sample id of each row. */
  sampleIds: Int32Array;
  /** Version position of each row (ascending; gaps where a sample has no vector, e.g. it failed to embed). */
  positions: Int32Array;
  externalIds: string[];
  labels: string[];
  /**
   * The manifest's metadata columns by name, value i for row i (null when missing or empty), plus `site`
   * (the sample's site code) unless the manifest has a `site` column of its own.
   */
  metadata: Record<string, (string | null)[]>;
  /** The set's dataset version (rows are that version's samples). */
  datasetVersionId: number;
}

export interface LoadEmbeddingMatrixOptions {
  /** Rows per query (default 8192, i.e. ~25 MB of 768-d vectors). */
  pageRows?: number;
  /** Called after each page with the rows read so far (job progress). */
  onRows?: (done: number) => void;
  /**
   * Only the rows of this class (Sample.label), still in position order: an analysis shard of one class
   * holds that class's rows, not the whole matrix.
   */
  label?: string;
  /**
   * Allocates the n × dim matrix (default: a new Float32Array). The ANALYZE and SELECT jobs pass
   * @stratum/engine's allocateSharedMatrix, so the engine's threads read the one matrix in place (a
   * SharedArrayBuffer) instead of copying each class. Must return n·dim zeros (a fresh array).
   */
  allocate?: (n: number, dim: number) => Float32Array;
}

/** The set is missing, a stored vector has the wrong length, or the set changed while being read. */
export class EmbeddingMatrixError extends Error {
  override name = "EmbeddingMatrixError";
  constructor(
    readonly code: "NOT_FOUND" | "BAD_VECTOR" | "CHANGED",
    message: string,
  ) {
    super(message);
  }
}

interface Row {
  position: number;
  sampleId: number;
  externalId: string;
  label: string;
  metadata: Record<string, unknown> | null;
  site: string | null;
  vector: Uint8Array;
}

export async function loadEmbeddingMatrix(
  sql: SqlClient,
  embeddingSetId: number,
  options: LoadEmbeddingMatrixOptions = {},
): Promise<EmbeddingMatrix> {
  const pageRows = options.pageRows ?? 8192;
  if (!Number.isInteger(pageRows) || pageRows < 1)
    throw new RangeError(`pageRows: expected an integer ≥ 1, got ${pageRows}`);
  const set = (
    await sql.query<{ dim: number; datasetVersionId: number; n: number }>(
      options.label === undefined
        ? `SELECT es.dim, es."datasetVersionId", (SELECT count(*)::int FROM "EmbeddingVector" v WHERE v."setId" = es.id) AS n
           FROM "EmbeddingSet" es WHERE es.id = $1`
        : `SELECT es.dim, es."datasetVersionId",
             (SELECT count(*)::int FROM "EmbeddingVector" v JOIN "Sample" s ON s.id = v."sampleId" WHERE v."setId" = es.id AND s.label = $2) AS n
           FROM "EmbeddingSet" es WHERE es.id = $1`,
      options.label === undefined ? [embeddingSetId] : [embeddingSetId, options.label],
    )
  ).rows[0];
  if (!set) throw new EmbeddingMatrixError("NOT_FOUND", `embedding set ${embeddingSetId} does not exist`);
  const { dim, n, datasetVersionId } = set;
  const points = options.allocate ? options.allocate(n, dim) : new Float32Array(n * dim);
  if (!(points instanceof Float32Array) || points.length !== n * dim) {
    throw new RangeError(`allocate(${n}, ${dim}): expected a Float32Array of ${n * dim} values`);
  }
  const bytesOut = new Uint8Array(points.buffer, points.byteOffset, points.byteLength);
  const sampleIds = new Int32Array(n);
  const positions = new Int32Array(n);
  const externalIds: string[] = new Array(n);
  const labels: string[] = new Array(n);
  const sites: (string | null)[] = new Array(n).fill(null);
  const metadata: Record<string, (string | null)[]> = {};
  const rowBytes = dim * 4;
  let at = 0;
  let after = -1;
  for (;;) {
    const page = await sql.query<Row>(
      `SELECT d.position, s.id AS "sampleId", s."externalId", s.label, s.metadata, site.code AS site, v.vector
       FROM "EmbeddingVector" v
       JOIN "DatasetVersionSample" d ON d."versionId" = $2 AND d."sampleId" = v."sampleId"
       JOIN "Sample" s ON s.id = v."sampleId"
       LEFT JOIN "Site" site ON site.id = s."siteId"
       WHERE v."setId" = $1 AND d.position > $3 ${options.label === undefined ? "" : `AND s.label = $5`}
       ORDER BY d.position
       LIMIT $4`,
      options.label === undefined ? [embeddingSetId, datasetVersionId, after, pageRows] : [embeddingSetId, datasetVersionId, after, pageRows, options.label],
    );
    for (const row of page.rows) {
      if (at >= n) throw new EmbeddingMatrixError("CHANGED", `embedding set ${embeddingSetId} gained vectors while being read`);
      if (row.vector.length !== rowBytes) {
        throw new EmbeddingMatrixError(
          "BAD_VECTOR",
          `embedding set ${embeddingSetId}, sample ${row.externalId}: expected a vector of ${dim} float32 (${rowBytes} bytes), got ${row.vector.length} bytes`,
        );
      }
      bytesOut.set(row.vector, at * rowBytes);
      sampleIds[at] = row.sampleId;
      positions[at] = row.position;
      externalIds[at] = row.externalId;
      labels[at] = row.label;
      sites[at] = row.site;
      for (const [key, value] of Object.entries(row.metadata ?? {})) {
        const column = (metadata[key] ??= new Array<string | null>(n).fill(null));
        column[at] = value === null || value === undefined || value === "" ? null : String(value);
      }
      at++;
    }
    options.onRows?.(at);
    if (page.rows.length < pageRows) break;
    after = page.rows[page.rows.length - 1]!.position;
  }
  if (at !== n) {
    throw new EmbeddingMatrixError(
      "CHANGED",
      `embedding set ${embeddingSetId}: read ${at} vectors, expected ${n} (vectors of samples outside version ${datasetVersionId}?)`,
    );
  }
  metadata.site ??= sites;
  return { points, n, dim, sampleIds, positions, externalIds, labels, metadata, datasetVersionId };
}
