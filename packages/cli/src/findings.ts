// findings.json ↔ the engine's findings: the file's shape is @stratum/formats' (FindingsFile); the
// conversion needs the engine's types (pool rows, typed arrays), so it lives here, with its caller
// (`stratum analyze` writes, `stratum select --findings` reads). Moved from the engine (issue 15): a
// file format is not part of the method. Errors stay EngineInputError("BAD_FINDINGS", field, …).
import { EngineInputError, REDUCE_METHODS, type Association, type ClassFindings, type Findings, type ReduceMethod, type ResolvedAnalyzeParams } from "@stratum/engine";
import { FINDINGS_FORMAT, type FindingsFile } from "@stratum/formats";

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** `ids[i]` names pool row i. */
export function findingsToJson(findings: Findings, ids: ReadonlyArray<string>): FindingsFile {
  const idOf = (row: number): string => {
    const id = ids[row];
    if (id === undefined) throw new EngineInputError("BAD_LENGTH", "ids", `findingsToJson: no id for row ${row} (got ${ids.length} ids)`);
    return id;
  };
  return {
    format: FINDINGS_FORMAT,
    params: findings.params,
    classes: findings.classes.map((c) => {
      const members: string[][] = c.groupSizes.map(() => []);
      const modeMembers: string[][] = c.modeSizes.map(() => []);
      const noise: string[] = [];
      const layoutIds: string[] = [];
      for (let r = 0; r < c.rows.length; r++) {
        const id = idOf(c.rows[r]!);
        layoutIds.push(id);
        const g = c.groups[r]!;
        if (g >= 0) members[g]!.push(id);
        else noise.push(id);
        const md = c.modes[r]!;
        if (md >= 0) modeMembers[md]!.push(id);
      }
      return {
        label: c.label,
        n: c.rows.length,
        reduce: c.reduce,
        pcaComponents: c.pcaComponents,
        ...(c.explainedVariance ? { explainedVariance: c.explainedVariance.map((v) => round(v, 6)) } : {}),
        eps: c.eps,
        minPts: c.minPts,
        epsAuto: c.epsAuto,
        mergeColumn: c.mergeColumn,
        groups: members.map((m, id) => ({
          id, size: m.length, members: m,
          modes: (c.groupModes[id] ?? []).map((md) => ({ size: modeMembers[md]!.length, members: modeMembers[md]! })),
          mergeConfidence: c.mergeConfidence[id] ?? null,
        })),
        noise,
        layout: { ids: layoutIds, xy: Array.from(c.layout, (v) => round(v, 4)) },
      };
    }),
    associations: findings.associations,
  };
}

