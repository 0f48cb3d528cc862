// Saved subsets (issue 14): create (from a list of samples, quality rules or a metadata filter), rename,
// delete, read. Every write checks CURATOR on the version's consortium and validates everything before
// the one transaction that writes the subset, its members and the audit row.
import * as engine from "@stratum/engine";
import { createSubset as writeSubset, SelectionWriteError, isUniqueViolation, type Prisma, type PrismaClient, type Subset as Row } from "@stratum/db";
import type { Context } from "../../context.js";
import { canRead, requireRole } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { audit } from "../../audit/audit.js";
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

async function assertNameFree(prisma: PrismaClient, projectId: number, name: string, exceptId: number | null) {
  const taken = await prisma.subset.findFirst({ where: { projectId, name, ...(exceptId === null ? {} : { id: { not: exceptId } }) }, select: { id: true } });
  if (taken) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
}

function isUnique(error: unknown): boolean {
  return (error instanceof SelectionWriteError && error.code === "CONFLICT") || isUniqueViolation(error);
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
    const members = await ctx.prisma.dataQualityDuplicateMember.findMany({
      where: { set: { reportId }, versionId },
      orderBy: [{ setId: "asc" }, { sampleId: "asc" }],
      select: { setId: true, sampleId: true, sample: { select: { externalId: true } } },
    });
    let current = -1;
    for (const row of members) {
      if (row.setId !== current) {
        sets.push([]);
        current = row.setId;
      }
      sets.at(-1)!.push(row.sampleId);
      names.set(row.sampleId, row.sample.externalId);
    }
  }
  // Only rows some rule can match are read (the engine applies the rules and their order); with no
  // score rule (duplicates only) none can.
  const matchable: Prisma.DataQualitySampleWhereInput[] = [
    ...(rules.outlierRank != null ? [{ outlierRank: { lt: rules.outlierRank } }] : []),
    ...(rules.outlierRatio != null ? [{ outlierRatio: { gte: rules.outlierRatio } }] : []),
    ...(rules.labelErrorScore != null ? [{ labelIssue: true, labelErrorScore: { gte: rules.labelErrorScore } }] : []),
  ];
  const rows = matchable.length
    ? await ctx.prisma.dataQualitySample.findMany({
        where: { reportId, OR: matchable },
        orderBy: { sampleId: "asc" },
        select: { sampleId: true, label: true, outlierRank: true, outlierRatio: true, labelErrorScore: true, labelIssue: true },
      })
    : [];
  const q = engine.qualityExclusions(
    rows.map((r) => ({ key: r.sampleId, label: r.label, outlierRank: r.outlierRank, outlierRatio: r.outlierRatio, labelErrorScore: r.labelErrorScore, labelIssue: r.labelIssue })),
    sets,
    rules,
    (key) => `"${names.get(key) ?? key}"`,
  );
  return { reportId, rules, matched: q.excluded, counts: q.counts, duplicateSets: q.duplicateSets };
}

// ─── members ────────────────────────────────────────────────────────────────

/** Decodes sample ids and checks each is in the version: VALIDATION on [field, i] per bad one. */
export async function versionSamples(prisma: PrismaClient, versionId: number, globalIds: readonly string[], field: string): Promise<number[]> {
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
    // Prisma's `in`: 150 ms against 70 ms for raw `= ANY($2)` at 20,000 ids on PGlite (bench-server-reads.mjs); accepted on a write path.
    const r = await prisma.datasetVersionSample.findMany({ where: { versionId, sampleId: { in: ids } }, select: { sampleId: true } });
    const found = new Set(r.map((row) => row.sampleId));
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

async function metadataMatches(ctx: Context, versionId: number, filter: MetadataFilterInput): Promise<number[]> {
  // Raw: a match on a metadata key's text value, or on the site's code when no sample has that key —
  // jsonb_exists and ->> have no Prisma equivalent that keeps "key present with a null value" apart.
  // `site` without a metadata column of that name is the sample's site, by code (as declared confounders).
  const r = await ctx.app.store.sql.query<{ sampleId: number }>(
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
  const name = cleanName(input.name);
  const version = await ctx.prisma.datasetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { dataset: { select: { projectId: true } } } });
  const projectId = version.dataset.projectId;
  await assertNameFree(ctx.prisma, projectId, name, null);
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
    members = await metadataMatches(ctx, versionId, input.metadata);
    definition = { ...given, column: input.metadata.column, values: input.metadata.values };
  } else {
    source = ["sampleIds"];
    if (!input.sampleIds?.length) {
      const how = kind === "QUALITY_FILTER" ? "quality or sampleIds" : kind === "METADATA_FILTER" ? "metadata or sampleIds" : "sampleIds";
      throw new AppError("VALIDATION", `sampleIds: a ${kind} subset needs ${how}`, ["sampleIds"]);
    }
    members = await versionSamples(ctx.prisma, versionId, input.sampleIds, "sampleIds");
    if (lasso) definition = { ...given, lasso };
  }
  if (!members.length) throw new AppError("VALIDATION", `${source.join(".")}: matches no sample of this version; a subset needs at least one`, source);
  const hash = engine.memberHash(members);
  try {
    // @stratum/db writes the subset and its members in one transaction; the audit row joins it.
    const { subsetId: id } = await writeSubset(
      ctx.app.store,
      { projectId, datasetVersionId: versionId, name, kind, definition, members, memberHash: hash, createdById: ctx.viewer!.userId },
      (tx, created) => audit(tx, ctx, "subsetCreate", { type: "Subset", id: created.subsetId, consortiumId: access.consortiumId }, { name, kind, memberCount: members.length, memberHash: hash }),
    );
    return Subset.from(await ctx.prisma.subset.findUniqueOrThrow({ where: { id } }));
  } catch (error) {
    if (isUnique(error)) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
    throw error;
  }
}

export async function renameSubset(ctx: Context, input: SubsetRenameInput): Promise<Subset> {
  const { row, access } = await subsetForChange(ctx, input.subsetId);
  const name = cleanName(input.name);
  await assertNameFree(ctx.prisma, row.projectId, name, row.id);
  try {
    await ctx.prisma.$transaction(async (tx) => {
      await tx.subset.update({ where: { id: row.id }, data: { name }, select: { id: true } });
      await audit(tx, ctx, "subsetRename", { type: "Subset", id: row.id, consortiumId: access.consortiumId }, { from: row.name, to: name });
    });
  } catch (error) {
    if (isUnique(error)) throw new AppError("CONFLICT", `name: a subset named "${name}" already exists in this project`, ["name"]);
    throw error;
  }
  return Subset.from(await ctx.prisma.subset.findUniqueOrThrow({ where: { id: row.id } }));
}

export async function deleteSubset(ctx: Context, input: SubsetDeleteInput): Promise<string> {
  const { row, access } = await subsetForChange(ctx, input.subsetId);
  await ctx.prisma.$transaction(async (tx) => {
    await tx.subset.deleteMany({ where: { id: row.id } });
    await audit(tx, ctx, "subsetDelete", { type: "Subset", id: row.id, consortiumId: access.consortiumId }, { name: row.name, memberHash: row.memberHash });
  });
  return toGlobalId("Subset", row.id);
}
