// importDataset: one manifest (+ optional embeddings) → one new immutable DatasetVersion, in one
// transaction. Sample rows are never updated: an unchanged sample (same externalId and content hash)
// is reused through the version join; a changed one gets a new row. Content equal to the latest
// version's creates nothing (the existing version is returned, created: false).
//
// Order of work: (1) read and check the whole manifest and the embeddings header, writing nothing;
// (2) in one transaction: consortium/project/dataset (row-locked), sites, a lookup of the samples that
// already exist (by externalId + content hash), ids reserved from the sequence for the new ones, then
// binary COPY of the new Sample rows, the version join and the vectors — streamed from the file, each
// chunk checked (NaN/Inf, width, ids) before it is sent. Any error rolls the whole import back.
import {
  openEmbeddings,
  embeddingFormatOf,
  type EmbeddingReader,
  type ManifestFormat,
} from "@stratum/formats";
import { endianness } from "node:os";
import type { Store } from "../store.js";
import type { SqlClient } from "../sql.js";
import { CopyBinaryWriter } from "../copy-binary.js";
import { copyBinary } from "../bulk.js";
import { ImportError, asImportError } from "./errors.js";
import { readManifestRows, type ManifestColumns, type ParsedManifest } from "./manifest-rows.js";
import { versionDiffCounts, type DiffCounts } from "./diff.js";

export interface ImportInput extends ManifestColumns {
  /** Consortium slug, or its numeric id. */
  consortium: string | number;
  /** Project slug within the consortium. */
  project: string;
  /** Dataset name within the project; created on first import. */
  dataset: string;
  manifestPath: string;
  /** Default: from the manifest's extension. */
  format?: ManifestFormat;
  /** .npy (float32, 2-D), .csv or .parquet; row i belongs to manifest row i. */
  embeddingsPath?: string;
  /** Name of the (EXTERNAL) embedding model the vectors came from; required with embeddingsPath. */
  model?: string;
  /** Default "1". */
  modelVersion?: string;
  message?: string;
  authorId?: number | null;
  /**
   * Runs inside the import's transaction after its writes (the API writes its audit event here), so the
   * import and whatever the caller records about it commit or roll back together.
   */
  inTransaction?: (sql: SqlClient, result: ImportResult) => Promise<void>;
  /** Create the consortium and project when missing (the CLI does; the API does not). Default false. */
  createMissing?: boolean;
  /** Rows per COPY batch (default 4096). */
  batchRows?: number;
  /**
   * A site code the consortium does not have yet: "create" it (default; the CLI, the seed and an OWNER's
   * import), or "refuse" the import with UNKNOWN_SITE naming the site and its first row (the API for
   * roles that may not create sites).
   */
  newSites?: "create" | "refuse";
}

export type ImportPhase = "manifest" | "samples" | "embeddings";
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

export interface ImportResult {
  /** False when the content equals the latest version's: nothing new was created. */
  created: boolean;
  datasetId: number;
  version: { id: number; number: number; contentHash: string; sampleCount: number; parentId: number | null };
  /** Sample rows inserted by this import, and rows reused from earlier versions. */
  newSamples: number;
  reusedSamples: number;
  /** Against the parent version (all samples are "added" for a first version). */
  diff: DiffCounts;
  embeddings?: {
    setId: number;
    modelId: number;
    model: string;
    dim: number;
    count: number;
    created: boolean;
  };
  /** Sites this import created (the caller audits them), in the manifest's first-seen order. */
  createdSites: Array<{ id: number; code: string }>;
  /** One line for people: what happened. */
  summary: string;
}

const DEFAULT_BATCH_ROWS = 4096;

