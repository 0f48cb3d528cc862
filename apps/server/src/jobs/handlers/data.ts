// Reads what the engine needs from the database: a dataset version's embedded samples in manifest
// (position) order, their vectors as one flat Float32Array, labels and metadata columns.
import type { SqlClient } from "@stratum/db";
import { JobInputError } from "../types.js";

export interface VersionMatrix {
  n: number;
  dim: number;
  /** Row-major n × dim. */
  data: Float32Array;
  sampleIds: Int32Array;
  externalIds: string[];
  labels: string[];
  /** Metadata columns by name (plus `site`, the site code), value i for row i; null when unknown. */
  metadata: Record<string, (string | null)[]>;
}

const PAGE = 20_000; // rows per query, to keep result sets bounded

interface Row {
  position: number;
  sampleId: number;
  externalId: string;
  label: string;
  metadata: Record<string, unknown> | null;
  site: string | null;
  vector: Uint8Array;
}

/**
 * loadVersionMatrix(sql, versionId, setId) → the version's samples that have a vector in the set,
 * in position order. Samples that failed to embed are left out (they are listed in EmbeddingFailure).
 */
export async function loadVersionMatrix(
  sql: SqlClient,
  versionId: number,
  setId: number,
  onRows?: (done: number) => void,
): Promise<VersionMatrix> {
  const set = await sql.query<{ dim: number }>(`SELECT dim FROM "EmbeddingSet" WHERE id = $1`, [setId]);
  const dim = set.rows[0]?.dim;
  if (!dim) throw new JobInputError("NOT_FOUND", "embeddingSet", `embedding set ${setId} does not exist`);
  const rows: Row[] = [];
  let after = -1;
  for (;;) {
    const r = await sql.query<Row>(
      `SELECT dvs.position, s.id AS "sampleId", s."externalId", s.label, s.metadata, site.code AS site, v.vector
       FROM "DatasetVersionSample" dvs
       JOIN "Sample" s ON s.id = dvs."sampleId"
       JOIN "EmbeddingVector" v ON v."setId" = $2 AND v."sampleId" = s.id
       LEFT JOIN "Site" site ON site.id = s."siteId"
       WHERE dvs."versionId" = $1 AND dvs.position > $3
       ORDER BY dvs.position LIMIT $4`,
      [versionId, setId, after, PAGE],
    );
    rows.push(...r.rows);
    onRows?.(rows.length);
    if (r.rows.length < PAGE) break;
    after = (r.rows[r.rows.length - 1] as Row).position;
  }
  const n = rows.length;
  const data = new Float32Array(n * dim);
  const bytes = new Uint8Array(data.buffer);
  const sampleIds = new Int32Array(n);
  const externalIds: string[] = new Array(n);
  const labels: string[] = new Array(n);
  const keys = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row.metadata ?? {})) keys.add(k);
  const metadata: Record<string, (string | null)[]> = {};
  for (const k of keys) metadata[k] = new Array(n).fill(null);
  if (!keys.has("site")) metadata.site = new Array(n).fill(null);
  rows.forEach((row, i) => {
    const v = row.vector;
    if (v.byteLength !== dim * 4) {
      throw new JobInputError(
        "BAD_VECTOR",
        "embeddingSet",
        `sample ${row.externalId}: expected a vector of ${dim} float32 (${dim * 4} bytes), got ${v.byteLength} bytes`,
      );
    }
    bytes.set(v, i * dim * 4);
    sampleIds[i] = row.sampleId;
    externalIds[i] = row.externalId;
    labels[i] = row.label;
    for (const [k, value] of Object.entries(row.metadata ?? {})) {
      (metadata[k] as (string | null)[])[i] = value === null || value === undefined || value === "" ? null : String(value);
    }
    if (!keys.has("site")) (metadata.site as (string | null)[])[i] = row.site;
  });
  return { n, dim, data, sampleIds, externalIds, labels, metadata };
}

/** Inserts rows column-wise with unnest(), in chunks (one statement per chunk). */
export async function insertColumns(
  sql: SqlClient,
  table: string,
  columns: { name: string; type: string; values: ArrayLike<unknown> }[],
  chunk = 10_000,
): Promise<void> {
  const n = columns[0]?.values.length ?? 0;
  const names = columns.map((c) => `"${c.name}"`).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const params = columns.map((c) => Array.prototype.slice.call(c.values, start, end));
    await sql.query(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`, params);
  }
}
