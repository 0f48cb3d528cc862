// A selection run's constraints (issue 14): a pool subset, subsets to exclude and to include, and
// data-quality exclusions. Resolved to samples when the run is started — checked before anything is
// written — and recorded as SelectionRunSample rows (by @stratum/db createSelectionRun) (role, sample, why) with a summary in
// params.constraints (subset ids, names, member hashes, report id, counts). The SELECT job reads the
// rows; a reproduction copies its parent's, so a newer report or a renamed/deleted subset changes nothing.
import type { Context } from "../../context.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { AppError, AppErrors } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import type { SelectionRun } from "../run/run.type.js";
import type { QualityRulesInput } from "./subset.input.js";
import { qualityMatches } from "./subset.service.js";
import { RunConstraints, RunQualityExclusions, RunSubsetRef } from "./subset.type.js";

/** The run-start fields this module resolves (SelectionRunStartInput carries them). */
export interface RunConstraintFields {
  poolSubsetId?: string | null;
  excludeSubsetIds?: string[] | null;
  includeSubsetIds?: string[] | null;
  qualityExclusions?: QualityRulesInput | null;
}

interface SubsetSummary {
  subsetId: number;
  name: string;
  memberHash: string;
  memberCount: number;
}

/** params.constraints: what the run page shows and a reproduction carries. */
export interface ConstraintSummary {
  pool: SubsetSummary | null;
  exclude: SubsetSummary[];
  include: SubsetSummary[];
  quality: { reportId: number; rules: Record<string, unknown>; counts: { duplicates: number; outliers: number; labelErrors: number; total: number } } | null;
  counts: { pool: number; excluded: number; included: number };
}

export interface ConstraintRow {
  role: "POOL" | "EXCLUDE" | "INCLUDE";
  sampleId: number;
  reason: string;
}

export function hasConstraints(input: RunConstraintFields): boolean {
  return Boolean(input.poolSubsetId || input.excludeSubsetIds?.length || input.includeSubsetIds?.length || input.qualityExclusions);
}

/**
 * Resolves the constraints to samples. Problems are pushed to `errors` (each naming its field); null when
 * there are none to apply or a problem stops the resolution.
 */
