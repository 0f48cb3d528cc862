// Saved subsets (issue 14): create (from a list of samples, quality rules or a metadata filter), rename,
// delete, read. Every write checks CURATOR on the version's consortium and validates everything before
// the one transaction that writes the subset, its members and the audit row.
import * as engine from "@stratum/engine";
import type { SqlClient, Subset as Row } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { auditSql } from "../../audit/audit.js";
import { AppError, AppErrors } from "../../graphql/errors.js";
import { decodeId, decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { byId } from "../../graphql/loaders.js";
import { Subset } from "./subset.type.js";
import { LASSO_VERTICES, type LassoInput, type MetadataFilterInput, type QualityRulesInput, type SubsetCreateInput, type SubsetDeleteInput, type SubsetRenameInput } from "./subset.input.js";

/** Largest definition JSON kept (a lasso polygon of a few thousand vertices fits). */
export const DEFINITION_MAX_BYTES = 64 * 1024;
/** At most this many per-sample errors are listed; the message says how many more. */
const ERRORS_LISTED = 10;

export function subsetLoader(ctx: Context) {
  return ctx.loader("subsetById", () => byId<Row>((ids) => ctx.prisma.subset.findMany({ where: { id: { in: ids } } })));
}

export async function visibleSubset(ctx: Context, id: number): Promise<Subset | null> {
  const row = await subsetLoader(ctx).load(id);
  if (!row || !(await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)))) return null;
  return Subset.from(row);
}

/** A subset for a change: NOT_FOUND unless visible, then CURATOR. */
async function subsetForChange(ctx: Context, globalId: string, field = ["subsetId"]) {
  const id = decodeId(globalId, "Subset", field);
  const row = await subsetLoader(ctx).load(id);
  const access = await requireRole(ctx, row ? await consortiumOfVersion(ctx, row.datasetVersionId) : null, "CURATOR", field, "subset");
  return { row: row!, access };
}

function cleanName(name: string): string {
  const trimmed = (name ?? "").trim();
  if (!trimmed) throw new AppError("VALIDATION", "name: expected a name with a visible character", ["name"]);
  return trimmed;
}

async function assertNameFree(sql: SqlClient, projectId: number, name: string, exceptId: number | null) {
  const r = await sql.query(`SELECT 1 FROM "Subset" WHERE "projectId" = $1 AND name = $2 AND id IS DISTINCT FROM $3`, [projectId, name, exceptId]);
  if (r.rows.length) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
}

function isUnique(error: unknown): boolean {
  return (error as { code?: string })?.code === "23505";
}

// ─── quality rules → samples ────────────────────────────────────────────────

export interface QualityMatch {
  reportId: number;
  rules: engine.QualityExclusionRules;
  /** sampleId → reason. */
  matched: Map<number, string>;
  counts: engine.QualityExclusions["counts"];
  /** Duplicate sets (overlapping ones merged) that lose a member. */
  duplicateSets: number;
}

/**
 * The samples of the version that quality rules match, from one report (given, or the version's newest
 * SUCCEEDED one): typed errors under `field` (…, "reportId" / the rule), nothing read past the first problem.
 */
