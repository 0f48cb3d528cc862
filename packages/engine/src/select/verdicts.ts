// Curators' verdicts on discovered groups, applied to a per-row grouping before selection (the rule
// the server's SELECT job and `stratum select --verdicts` share):
//   REJECTED                       → not a confounder group: its rows are the class's rest (REST_GROUP,
//                                    −2), which shares the proportional share with noise and is kept
//                                    under noise = "exclude" (ordinary images, not outliers);
//   the same curator-given name    → one group (union of rows; each fragment/mode stays inside, so
//   (trimmed, case-insensitive)      within-group picks still cover each), numbered by the smallest index;
//   anything else                  → the group as discovered.
// The items' group numbers (hashed in the manifest) therefore say which grouping produced them.
import { EngineInputError } from "../types.js";
import { NOISE_GROUP, REST_GROUP } from "./confounder-aware.js";

export interface GroupVerdict {
  /** The group's class. */
  label: string;
  /** The group's number within its class (≥ 0; noise takes no verdict). */
  index: number;
  /** PENDING, CONFIRMED, REJECTED or RENAMED. */
  verdict: string;
  /** The curator-given name, if any. */
  name?: string | null;
}

/** One group selection allocates over after the verdicts. */
export interface EffectiveGroup {
  label: string;
  /** ≥ 0 a confounder group (its smallest member index), −2 the class's rest. */
  group: number;
  /** The (trimmed) name that merged its members, or null. */
  name: string | null;
  /** The discovered group numbers it is made of. */
  indices: number[];
}

/** A name as it decides merges: trimmed, lower-case; null when there is none. */
export function verdictNameKey(name: string | null | undefined): string | null {
  const k = (name ?? "").trim().toLowerCase();
  return k === "" ? null : k;
}

/**
 * verdictGrouping(verdicts): the effective group of each (label, index) that has a verdict, and the
 * effective groups. Groups without a verdict entry keep their own number.
 */
export function verdictGrouping(verdicts: ReadonlyArray<GroupVerdict>): { of: (label: string, index: number) => number; groups: EffectiveGroup[] } {
  const sorted = [...verdicts].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.index - b.index));
  const merged = new Map<string, EffectiveGroup>();
  const byGroup = new Map<string, number>();
  for (const v of sorted) {
    if (!Number.isInteger(v.index) || v.index < 0) continue;
    const rejected = v.verdict === "REJECTED";
    const name = rejected ? null : verdictNameKey(v.name);
    const key = rejected ? `${v.label}\u0000rest` : name === null ? `${v.label}\u0000#${v.index}` : `${v.label}\u0000=${name}`;
    let eff = merged.get(key);
    // Sorted by index: the first group of a name gives the merged group its number.
    if (!eff) merged.set(key, (eff = { label: v.label, group: rejected ? REST_GROUP : v.index, name: name === null ? null : v.name!.trim(), indices: [] }));
    if (!eff.indices.includes(v.index)) eff.indices.push(v.index);
    byGroup.set(`${v.label}\u0000${v.index}`, eff.group);
  }
  return { of: (label, index) => (index < 0 ? index : (byGroup.get(`${label}\u0000${index}`) ?? index)), groups: [...merged.values()] };
}

/** applyVerdicts(labels, groups, verdicts): per row, its group after the verdicts (noise stays −1). */
export function applyVerdicts(labels: ReadonlyArray<string>, groups: Int32Array, verdicts: ReadonlyArray<GroupVerdict>): { groups: Int32Array; effective: EffectiveGroup[] } {
  if (labels.length !== groups.length) throw new EngineInputError("LENGTH_MISMATCH", "groups", `expected ${labels.length} group entries, got ${groups.length}`);
  const { of, groups: effective } = verdictGrouping(verdicts);
  const out = new Int32Array(groups.length);
  for (let i = 0; i < groups.length; i++) out[i] = groups[i]! === NOISE_GROUP ? NOISE_GROUP : of(labels[i]!, groups[i]!);
  return { groups: out, effective };
}

const VERDICTS = ["PENDING", "CONFIRMED", "REJECTED", "RENAMED"];

/**
 * verdictsFromJson(json): a verdicts file — a list of {label, index, verdict, name?} (or an object with
 * such a list under "groups"; "group" is accepted for "index"), checked entry by entry.
 */
export function verdictsFromJson(json: unknown): GroupVerdict[] {
  const list = Array.isArray(json) ? json : json && typeof json === "object" && Array.isArray((json as { groups?: unknown }).groups) ? (json as { groups: unknown[] }).groups : null;
  if (!list) throw new EngineInputError("BAD_VERDICTS", "verdicts", `expected a list of {label, index, verdict, name?} (or {"groups": [...]}), got ${JSON.stringify(json)?.slice(0, 80)}`);
  return list.map((raw, i) => {
    const at = `verdicts[${i}]`;
    const e = (raw ?? {}) as Record<string, unknown>;
    const index = e.index ?? e.group;
    if (typeof e.label !== "string") throw new EngineInputError("BAD_VERDICTS", `${at}.label`, `${at}.label: expected a string, got ${JSON.stringify(e.label)}`);
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0) throw new EngineInputError("BAD_VERDICTS", `${at}.index`, `${at}.index: expected a group number ≥ 0, got ${JSON.stringify(index)}`);
    if (typeof e.verdict !== "string" || !VERDICTS.includes(e.verdict)) {
      throw new EngineInputError("BAD_VERDICTS", `${at}.verdict`, `${at}.verdict: expected one of ${VERDICTS.join(", ")}, got ${JSON.stringify(e.verdict)}`);
    }
    if (e.name !== undefined && e.name !== null && typeof e.name !== "string") throw new EngineInputError("BAD_VERDICTS", `${at}.name`, `${at}.name: expected a string, got ${JSON.stringify(e.name)}`);
    return { label: e.label, index, verdict: e.verdict, name: (e.name as string | null | undefined) ?? null };
  });
}