export async function importDataset(
  store: Store,
  input: ImportInput,
  onProgress?: ImportProgress,
): Promise<ImportResult> {
  let embeddings: EmbeddingReader | undefined;
  try {
    checkInput(input);
    const manifest = await readManifestRows(input.manifestPath, { ...input }, (n) =>
      onProgress?.("manifest", n, 0),
    );
    if (input.embeddingsPath)
      embeddings = await openCheckedEmbeddings(input.embeddingsPath, manifest, input.batchRows);
    return await store.transaction(async (sql) => {
      const result = await writeImport(store, sql, input, manifest, embeddings, onProgress);
      await input.inTransaction?.(sql, result);
      return result;
    });
  } catch (error) {
    throw asImportError(error);
  } finally {
    await embeddings?.close().catch(() => {});
  }
}

function checkInput(input: ImportInput): void {
  const nonEmpty = (value: unknown, field: string) => {
    if (typeof value !== "string" || value.trim() === "") {
      throw new ImportError(
        "BAD_INPUT",
        `${field}: expected a non-empty string, got ${JSON.stringify(value)}`,
      );
    }
  };
  if (typeof input.consortium !== "number") nonEmpty(input.consortium, "consortium");
  nonEmpty(input.project, "project");
  nonEmpty(input.dataset, "dataset");
  nonEmpty(input.manifestPath, "manifestPath");
  if (input.embeddingsPath !== undefined) {
    nonEmpty(input.embeddingsPath, "embeddingsPath");
    if (input.model === undefined)
      throw new ImportError(
        "BAD_INPUT",
        "model: expected the name of the model the embeddings came from, got nothing",
      );
    nonEmpty(input.model, "model");
    embeddingFormatOf(input.embeddingsPath);
  } else if (input.model !== undefined) {
    throw new ImportError("BAD_INPUT", "model: given without embeddingsPath; expected both or neither");
  }
  if (input.batchRows !== undefined && !(Number.isInteger(input.batchRows) && input.batchRows >= 1)) {
    throw new ImportError("BAD_INPUT", `batchRows: expected an integer ≥ 1, got ${input.batchRows}`);
  }
  if (endianness() !== "LE")
    throw new ImportError(
      "BAD_INPUT",
      "vectors are stored as little-endian float32; this machine is big-endian",
    );
}

async function openCheckedEmbeddings(
  file: string,
  manifest: ParsedManifest,
  batchRows = DEFAULT_BATCH_ROWS,
): Promise<EmbeddingReader> {
  const reader = await openEmbeddings(file, { rowsPerChunk: batchRows });
  if (reader.rows !== undefined && reader.rows !== manifest.n) {
    await reader.close();
    throw new ImportError(
      "ROW_COUNT_MISMATCH",
      `expected ${manifest.n} embedding rows (one per row of ${manifest.file}), got ${reader.rows}`,
      { file },
    );
  }
  return reader;
}

interface Ids {
  consortiumId: number;
  projectId: number;
  datasetId: number;
}

async function resolveOwner(sql: SqlClient, input: ImportInput): Promise<Ids> {
  let consortiumId: number | undefined;
  if (typeof input.consortium === "number") {
    consortiumId = (
      await sql.query<{ id: number }>(`SELECT id FROM "Consortium" WHERE id = $1`, [input.consortium])
    ).rows[0]?.id;
    if (consortiumId === undefined)
      throw new ImportError(
        "NOT_FOUND",
        `consortium: expected an existing consortium id, got ${input.consortium}`,
      );
  } else {
    const slug = input.consortium.trim();
    consortiumId = (await sql.query<{ id: number }>(`SELECT id FROM "Consortium" WHERE slug = $1`, [slug]))
      .rows[0]?.id;
    if (consortiumId === undefined) {
      if (!input.createMissing)
        throw new ImportError("NOT_FOUND", `consortium: expected an existing consortium slug, got "${slug}"`);
      await sql.query(`INSERT INTO "Consortium" (slug, name) VALUES ($1, $1) ON CONFLICT (slug) DO NOTHING`, [
        slug,
      ]);
      consortiumId = (await sql.query<{ id: number }>(`SELECT id FROM "Consortium" WHERE slug = $1`, [slug]))
        .rows[0]!.id;
    }
  }
  const projectSlug = input.project.trim();
  let projectId = (
    await sql.query<{ id: number }>(`SELECT id FROM "Project" WHERE "consortiumId" = $1 AND slug = $2`, [
      consortiumId,
      projectSlug,
    ])
  ).rows[0]?.id;
  if (projectId === undefined) {
    if (!input.createMissing)
      throw new ImportError("NOT_FOUND", `project: expected an existing project slug, got "${projectSlug}"`);
    await sql.query(
      `INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, $2, $2) ON CONFLICT ("consortiumId", slug) DO NOTHING`,
      [consortiumId, projectSlug],
    );
    projectId = (
      await sql.query<{ id: number }>(`SELECT id FROM "Project" WHERE "consortiumId" = $1 AND slug = $2`, [
        consortiumId,
        projectSlug,
      ])
    ).rows[0]!.id;
  }
  const name = input.dataset.trim();
  await sql.query(
    `INSERT INTO "Dataset" ("projectId", name) VALUES ($1, $2) ON CONFLICT ("projectId", name) DO NOTHING`,
    [projectId, name],
  );
  // The row lock serialises concurrent imports into one dataset (version numbers stay 1, 2, 3…).
  const datasetId = (
    await sql.query<{ id: number }>(
      `SELECT id FROM "Dataset" WHERE "projectId" = $1 AND name = $2 FOR UPDATE`,
      [projectId, name],
    )
  ).rows[0]!.id;
  return { consortiumId, projectId, datasetId };
}