function fail(field: string, expected: string, got: unknown): never {
  const shown = typeof got === "string" ? `"${got}"` : Array.isArray(got) ? "an array" : got === null ? "null" : typeof got;
  throw new EngineInputError("BAD_FINDINGS", field, `findings: ${field}: expected ${expected}, got ${shown}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads a findings.json back against the pool named by `ids` (row i has id ids[i]). Checks the
 * shape, that every id exists, and that no id sits in two places. Only the fields the issue's
 * contract requires are needed (label, groups[].members, noise, eps, minPts); layout, params and
 * association details are optional. Pool rows of a class that the file does not mention are noise.
 */
export function findingsFromJson(json: unknown, ids: ReadonlyArray<string>): Findings {
  if (!isObject(json)) fail("(root)", "an object", json);
  const rowOf = new Map<string, number>();
  ids.forEach((id, i) => rowOf.set(id, i));
  if (!Array.isArray(json.classes)) fail("classes", "an array", json.classes);
  const seen = new Set<number>();
  const classes: ClassFindings[] = json.classes.map((raw: unknown, ci: number): ClassFindings => {
    const at = `classes[${ci}]`;
    if (!isObject(raw)) fail(at, "an object", raw);
    if (typeof raw.label !== "string") fail(`${at}.label`, "a string", raw.label);
    if (typeof raw.eps !== "number" || !(raw.eps > 0)) fail(`${at}.eps`, "a number > 0", raw.eps);
    if (!Number.isInteger(raw.minPts) || (raw.minPts as number) < 1) fail(`${at}.minPts`, "an integer ≥ 1", raw.minPts);
    if (!Array.isArray(raw.groups)) fail(`${at}.groups`, "an array", raw.groups);
    const noise = raw.noise ?? [];
    if (!Array.isArray(noise)) fail(`${at}.noise`, "an array of ids", noise);
    const entries: [number, number][] = [];
    const modeOfRow = new Map<number, number>();
    const groupModes: number[][] = [];
    const modeSizes: number[] = [];
    const mergeConfidence: (number | null)[] = [];
    const take = (id: unknown, field: string, group: number): void => {
      if (typeof id !== "string") fail(field, "a sample id (string)", id);
      const row = rowOf.get(id);
      if (row === undefined) fail(field, "an id present in the samples", id);
      if (seen.has(row)) fail(field, "each id at most once in the file", id);
      seen.add(row);
      entries.push([row, group]);
    };
    const sizes: number[] = raw.groups.map((g: unknown, gi: number) => {
      const gat = `${at}.groups[${gi}]`;
      if (!isObject(g)) fail(gat, "an object", g);
      if (!Array.isArray(g.members)) fail(`${gat}.members`, "an array of ids", g.members);
      if (g.size !== undefined && g.size !== g.members.length) fail(`${gat}.size`, `${g.members.length} (the number of members)`, g.size);
      g.members.forEach((id: unknown, k: number) => take(id, `${gat}.members[${k}]`, gi));
      // modes: optional; a group without them (or with modes that do not cover it) is one mode
      const ids: number[] = [];
      const modes = Array.isArray(g.modes) ? g.modes : [];
      const inGroup = new Set(g.members as string[]);
      let covered = 0;
      const modeRows: number[][] = [];
      for (const md of modes) {
        const list = isObject(md) && Array.isArray(md.members) ? md.members : [];
        const rowsOfMode: number[] = [];
        for (const id of list) if (typeof id === "string" && inGroup.has(id)) rowsOfMode.push(rowOf.get(id)!);
        covered += rowsOfMode.length;
        modeRows.push(rowsOfMode);
      }
      if (modes.length === 0 || covered !== g.members.length) modeRows.splice(0, modeRows.length, (g.members as string[]).map((id) => rowOf.get(id)!));
      for (const list of modeRows) {
        if (list.length === 0) continue;
        for (const r of list) modeOfRow.set(r, modeSizes.length);
        ids.push(modeSizes.length);
        modeSizes.push(list.length);
      }
      groupModes.push(ids);
      mergeConfidence.push(typeof g.mergeConfidence === "number" ? g.mergeConfidence : null);
      return g.members.length;
    });
    noise.forEach((id: unknown, k: number) => take(id, `${at}.noise[${k}]`, -1));
    entries.sort((a, b) => a[0] - b[0]);
    const rows = Int32Array.from(entries, (e) => e[0]);
    const groups = Int32Array.from(entries, (e) => e[1]);
    const modes = Int32Array.from(entries, (e) => modeOfRow.get(e[0]) ?? -1);
    const layout = new Float32Array(rows.length * 2);
    const lay = raw.layout;
    const xy: unknown = isObject(lay) ? lay.xy : undefined;
    if (isObject(lay) && Array.isArray(lay.ids) && Array.isArray(xy) && xy.length === 2 * lay.ids.length) {
      const pos = new Map<number, number>();
      rows.forEach((r, k) => pos.set(r, k));
      lay.ids.forEach((id: unknown, k: number) => {
        const r = typeof id === "string" ? rowOf.get(id) : undefined;
        const p = r === undefined ? undefined : pos.get(r);
        if (p === undefined) return;
        layout[2 * p] = Number(xy[2 * k]);
        layout[2 * p + 1] = Number(xy[2 * k + 1]);
      });
    }
    const reduce = REDUCE_METHODS.includes(raw.reduce as ReduceMethod) ? (raw.reduce as ReduceMethod) : "umap";
    return {
      label: raw.label, rows, groups, layout, groupSizes: sizes,
      modes, modeSizes, groupModes, groupMerges: groupModes.map(() => []), mergeConfidence,
      mergeColumn: typeof raw.mergeColumn === "string" ? raw.mergeColumn : null,
      noiseCount: groups.filter((g) => g < 0).length,
      eps: raw.eps, minPts: raw.minPts as number, epsAuto: raw.epsAuto === true,
      ...(Array.isArray(raw.explainedVariance) ? { explainedVariance: raw.explainedVariance.map(Number) } : {}),
      pcaComponents: Number.isInteger(raw.pcaComponents) ? (raw.pcaComponents as number) : 0,
      reduce,
    };
  });
  const associations: Association[] = [];
  if (json.associations !== undefined) {
    if (!Array.isArray(json.associations)) fail("associations", "an array", json.associations);
    json.associations.forEach((a: unknown, k: number) => {
      const at = `associations[${k}]`;
      if (!isObject(a)) fail(at, "an object", a);
      if (typeof a.column !== "string") fail(`${at}.column`, "a string", a.column);
      if (typeof a.cramersV !== "number") fail(`${at}.cramersV`, "a number", a.cramersV);
      if (typeof a.pValue !== "number") fail(`${at}.pValue`, "a number", a.pValue);
      associations.push({
        label: typeof a.label === "string" ? a.label : "",
        column: a.column, cramersV: a.cramersV, pValue: a.pValue,
        ami: typeof a.ami === "number" ? a.ami : NaN,
        chiSquare: typeof a.chiSquare === "number" ? a.chiSquare : NaN,
        df: typeof a.df === "number" ? a.df : NaN,
        n: typeof a.n === "number" ? a.n : NaN,
        ...(isObject(a.predictability) ? { predictability: a.predictability as unknown as NonNullable<Association["predictability"]> } : {}),
        perGroup: Array.isArray(a.perGroup) ? (a.perGroup as Association["perGroup"]) : [],
      });
    });
  }
  const p = isObject(json.params) ? json.params : {};
  const params: ResolvedAnalyzeParams = {
    reduce: REDUCE_METHODS.includes(p.reduce as ReduceMethod) ? (p.reduce as ReduceMethod) : "umap",
    pcaComponents: typeof p.pcaComponents === "number" ? p.pcaComponents : null,
    eps: typeof p.eps === "number" ? p.eps : "auto",
    minPts: typeof p.minPts === "number" ? p.minPts : "auto",
    seed: typeof p.seed === "number" ? p.seed : 0,
    perplexity: typeof p.perplexity === "number" ? p.perplexity : 30,
    nNeighbors: typeof p.nNeighbors === "number" ? p.nNeighbors : 15,
    predictabilityK: typeof p.predictabilityK === "number" ? p.predictabilityK : 10,
    // a file without the key predates the merge: its groups are layout fragments
    merge: typeof p.merge === "boolean" ? p.merge : false,
    mergeResolution: typeof p.mergeResolution === "number" ? p.mergeResolution : 1,
    // a file without the key predates the metadata-steered merge
    mergeMetadata: typeof p.mergeMetadata === "boolean" ? p.mergeMetadata : false,
    // a file without the key predates the cross-class rule
    mergeCrossClass: typeof p.mergeCrossClass === "number" ? p.mergeCrossClass : null,
    // a file without the key predates the membership refinement
    refine: typeof p.refine === "number" ? p.refine : 0,
  };
  return { params, classes, associations };
}