export async function resolveRunConstraints(
  ctx: Context,
  versionId: number,
  setId: number,
  perClass: number | null,
  input: RunConstraintFields,
  errors: AppError[],
): Promise<{ summary: ConstraintSummary; rows: ConstraintRow[] } | null> {
  if (!hasConstraints(input)) return null;
  const consortiumId = await consortiumOfVersion(ctx, versionId);
  const start = errors.length;
  const load = async (globalId: string, field: string[]) => {
    try {
      const id = decodeId(globalId, "Subset", field);
      const row = await ctx.prisma.subset.findUnique({ where: { id } });
      if (!row || (await consortiumOfVersion(ctx, row.datasetVersionId)) !== consortiumId) throw new AppError("NOT_FOUND", "no subset with this ID is visible to you", field);
      if (row.datasetVersionId !== versionId) {
        throw new AppError("VALIDATION", `${field.join(".")}: subset "${row.name}" is of another dataset version; this run selects from version ${toGlobalId("DatasetVersion", versionId)}`, field);
      }
      return row;
    } catch (error) {
      if (error instanceof AppError) errors.push(error);
      else throw error;
      return null;
    }
  };
  const pool = input.poolSubsetId ? await load(input.poolSubsetId, ["poolSubsetId"]) : null;
  const exclude = await Promise.all((input.excludeSubsetIds ?? []).map((id, i) => load(id, ["excludeSubsetIds", String(i)])));
  const include = await Promise.all((input.includeSubsetIds ?? []).map((id, i) => load(id, ["includeSubsetIds", String(i)])));
  let quality: Awaited<ReturnType<typeof qualityMatches>> | null = null;
  if (input.qualityExclusions) {
    try {
      quality = await qualityMatches(ctx, versionId, input.qualityExclusions, ["qualityExclusions"]);
    } catch (error) {
      if (error instanceof AppError) errors.push(error);
      else if (error instanceof AppErrors) errors.push(...error.errors);
      else throw error;
    }
  }
  if (errors.length > start) return null;

  const membersOf = async (subsetId: number) =>
    (await ctx.prisma.subsetMember.findMany({ where: { subsetId }, orderBy: { sampleId: "asc" }, select: { sampleId: true } })).map((r) => r.sampleId);
  const reasons = { POOL: new Map<number, string[]>(), EXCLUDE: new Map<number, string[]>(), INCLUDE: new Map<number, string[]>() };
  const add = (role: keyof typeof reasons, id: number, why: string) => {
    const list = reasons[role].get(id);
    if (list) list.push(why);
    else reasons[role].set(id, [why]);
  };
  if (pool) for (const id of await membersOf(pool.id)) add("POOL", id, `pool subset "${pool.name}"`);
  for (const s of include) for (const id of await membersOf(s!.id)) add("INCLUDE", id, `must include: subset "${s!.name}"`);
  for (const s of exclude) for (const id of await membersOf(s!.id)) if (!reasons.INCLUDE.has(id)) add("EXCLUDE", id, `subset "${s!.name}"`);
  // Must-include rows are never left out: an explicit choice beats a rule.
  if (quality) for (const [id, why] of quality.matched) if (!reasons.INCLUDE.has(id)) add("EXCLUDE", id, why);

  const included = [...reasons.INCLUDE.keys()];
  if (included.length) {
    // Per class (in the database's label order): the must-include samples, and those with a vector in the set.
    const [perLabel, withVector] = await Promise.all([
      ctx.prisma.sample.groupBy({ by: ["label"], where: { id: { in: included } }, _count: { _all: true }, orderBy: { label: "asc" } }),
      ctx.prisma.sample.count({ where: { id: { in: included }, vectors: { some: { setId } } } }),
    ]);
    const missing = perLabel.reduce((t, row) => t + row._count._all, 0) - withVector;
    if (missing) errors.push(new AppError("VALIDATION", `includeSubsetIds: ${missing} must-include sample${missing === 1 ? " has" : "s have"} no vector in the embedding set`, ["includeSubsetIds"]));
    for (const { label, _count } of perLabel) {
      const row = { label, n: _count._all };
      if (perClass !== null && row.n > perClass) {
        errors.push(
          new AppError("LIMIT_EXCEEDED", `includeSubsetIds: class "${row.label}" has ${row.n} must-include samples; expected at most perClass = ${perClass} (they count against its budget)`, ["includeSubsetIds"]),
        );
      }
    }
    if (errors.length > start) return null;
  }
  // The pool's samples with a vector in the set: the pool subset's members, or the version's samples.
  const poolCount = await ctx.prisma.embeddingVector.count({
    where: { setId, sample: pool ? { subsetMembers: { some: { subsetId: pool.id } } } : { versions: { some: { versionId } } } },
  });
  const ref = (s: { id: number; name: string; memberHash: string; memberCount: number }): SubsetSummary => ({ subsetId: s.id, name: s.name, memberHash: s.memberHash, memberCount: s.memberCount });
  const summary: ConstraintSummary = {
    pool: pool ? ref(pool) : null,
    exclude: exclude.map((s) => ref(s!)),
    include: include.map((s) => ref(s!)),
    quality: quality ? { reportId: quality.reportId, rules: { ...quality.rules }, counts: quality.counts } : null,
    counts: { pool: poolCount, excluded: reasons.EXCLUDE.size, included: reasons.INCLUDE.size },
  };
  const rows: ConstraintRow[] = [];
  for (const role of ["POOL", "EXCLUDE", "INCLUDE"] as const) for (const [sampleId, why] of reasons[role]) rows.push({ role, sampleId, reason: why.join("; ") });
  return { summary, rows };
}

function isSummary(v: unknown): v is ConstraintSummary {
  return !!v && typeof v === "object" && "counts" in v && Array.isArray((v as ConstraintSummary).exclude);
}

/** SelectionRun.constraints from params.constraints; null for a run without any. */
export function runConstraints(run: SelectionRun): RunConstraints | null {
  const c = (run.params as { constraints?: unknown } | null)?.constraints;
  if (!isSummary(c)) return null;
  const ref = (s: SubsetSummary) => Object.assign(new RunSubsetRef(), { subsetId: toGlobalId("Subset", s.subsetId), name: s.name, memberHash: s.memberHash, memberCount: s.memberCount });
  const q = c.quality;
  return Object.assign(new RunConstraints(), {
    runDbId: run.dbId,
    pool: c.pool ? ref(c.pool) : null,
    exclude: c.exclude.map(ref),
    include: c.include.map(ref),
    quality: q
      ? Object.assign(new RunQualityExclusions(), {
          reportId: toGlobalId("DataQualityReport", q.reportId),
          duplicates: q.rules.duplicates === true,
          outlierRank: typeof q.rules.outlierRank === "number" ? q.rules.outlierRank : null,
          outlierRatio: typeof q.rules.outlierRatio === "number" ? q.rules.outlierRatio : null,
          labelErrorScore: typeof q.rules.labelErrorScore === "number" ? q.rules.labelErrorScore : null,
          duplicatesExcluded: q.counts.duplicates,
          outliersExcluded: q.counts.outliers,
          labelErrorsExcluded: q.counts.labelErrors,
        })
      : null,
    poolCount: c.counts.pool,
    excludedCount: c.counts.excluded,
    includedCount: c.counts.included,
  });
}