async function writeImport(
  store: Store,
  sql: SqlClient,
  input: ImportInput,
  m: ParsedManifest,
  embeddings: EmbeddingReader | undefined,
  onProgress: ImportProgress | undefined,
): Promise<ImportResult> {
  const batchRows = input.batchRows ?? DEFAULT_BATCH_ROWS;
  const { consortiumId, datasetId } = await resolveOwner(sql, input);
  const latest = (
    await sql.query<{
      id: number;
      number: number;
      contentHash: string;
      sampleCount: number;
      parentId: number | null;
    }>(
      `SELECT id, number, "contentHash", "sampleCount", "parentId" FROM "DatasetVersion" WHERE "datasetId" = $1 ORDER BY number DESC LIMIT 1`,
      [datasetId],
    )
  ).rows[0];
  const unchanged = latest !== undefined && latest.contentHash === m.versionHash;
  if (unchanged && !embeddings) {
    return {
      created: false,
      datasetId,
      version: latest,
      newSamples: 0,
      reusedSamples: 0,
      diff: { added: 0, removed: 0, changed: 0, unchanged: latest.sampleCount },
      createdSites: [],
      summary: `no change: the content equals version ${latest.number} (${latest.contentHash.slice(0, 12)}); no new version created`,
    };
  }

  // Sites, by code: created when missing (and allowed); the created ones are returned for the audit log.
  const siteIds = new Map<string, number>();
  const createdSites: ImportResult["createdSites"] = [];
  if (m.siteCodes.length > 0) {
    if (input.newSites === "refuse") {
      const known = await sql.query<{ code: string }>(
        `SELECT code FROM "Site" WHERE "consortiumId" = $1 AND code = ANY($2::text[])`,
        [consortiumId, m.siteCodes],
      );
      const have = new Set(known.rows.map((r) => r.code));
      const i = m.siteCodes.findIndex((code) => !have.has(code));
      if (i >= 0) {
        const unknown = m.siteCodes.filter((code) => !have.has(code));
        throw new ImportError(
          "UNKNOWN_SITE",
          `site "${m.siteCodes[i]}" does not exist in this consortium${unknown.length > 1 ? ` (nor ${unknown.length - 1} more: ${unknown.slice(1, 6).map((c) => `"${c}"`).join(", ")})` : ""}; ` +
            "only an OWNER creates sites (siteCreate, or an OWNER's import)",
          { file: m.file, row: m.siteFirstRows[i], column: input.siteColumn ?? "site" },
        );
      }
    } else {
      const inserted = await sql.query<{ id: number; code: string }>(
        `INSERT INTO "Site" ("consortiumId", code, name) SELECT $1, c, c FROM unnest($2::text[]) AS c
         ON CONFLICT ("consortiumId", code) DO NOTHING RETURNING id, code`,
        [consortiumId, m.siteCodes],
      );
      const order = new Map(m.siteCodes.map((c, k) => [c, k]));
      createdSites.push(...inserted.rows.sort((a, b) => order.get(a.code)! - order.get(b.code)!));
    }
    const rows = await sql.query<{ id: number; code: string }>(
      `SELECT id, code FROM "Site" WHERE "consortiumId" = $1 AND code = ANY($2::text[])`,
      [consortiumId, m.siteCodes],
    );
    for (const r of rows.rows) siteIds.set(r.code, r.id);
  }

  // Manifest row i → Sample id: existing rows (same externalId and content) are reused; the others get
  // ids reserved from the sequence and are written by binary COPY, as is the version join.
  const sampleIds = await findExistingSamples(sql, datasetId, m);
  const missing: number[] = [];
  for (let i = 0; i < m.n; i++) if (sampleIds[i] === 0) missing.push(i);
  const newSamples = missing.length;
  if (unchanged && newSamples > 0)
    throw new Error(
      `internal: version ${latest.id} has the content but ${newSamples} of its samples are missing`,
    );
  if (newSamples > 0) {
    // nextval per id (safe with concurrent inserters); the sequence is looked up once, not per row.
    const seq = (await sql.query<{ seq: string }>(`SELECT pg_get_serial_sequence('"Sample"', 'id') AS seq`))
      .rows[0]!.seq;
    // Usually one contiguous run: then only its bounds come back, not 100k rows. With concurrent
    // inserters (or a sequence that does not step by 1) the ids come back as an array.
    const reserved = (
      await sql.query<{ lo: number; hi: number; ids: number[] | null }>(
        `SELECT min(id)::int AS lo, max(id)::int AS hi,
                CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL ELSE array_agg(id)::int[] END AS ids
         FROM (SELECT nextval($1::regclass) AS id FROM generate_series(1, $2::int)) AS t`,
        [seq, newSamples],
      )
    ).rows[0]!;
    for (let k = 0; k < newSamples; k++)
      sampleIds[missing[k]!] = reserved.ids ? reserved.ids[k]! : reserved.lo + k;
    await copyBinary(
      sql,
      store.kind,
      `"Sample" (id, "datasetId", "externalId", uri, label, "siteId", metadata, sha256, "contentHash")`,
      sampleBatches(m, missing, sampleIds, datasetId, siteIds, batchRows, onProgress),
    );
  }

  let version: ImportResult["version"];
  if (unchanged) {
    version = latest;
  } else {
    const number = (latest?.number ?? 0) + 1;
    const message = input.message?.trim() || `import ${m.file.split(/[\\/]/).pop()}`;
    const v = await sql.query<{ id: number }>(
      `INSERT INTO "DatasetVersion" ("datasetId", number, "parentId", message, "authorId", "contentHash", "sampleCount")
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [datasetId, number, latest?.id ?? null, message, input.authorId ?? null, m.versionHash, m.n],
    );
    version = {
      id: v.rows[0]!.id,
      number,
      contentHash: m.versionHash,
      sampleCount: m.n,
      parentId: latest?.id ?? null,
    };
    await copyBinary(
      sql,
      store.kind,
      `"DatasetVersionSample" ("versionId", "sampleId", position)`,
      joinBatches(version.id, sampleIds, batchRows),
    );
  }
  onProgress?.("samples", m.n, m.n);

  let embeddingResult: ImportResult["embeddings"];
  if (embeddings)
    embeddingResult = await writeEmbeddings(
      store,
      sql,
      input,
      m,
      embeddings,
      sampleIds,
      consortiumId,
      version.id,
      onProgress,
    );

  const diff = unchanged
    ? { added: 0, removed: 0, changed: 0, unchanged: m.n }
    : version.parentId === null
      ? { added: m.n, removed: 0, changed: 0, unchanged: 0 }
      : await versionDiffCounts(sql, version.parentId, version.id);
  const parts = unchanged
    ? [
        `no change: the content equals version ${version.number} (${version.contentHash.slice(0, 12)}); no new version created`,
      ]
    : [
        `version ${version.number} (${version.contentHash.slice(0, 12)}): ${m.n} samples; ${diff.added} added, ${diff.removed} removed, ${diff.changed} changed` +
          (version.parentId === null ? "" : ` since version ${version.number - 1}`) +
          `; ${newSamples} new sample rows, ${m.n - newSamples} reused`,
      ];
  if (embeddingResult) {
    parts.push(
      embeddingResult.created
        ? `embeddings: ${embeddingResult.count} × ${embeddingResult.dim} float32 from model "${embeddingResult.model}"`
        : `embeddings: model "${embeddingResult.model}" already has vectors for this version; kept them`,
    );
  }
  return {
    created: !unchanged,
    datasetId,
    version,
    newSamples,
    reusedSamples: unchanged ? m.n : m.n - newSamples,
    diff,
    ...(embeddingResult ? { embeddings: embeddingResult } : {}),
    createdSites,
    summary: parts.join("; "),
  };
}

/** Ids of the samples this dataset already has with the same externalId and content (0 where none). */
async function findExistingSamples(
  sql: SqlClient,
  datasetId: number,
  m: ParsedManifest,
): Promise<Int32Array> {
  const ids = new Int32Array(m.n);
  const any = await sql.query(`SELECT 1 FROM "Sample" WHERE "datasetId" = $1 LIMIT 1`, [datasetId]);
  if (any.rows.length === 0) return ids;
  const rowOf = new Map<string, number>();
  for (let i = 0; i < m.n; i++) rowOf.set(m.hashes[i]!, i);
  const page = 50_000; // hashes per query
  for (let start = 0; start < m.n; start += page) {
    const found = await sql.query<{ id: number; contentHash: string }>(
      `SELECT s.id, s."contentHash" FROM unnest($2::text[], $3::text[]) AS u(ext, hash)
       JOIN "Sample" s ON s."datasetId" = $1 AND s."externalId" = u.ext AND s."contentHash" = u.hash`,
      [datasetId, m.externalIds.slice(start, start + page), m.hashes.slice(start, start + page)],
    );
    for (const r of found.rows) ids[rowOf.get(r.contentHash)!] = r.id;
  }
  return ids;
}

function* sampleBatches(
  m: ParsedManifest,
  rows: readonly number[],
  sampleIds: Int32Array,
  datasetId: number,
  siteIds: Map<string, number>,
  batchRows: number,
  onProgress: ImportProgress | undefined,
): Generator<Uint8Array> {
  const w = new CopyBinaryWriter();
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const site = m.sites[i];
    w.row(9).int4(sampleIds[i]!).int4(datasetId).text(m.externalIds[i]!).text(m.uris[i]).text(m.labels[i]!);
    if (site === null || site === undefined) w.null();
    else w.int4(siteIds.get(site)!);
    w.jsonb(m.metadata[i]!).text(m.sha256[i]).text(m.hashes[i]!);
    if (w.rows === batchRows) {
      onProgress?.("samples", k + 1, rows.length);
      yield w.take();
    }
  }
  if (w.rows > 0) yield w.take();
}

function* joinBatches(versionId: number, sampleIds: Int32Array, batchRows: number): Generator<Uint8Array> {
  const w = new CopyBinaryWriter();
  for (let i = 0; i < sampleIds.length; i++) {
    w.row(3).int4(versionId).int4(sampleIds[i]!).int4(i);
    if (w.rows === batchRows * 4) yield w.take();
  }
  if (w.rows > 0) yield w.take();
}

async function writeEmbeddings(
  store: Store,
  sql: SqlClient,
  input: ImportInput,
  m: ParsedManifest,
  reader: EmbeddingReader,
  sampleIds: Int32Array,
  consortiumId: number,
  versionId: number,
  onProgress: ImportProgress | undefined,
): Promise<NonNullable<ImportResult["embeddings"]>> {
  const name = input.model!.trim();
  const modelVersion = input.modelVersion?.trim() || "1";
  const dim = reader.dim;
  await sql.query(
    `INSERT INTO "EmbeddingModel" ("consortiumId", name, version, kind, dim, description)
     VALUES ($1, $2, $3, 'EXTERNAL', $4, 'vectors imported from files') ON CONFLICT ("consortiumId", name, version) DO NOTHING`,
    [consortiumId, name, modelVersion, dim],
  );
  const model = (
    await sql.query<{ id: number; dim: number }>(
      `SELECT id, dim FROM "EmbeddingModel" WHERE "consortiumId" = $1 AND name = $2 AND version = $3`,
      [consortiumId, name, modelVersion],
    )
  ).rows[0]!;
  if (model.dim !== dim) {
    throw new ImportError(
      "DIM_MISMATCH",
      `expected ${model.dim}-d vectors for model "${name}" (version ${modelVersion}), got ${dim}-d`,
      { file: reader.file },
    );
  }
  const existing = (
    await sql.query<{ id: number; count: number }>(
      `SELECT id, count FROM "EmbeddingSet" WHERE "modelId" = $1 AND "datasetVersionId" = $2`,
      [model.id, versionId],
    )
  ).rows[0];
  if (existing)
    return { setId: existing.id, modelId: model.id, model: name, dim, count: existing.count, created: false };

  const set = await sql.query<{ id: number }>(
    `INSERT INTO "EmbeddingSet" ("modelId", "datasetVersionId", dim, status, count, "completedAt")
     VALUES ($1, $2, $3, 'COMPLETE', $4, now()) RETURNING id`,
    [model.id, versionId, dim, m.n],
  );
  const setId = set.rows[0]!.id;
  await copyBinary(
    sql,
    store.kind,
    `"EmbeddingVector" ("setId", "sampleId", vector)`,
    vectorBatches(reader, m, setId, sampleIds, onProgress),
  );
  return { setId, modelId: model.id, model: name, dim, count: m.n, created: true };
}

async function* vectorBatches(
  reader: EmbeddingReader,
  m: ParsedManifest,
  setId: number,
  sampleIds: Int32Array,
  onProgress: ImportProgress | undefined,
): AsyncGenerator<Uint8Array> {
  const rowBytes = reader.dim * 4;
  let seen = 0;
  for await (const chunk of reader.chunks()) {
    if (chunk.start + chunk.count > m.n) {
      throw new ImportError(
        "ROW_COUNT_MISMATCH",
        `expected ${m.n} embedding rows (one per row of ${m.file}), got more`,
        {
          file: reader.file,
          row: m.n + 1,
        },
      );
    }
    if (chunk.ids) {
      for (let r = 0; r < chunk.count; r++) {
        const expected = m.externalIds[chunk.start + r]!;
        if (chunk.ids[r]!.trim() !== expected) {
          throw new ImportError(
            "ID_MISMATCH",
            `expected id "${expected}" (as in row ${chunk.start + r + 1} of the manifest), got "${chunk.ids[r]}"`,
            {
              file: reader.file,
              row: chunk.start + r + 1,
              column: "id",
            },
          );
        }
      }
    }
    const bytes = new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.count * rowBytes);
    const w = new CopyBinaryWriter(chunk.count * (rowBytes + 22));
    for (let r = 0; r < chunk.count; r++) {
      w.row(3)
        .int4(setId)
        .int4(sampleIds[chunk.start + r]!)
        .bytes(bytes.subarray(r * rowBytes, (r + 1) * rowBytes));
    }
    seen = chunk.start + chunk.count;
    onProgress?.("embeddings", seen, m.n);
    yield w.take();
  }
  if (seen !== m.n) {
    throw new ImportError(
      "ROW_COUNT_MISMATCH",
      `expected ${m.n} embedding rows (one per row of ${m.file}), got ${seen}`,
      { file: reader.file },
    );
  }
}