export async function qualityMatches(ctx: Context, versionId: number, input: QualityRulesInput, field: string[]): Promise<QualityMatch> {
  const rules: engine.QualityExclusionRules = {
    ...(input.duplicates ? { duplicates: true } : {}),
    ...(input.outlierRank != null ? { outlierRank: input.outlierRank } : {}),
    ...(input.outlierRatio != null ? { outlierRatio: input.outlierRatio } : {}),
    ...(input.labelErrorScore != null ? { labelErrorScore: input.labelErrorScore } : {}),
  };
  if (Object.keys(rules).length === 0) {
    throw new AppError("VALIDATION", `${field.join(".")}: expected at least one rule (duplicates, outlierRank, outlierRatio or labelErrorScore)`, field);
  }
  try {
    engine.checkQualityRules(rules);
  } catch (error) {
    if (!(error instanceof engine.EngineInputError)) throw error;
    throw new AppError("VALIDATION", `${[...field, error.field].join(".")}: ${error.message}`, [...field, error.field]);
  }
  const sql = ctx.app.store.sql;
  let reportId: number;
  if (input.reportId) {
    reportId = decodeId(input.reportId, "DataQualityReport", [...field, "reportId"]);
    const report = await ctx.prisma.dataQualityReport.findUnique({ where: { id: reportId } });
    if (!report || report.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "no data-quality report of this version has this ID", [...field, "reportId"]);
    if (report.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the data-quality report is ${report.status}; expected SUCCEEDED`, [...field, "reportId"]);
  } else {
    const latest = await ctx.prisma.dataQualityReport.findFirst({ where: { datasetVersionId: versionId, status: "SUCCEEDED" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    if (!latest) {
      throw new AppError("INVALID_STATE", `${field.join(".")}: this version has no SUCCEEDED data-quality report; run a data-quality pass first (dataQualityStart)`, field);
    }
    reportId = latest.id;
  }
  const sets: number[][] = [];
  const names = new Map<number, string>();
  if (rules.duplicates) {
    const r = await sql.query<{ setId: number; sampleId: number; externalId: string }>(
      `SELECT m."setId", m."sampleId", s."externalId" FROM "DataQualityDuplicateMember" m
       JOIN "DataQualityDuplicateSet" d ON d.id = m."setId" JOIN "Sample" s ON s.id = m."sampleId"
       WHERE d."reportId" = $1 AND m."versionId" = $2 ORDER BY m."setId", m."sampleId"`,
      [reportId, versionId],
    );
    let current = -1;
    for (const row of r.rows) {
      if (row.setId !== current) {
        sets.push([]);
        current = row.setId;
      }
      sets.at(-1)!.push(row.sampleId);
      names.set(row.sampleId, row.externalId);
    }
  }
  // Only rows some rule can match are read (the engine applies the rules and their order).
  const rows = await sql.query<{ sampleId: number; label: string; outlierRank: number; outlierRatio: number | null; labelErrorScore: number; labelIssue: boolean }>(
    `SELECT "sampleId", label, "outlierRank", "outlierRatio", "labelErrorScore", "labelIssue" FROM "DataQualitySample"
     WHERE "reportId" = $1 AND (("outlierRank" < $2::int) OR ("outlierRatio" >= $3::float8) OR ("labelIssue" AND "labelErrorScore" >= $4::float8))
     ORDER BY "sampleId"`,
    [reportId, rules.outlierRank ?? null, rules.outlierRatio ?? null, rules.labelErrorScore ?? null],
  );
  const q = engine.qualityExclusions(
    rows.rows.map((r) => ({ key: r.sampleId, label: r.label, outlierRank: r.outlierRank, outlierRatio: r.outlierRatio, labelErrorScore: r.labelErrorScore, labelIssue: r.labelIssue })),
    sets,
    rules,
    (key) => `"${names.get(key) ?? key}"`,
  );
  return { reportId, rules, matched: q.excluded, counts: q.counts, duplicateSets: q.duplicateSets };
}

// ─── members ────────────────────────────────────────────────────────────────

/** Decodes sample ids and checks each is in the version: VALIDATION on [field, i] per bad one. */
export async function versionSamples(sql: SqlClient, versionId: number, globalIds: readonly string[], field: string): Promise<number[]> {
  const errors: AppError[] = [];
  const ids: number[] = [];
  const position = new Map<number, number>();
  globalIds.forEach((g, i) => {
    const id = decodeIdOrNull(g, "Sample");
    if (id === null) errors.push(new AppError("VALIDATION", `${field}.${i}: expected a Sample ID, got ${JSON.stringify(g).slice(0, 60)}`, [field, String(i)]));
    else if (!position.has(id)) {
      position.set(id, i);
      ids.push(id);
    }
  });
  if (ids.length) {
    const r = await sql.query<{ sampleId: number }>(`SELECT "sampleId" FROM "DatasetVersionSample" WHERE "versionId" = $1 AND "sampleId" = ANY($2::int[])`, [versionId, ids]);
    const found = new Set(r.rows.map((row) => row.sampleId));
    for (const id of ids) {
      if (!found.has(id)) errors.push(new AppError("VALIDATION", `${field}.${position.get(id)}: the sample is not in this dataset version`, [field, String(position.get(id))]));
    }
  }
  if (errors.length) {
    const shown = errors.slice(0, ERRORS_LISTED);
    if (errors.length > ERRORS_LISTED) shown.push(new AppError("VALIDATION", `${field}: ${errors.length - ERRORS_LISTED} more samples are not in this version`, [field]));
    throw shown.length === 1 ? shown[0]! : new AppErrors(shown);
  }
  return ids.sort((a, b) => a - b);
}

async function metadataMatches(sql: SqlClient, versionId: number, filter: MetadataFilterInput): Promise<number[]> {
  // `site` without a metadata column of that name is the sample's site, by code (as declared confounders).
  const r = await sql.query<{ sampleId: number }>(
    `WITH v AS (SELECT s.id, s.metadata, s."siteId" FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1),
          own AS (SELECT EXISTS (SELECT 1 FROM v WHERE jsonb_exists(v.metadata, $2)) AS has)
     SELECT v.id AS "sampleId" FROM v LEFT JOIN "Site" site ON site.id = v."siteId", own
     WHERE CASE WHEN own.has OR $2 <> 'site' THEN v.metadata->>$2 = ANY($3::text[]) ELSE site.code = ANY($3::text[]) END
     ORDER BY v.id`,
    [versionId, filter.column, filter.values],
  );
  return r.rows.map((row) => row.sampleId);
}

/** What definition.lasso holds: the polygon and the analysis (and when it ran) whose layout it was drawn on. */
export interface LassoDefinition {
  analysisId: string;
  analysisCreatedAt: string;
  vertexCount: number;
  polygon: [number, number][];
}

/**
 * A lasso polygon checked before anything is written: 3–2000 vertices, each two finite numbers
 * (VALIDATION on lasso.polygon or lasso.polygon.<i>), drawn on an analysis of this version (NOT_FOUND on
 * lasso.analysisId otherwise, the same answer for another version's analysis and for none).
 */
export async function lassoDefinition(ctx: Context, versionId: number, input: LassoInput): Promise<LassoDefinition> {
  const polygon = input.polygon;
  if (!Array.isArray(polygon) || polygon.length < LASSO_VERTICES.min || polygon.length > LASSO_VERTICES.max) {
    const n = Array.isArray(polygon) ? polygon.length : 0;
    throw new AppError("VALIDATION", `lasso.polygon: expected ${LASSO_VERTICES.min}–${LASSO_VERTICES.max} vertices, got ${n}`, ["lasso", "polygon"]);
  }
  const errors: AppError[] = [];
  polygon.forEach((v, i) => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
      errors.push(new AppError("VALIDATION", `lasso.polygon.${i}: expected a vertex [x, y] of two finite numbers, got ${JSON.stringify(v)?.slice(0, 60)}`, ["lasso", "polygon", String(i)]));
    }
  });
  if (errors.length) {
    const shown = errors.slice(0, ERRORS_LISTED);
    if (errors.length > ERRORS_LISTED) shown.push(new AppError("VALIDATION", `lasso.polygon: ${errors.length - ERRORS_LISTED} more bad vertices`, ["lasso", "polygon"]));
    throw shown.length === 1 ? shown[0]! : new AppErrors(shown);
  }
  const analysisId = decodeIdOrNull(input.analysisId, "ConfounderAnalysis");
  const analysis = analysisId === null ? null : await ctx.prisma.confounderAnalysis.findUnique({ where: { id: analysisId }, select: { id: true, datasetVersionId: true, createdAt: true } });
  if (!analysis || analysis.datasetVersionId !== versionId) throw new AppError("NOT_FOUND", "lasso.analysisId: no confounder analysis of this version has this ID", ["lasso", "analysisId"]);
  return {
    analysisId: toGlobalId("ConfounderAnalysis", analysis.id),
    analysisCreatedAt: analysis.createdAt.toISOString(),
    vertexCount: polygon.length,
    polygon: polygon.map((v) => [v[0]!, v[1]!]),
  };
}

// ─── mutations ──────────────────────────────────────────────────────────────

export async function createSubset(ctx: Context, input: SubsetCreateInput): Promise<Subset> {
  const versionId = decodeId(input.datasetVersionId, "DatasetVersion", ["datasetVersionId"]);
  const access = await requireRole(ctx, await consortiumOfVersion(ctx, versionId), "CURATOR", ["datasetVersionId"], "dataset version");
  const sql = ctx.app.store.sql;
  const name = cleanName(input.name);
  const project = await sql.query<{ projectId: number }>(`SELECT d."projectId" FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId" WHERE v.id = $1`, [versionId]);
  const projectId = project.rows[0]!.projectId;
  await assertNameFree(sql, projectId, name, null);
  const given = input.definition ?? {};
  if (JSON.stringify(given).length > DEFINITION_MAX_BYTES) {
    throw new AppError("VALIDATION", `definition: expected at most ${DEFINITION_MAX_BYTES} bytes of JSON`, ["definition"]);
  }
  const kind = input.kind;
  if (input.quality && kind !== "QUALITY_FILTER") throw new AppError("VALIDATION", `quality: applies to kind QUALITY_FILTER, got ${kind}`, ["quality"]);
  if (input.metadata && kind !== "METADATA_FILTER") throw new AppError("VALIDATION", `metadata: applies to kind METADATA_FILTER, got ${kind}`, ["metadata"]);
  if (input.lasso && kind !== "LASSO") throw new AppError("VALIDATION", `lasso: applies to kind LASSO, got ${kind}`, ["lasso"]);
  const lasso = input.lasso ? await lassoDefinition(ctx, versionId, input.lasso) : null;
  let members: number[];
  let definition: Record<string, unknown> = { ...given };
  let source: string[];
  if (kind === "QUALITY_FILTER" && input.quality) {
    source = ["quality"];
    const q = await qualityMatches(ctx, versionId, input.quality, ["quality"]);
    members = [...q.matched.keys()].sort((a, b) => a - b);
    definition = { ...given, reportId: toGlobalId("DataQualityReport", q.reportId), rules: q.rules, counts: q.counts };
  } else if (kind === "METADATA_FILTER" && input.metadata) {
    source = ["metadata"];
    members = await metadataMatches(sql, versionId, input.metadata);
    definition = { ...given, column: input.metadata.column, values: input.metadata.values };
  } else {
    source = ["sampleIds"];
    if (!input.sampleIds?.length) {
      const how = kind === "QUALITY_FILTER" ? "quality or sampleIds" : kind === "METADATA_FILTER" ? "metadata or sampleIds" : "sampleIds";
      throw new AppError("VALIDATION", `sampleIds: a ${kind} subset needs ${how}`, ["sampleIds"]);
    }
    members = await versionSamples(sql, versionId, input.sampleIds, "sampleIds");
    if (lasso) definition = { ...given, lasso };
  }
  if (!members.length) throw new AppError("VALIDATION", `${source.join(".")}: matches no sample of this version; a subset needs at least one`, source);
  const hash = engine.memberHash(members);
  try {
    const id = await ctx.app.store.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO "Subset" ("projectId", "datasetVersionId", name, kind, definition, "memberCount", "memberHash", "createdById")
         VALUES ($1, $2, $3, $4::"SubsetKind", $5::jsonb, $6, $7, $8) RETURNING id`,
        [projectId, versionId, name, kind, JSON.stringify(definition), members.length, hash, ctx.viewer!.userId],
      );
      const id = r.rows[0]!.id;
      await tx.query(`INSERT INTO "SubsetMember" ("subsetId", "sampleId") SELECT $1, unnest($2::int[])`, [id, members]);
      await auditSql(tx, ctx, "subsetCreate", { type: "Subset", id, consortiumId: access.consortiumId }, { name, kind, memberCount: members.length, memberHash: hash });
      return id;
    });
    return Subset.from(await ctx.prisma.subset.findUniqueOrThrow({ where: { id } }));
  } catch (error) {
    if (isUnique(error)) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
    throw error;
  }
}

export async function renameSubset(ctx: Context, input: SubsetRenameInput): Promise<Subset> {
  const { row, access } = await subsetForChange(ctx, input.subsetId);
  const name = cleanName(input.name);
  const sql = ctx.app.store.sql;
  await assertNameFree(sql, row.projectId, name, row.id);
  try {
    await ctx.app.store.transaction(async (tx) => {
      await tx.query(`UPDATE "Subset" SET name = $2 WHERE id = $1`, [row.id, name]);
      await auditSql(tx, ctx, "subsetRename", { type: "Subset", id: row.id, consortiumId: access.consortiumId }, { from: row.name, to: name });
    });
  } catch (error) {
    if (isUnique(error)) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
    throw error;
  }
  return Subset.from(await ctx.prisma.subset.findUniqueOrThrow({ where: { id: row.id } }));
}

export async function deleteSubset(ctx: Context, input: SubsetDeleteInput): Promise<string> {
  const { row, access } = await subsetForChange(ctx, input.subsetId);
  await ctx.app.store.transaction(async (tx) => {
    await tx.query(`DELETE FROM "Subset" WHERE id = $1`, [row.id]);
    await auditSql(tx, ctx, "subsetDelete", { type: "Subset", id: row.id, consortiumId: access.consortiumId }, { name: row.name, memberHash: row.memberHash });
  });
  return toGlobalId("Subset", row.id);
}
