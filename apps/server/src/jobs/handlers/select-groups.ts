// The groups a confounder-aware SELECT gives the engine: the analysis' discovered groups as the
// curators' verdicts left them (engine verdictGrouping, shared with `stratum select --verdicts`),
// taken from the snapshot the run recorded when its job started.
//   REJECTED                    → not a confounder group: its rows are the class's rest (engine group −2),
//                                  which shares the class's proportional share with noise and is kept
//                                  under noise = "exclude" (the rows are ordinary images, not outliers).
//   same curator-given name     → one group (union of the rows; every fragment/mode stays in it, so
//   (trimmed, case-insensitive)    within-group picks still cover each); its number is the smallest
//                                  index among them, so the items' group (hashed in the manifest) says
//                                  which grouping produced them.
//   PENDING / CONFIRMED / other → the group as discovered.
import type { SqlClient } from "@stratum/db";
import * as engine from "@stratum/engine";
import { NOISE_GROUP } from "@stratum/engine";

/** One group's verdict and name when the run started (SelectionRun.params.groupVerdicts). */
export interface GroupVerdictSnapshot {
  groupId: number;
  label: string;
  index: number;
  verdict: string;
  name: string | null;
}

/** What the run allocated over, per class: one entry per effective group (metrics.grouping). */
export interface EffectiveGroup extends engine.EffectiveGroup {
  /** The ConfounderGroup rows it is made of. */
  groupIds: number[];
}

export function isSnapshot(value: unknown): value is GroupVerdictSnapshot[] {
  return (
    Array.isArray(value) &&
    value.every((v) => v && typeof v === "object" && Number.isInteger(v.groupId) && typeof v.label === "string" && Number.isInteger(v.index) && typeof v.verdict === "string")
  );
}

/**
 * effectiveGroups(snapshot): ConfounderGroup id → engine group number, for every non-noise group of
 * the snapshot (the engine's verdictGrouping rule), and the list of effective groups.
 */
export function effectiveGroups(snapshot: ReadonlyArray<GroupVerdictSnapshot>): { byGroupId: Map<number, number>; groups: EffectiveGroup[] } {
  const { of, groups } = engine.verdictGrouping(snapshot);
  const byGroupId = new Map<number, number>();
  const out = groups.map((g) => ({ ...g, groupIds: [] as number[] }));
  const byKey = new Map(out.map((g) => [`${g.label}\u0000${g.group}`, g]));
  for (const s of [...snapshot].sort((a, b) => a.groupId - b.groupId)) {
    if (s.index < 0) continue;
    const eff = of(s.label, s.index);
    byGroupId.set(s.groupId, eff);
    byKey.get(`${s.label}\u0000${eff}`)?.groupIds.push(s.groupId);
  }
  return { byGroupId, groups: out };
}

/**
 * Per row of the matrix: the engine group (−1 noise, −2 rest) and the ConfounderGroup id the sample
 * belongs to (what SelectionItem.groupId records, also for merged and rejected groups).
 */
export async function loadGroups(sql: SqlClient, analysisId: number, sampleIds: Int32Array, snapshot: ReadonlyArray<GroupVerdictSnapshot>) {
  const r = await sql.query<{ sampleId: number; groupId: number; index: number; isNoise: boolean }>(
    `SELECT m."sampleId", g.id AS "groupId", g.index, g."isNoise"
     FROM "ConfounderGroupMember" m JOIN "ConfounderGroup" g ON g.id = m."groupId" WHERE g."analysisId" = $1`,
    [analysisId],
  );
  const { byGroupId, groups: effective } = effectiveGroups(snapshot);
  const bySample = new Map<number, { group: number; groupId: number }>();
  for (const row of r.rows) {
    const group = row.isNoise ? NOISE_GROUP : (byGroupId.get(row.groupId) ?? row.index);
    bySample.set(row.sampleId, { group, groupId: row.groupId });
  }
  const groups = new Int32Array(sampleIds.length).fill(NOISE_GROUP);
  const groupIds: (number | null)[] = new Array(sampleIds.length).fill(null);
  sampleIds.forEach((id, i) => {
    const g = bySample.get(id);
    if (g) {
      groups[i] = g.group;
      groupIds[i] = g.groupId;
    }
  });
  return { groups, groupIds, effective };
}

/**
 * SQL that records the verdict snapshot in the run's params, once: at the job's first start (in the
 * transaction that marks it RUNNING), for a confounder-aware run with an analysis. A reproduction
 * carries its parent's snapshot, so it is left as it is.
 */
export const RECORD_SNAPSHOT_SQL = `
  UPDATE "SelectionRun" r SET params = r.params || jsonb_build_object('groupVerdicts', coalesce((
      SELECT jsonb_agg(jsonb_build_object('groupId', g.id, 'label', g.label, 'index', g.index, 'verdict', g.verdict::text, 'name', g.name) ORDER BY g.id)
      FROM "ConfounderGroup" g WHERE g."analysisId" = r."analysisId" AND NOT g."isNoise"), '[]'::jsonb))
  WHERE r.id = $1 AND r.strategy = 'confounder-aware' AND r."analysisId" IS NOT NULL AND NOT jsonb_exists(r.params, 'groupVerdicts')`;
