// The groups a confounder-aware SELECT gives the engine: the analysis' discovered groups as the
// curators' verdicts left them, taken from the snapshot the run recorded when its job started.
//   REJECTED                    → not a confounder group: its rows are the class's rest (engine group −2),
//                                  which shares the class's proportional share with noise and is kept
//                                  under noise = "exclude" (the rows are ordinary images, not outliers).
//   same curator-given name     → one group (union of the rows; every fragment/mode stays in it, so
//   (trimmed, case-insensitive)    within-group picks still cover each); its number is the smallest
//                                  index among them, so the items' group (hashed in the manifest) says
//                                  which grouping produced them.
//   PENDING / CONFIRMED / other → the group as discovered.
import type { SqlClient } from "@stratum/db";
import { NOISE_GROUP, REST_GROUP } from "@stratum/engine";

/** One group's verdict and name when the run started (SelectionRun.params.groupVerdicts). */
export interface GroupVerdictSnapshot {
  groupId: number;
  label: string;
  index: number;
  verdict: string;
  name: string | null;
}

/** What the run allocated over, per class: one entry per effective group (metrics.grouping). */
export interface EffectiveGroup {
  label: string;
  /** The engine's group number: ≥ 0 a confounder group, −2 the rest (rejected groups). */
  group: number;
  /** The curator-given name that merged them, or null. */
  name: string | null;
  /** The ConfounderGroup rows it is made of. */
  groupIds: number[];
}

/** A name as it decides merges: trimmed, lower-case; null when there is none. */
export function nameKey(name: string | null | undefined): string | null {
  const k = (name ?? "").trim().toLowerCase();
  return k === "" ? null : k;
}

export function isSnapshot(value: unknown): value is GroupVerdictSnapshot[] {
  return (
    Array.isArray(value) &&
    value.every((v) => v && typeof v === "object" && Number.isInteger(v.groupId) && typeof v.label === "string" && Number.isInteger(v.index) && typeof v.verdict === "string")
  );
}

/**
 * effectiveGroups(snapshot): ConfounderGroup id → engine group number, for every non-noise group of
 * the snapshot, and the list of effective groups. Groups missing from the snapshot keep their index.
 */
export function effectiveGroups(snapshot: ReadonlyArray<GroupVerdictSnapshot>): { byGroupId: Map<number, number>; groups: EffectiveGroup[] } {
  const byGroupId = new Map<number, number>();
  const merged = new Map<string, EffectiveGroup>();
  const sorted = [...snapshot].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.index - b.index));
  for (const g of sorted) {
    if (g.index < 0) continue;
    const rejected = g.verdict === "REJECTED";
    const name = rejected ? null : nameKey(g.name);
    const key = rejected ? `${g.label}\u0000rest` : name === null ? `${g.label}\u0000#${g.index}` : `${g.label}\u0000=${name}`;
    let eff = merged.get(key);
    // Sorted by index: the first group of a name gives the merged group its number.
    if (!eff) merged.set(key, (eff = { label: g.label, group: rejected ? REST_GROUP : g.index, name: name === null ? null : g.name!.trim(), groupIds: [] }));
    eff.groupIds.push(g.groupId);
    byGroupId.set(g.groupId, eff.group);
  }
  return { byGroupId, groups: [...merged.values()] };
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
