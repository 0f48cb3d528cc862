// What changed between two versions of a dataset, by externalId: added (only in `to`), removed (only in
// `from`), changed (in both, different Sample rows, i.e. different content). Counts plus a page of
// items in externalId order, with a keyset cursor, so a 100k-sample diff can be paged through.
import type { Store } from "../store.js";
import type { SqlClient } from "../sql.js";
import { ImportError } from "./errors.js";

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export type DiffKind = "added" | "removed" | "changed";

export interface DiffSample {
  sampleId: number;
  uri: string | null;
  label: string;
  siteId: number | null;
  metadata: unknown;
  sha256: string | null;
  contentHash: string;
  /** Row position in its version. */
  position: number;
}

export interface DiffItem {
  kind: DiffKind;
  externalId: string;
  /** The sample in `from` (null when added). */
  before: DiffSample | null;
  /** The sample in `to` (null when removed). */
  after: DiffSample | null;
}

export interface VersionDiff {
  fromVersionId: number | null;
  toVersionId: number;
  counts: DiffCounts;
  items: DiffItem[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface VersionDiffOptions {
  /** Which kinds to list (default all three). Counts always cover all kinds. */
  kinds?: readonly DiffKind[];
  /** Items per page (default 100, at most 1000). */
  limit?: number;
  /** Cursor: list items whose externalId sorts after this one. */
  after?: string;
}

const MAX_LIMIT = 1000;

const SIDES = `
  a AS (SELECT s."externalId" AS ext, s.id FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1),
  b AS (SELECT s."externalId" AS ext, s.id FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $2)`;

/** Counts only; `fromVersionId` null means "nothing" (every sample of `to` is added). */
export async function versionDiffCounts(
  sql: SqlClient,
  fromVersionId: number | null,
  toVersionId: number,
): Promise<DiffCounts> {
  const r = await sql.query<DiffCounts>(
    `WITH ${SIDES}
     SELECT count(*) FILTER (WHERE a.id IS NULL)::int AS added,
            count(*) FILTER (WHERE b.id IS NULL)::int AS removed,
            count(*) FILTER (WHERE a.id <> b.id)::int AS changed,
            count(*) FILTER (WHERE a.id = b.id)::int AS unchanged
     FROM a FULL JOIN b ON a.ext = b.ext`,
    [fromVersionId ?? -1, toVersionId],
  );
  return r.rows[0]!;
}

/**
 * The diff between two versions of the same dataset. `fromVersionId` null compares against nothing.
 * Throws ImportError NOT_FOUND for a missing version and BAD_INPUT for versions of different datasets.
 */
export async function versionDiff(
  store: Store,
  fromVersionId: number | null,
  toVersionId: number,
  options: VersionDiffOptions = {},
): Promise<VersionDiff> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ImportError("BAD_INPUT", `limit: expected an integer in 1..${MAX_LIMIT}, got ${limit}`);
  }
  const kinds = options.kinds ?? ["added", "removed", "changed"];
  for (const k of kinds) {
    if (k !== "added" && k !== "removed" && k !== "changed")
      throw new ImportError("BAD_INPUT", `kinds: expected added|removed|changed, got "${String(k)}"`);
  }
  const ids = fromVersionId === null ? [toVersionId] : [fromVersionId, toVersionId];
  const found = await store.sql.query<{ id: number; datasetId: number }>(
    `SELECT id, "datasetId" FROM "DatasetVersion" WHERE id = ANY($1::int[])`,
    [ids],
  );
  for (const id of ids) {
    if (!found.rows.some((r) => r.id === id))
      throw new ImportError("NOT_FOUND", `version: expected an existing version id, got ${id}`);
  }
  if (new Set(found.rows.map((r) => r.datasetId)).size > 1) {
    throw new ImportError(
      "BAD_INPUT",
      `versions ${fromVersionId} and ${toVersionId} belong to different datasets`,
    );
  }
  const counts = await versionDiffCounts(store.sql, fromVersionId, toVersionId);
  const kindSql = `CASE WHEN a.id IS NULL THEN 'added' WHEN b.id IS NULL THEN 'removed' ELSE 'changed' END`;
  const rows = await store.sql.query<{ kind: DiffKind; ext: string; aid: number | null; bid: number | null }>(
    `WITH ${SIDES}
     SELECT ${kindSql} AS kind, coalesce(a.ext, b.ext) AS ext, a.id AS aid, b.id AS bid
     FROM a FULL JOIN b ON a.ext = b.ext
     WHERE (a.id IS DISTINCT FROM b.id) AND ${kindSql} = ANY($3::text[]) AND ($4::text IS NULL OR coalesce(a.ext, b.ext) > $4)
     ORDER BY coalesce(a.ext, b.ext)
     LIMIT $5`,
    [fromVersionId ?? -1, toVersionId, kinds, options.after ?? null, limit + 1],
  );
  const page = rows.rows.slice(0, limit);
  const sampleIds = page.flatMap((r) => [r.aid, r.bid]).filter((id): id is number => id !== null);
  const samples = new Map<string, DiffSample>();
  if (sampleIds.length > 0) {
    const s = await store.sql.query<DiffSample & { versionId: number }>(
      `SELECT s.id AS "sampleId", s.uri, s.label, s."siteId", s.metadata, s.sha256, s."contentHash", d.position, d."versionId"
       FROM "Sample" s JOIN "DatasetVersionSample" d ON d."sampleId" = s.id
       WHERE s.id = ANY($1::int[]) AND d."versionId" = ANY($2::int[])`,
      [sampleIds, ids],
    );
    for (const { versionId, ...sample } of s.rows) samples.set(`${versionId}:${sample.sampleId}`, sample);
  }
  const items: DiffItem[] = page.map((r) => ({
    kind: r.kind,
    externalId: r.ext,
    before: r.aid === null ? null : (samples.get(`${fromVersionId}:${r.aid}`) ?? null),
    after: r.bid === null ? null : (samples.get(`${toVersionId}:${r.bid}`) ?? null),
  }));
  return {
    fromVersionId,
    toVersionId,
    counts,
    items,
    nextCursor: rows.rows.length > limit ? page[page.length - 1]!.ext : null,
  };
}
