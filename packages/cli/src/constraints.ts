// `stratum select --exclude F --include F --quality quality.json …`: the API's run constraints, offline.
// --exclude / --include: sample id lists (one id a line; a CSV/TSV header line "id" is skipped; # comments).
// --quality: quality.json from `stratum quality`, with the rules named as the API's qualityExclusions:
// --exclude-duplicates (keep the first row of each set), --exclude-outlier-rank R, --exclude-outlier-ratio X,
// --exclude-label-errors S. The rules themselves are the engine's (qualityExclusions), as on the server.
import { readFile } from "node:fs/promises";
import { EngineInputError, qualityExclusions, type QualityExclusionRules, type QualityFindingRow } from "@stratum/engine";
import { UsageError } from "./args.js";
import { InputError } from "./load-inputs.js";

/** Rows of the listed ids; an id that is not in the samples is an InputError naming file and line. */
export async function readIdList(file: string, flag: string, rowOfId: ReadonlyMap<string, number>): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rows: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const id = raw.split(/[,\t]/)[0]!.trim().replace(/^"(.*)"$/, "$1");
    if (!id || id.startsWith("#") || (i === 0 && id === "id")) return;
    const row = rowOfId.get(id);
    if (row === undefined) throw new InputError(`${flag} ${file}:${i + 1}: sample "${id}" is not in the samples file`);
    rows.push(row);
  });
  return rows;
}

interface QualityJson {
  format?: string;
  samples?: { id: string; label: string; outlierScore: number | null; outlierRank: number; labelErrorScore: number; labelIssue: boolean }[];
  nearDuplicates?: { sets?: { ids: string[] }[] };
  exactDuplicates?: { sets?: { ids: string[] }[] } | null;
  outliers?: { perClass?: { label: string; medianScore: number }[] };
}

/** Excluded rows → reason, from quality.json and the rules; duplicates keep the first row of each set. */
export async function qualityExcludedRows(file: string, rules: QualityExclusionRules, ids: readonly string[], rowOfId: ReadonlyMap<string, number>) {
  let json: QualityJson;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as QualityJson;
  } catch (error) {
    throw new InputError(`--quality ${file}: expected quality.json from \`stratum quality\`, got ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json.format !== "stratum.quality/1" || !Array.isArray(json.samples)) throw new InputError(`--quality ${file}: expected format "stratum.quality/1" with samples`);
  const median = new Map((json.outliers?.perClass ?? []).map((c) => [c.label, c.medianScore]));
  const rows: QualityFindingRow[] = [];
  for (const s of json.samples) {
    const row = rowOfId.get(s.id);
    if (row === undefined) continue; // a finding about a sample this run does not have
    const m = median.get(s.label);
    rows.push({
      key: row,
      label: s.label,
      outlierRank: s.outlierRank,
      outlierRatio: s.outlierScore !== null && m !== undefined && m > 0 ? s.outlierScore / m : null,
      labelErrorScore: s.labelErrorScore,
      labelIssue: s.labelIssue,
    });
  }
  const sets = [...(json.nearDuplicates?.sets ?? []), ...(json.exactDuplicates?.sets ?? [])].map((set) =>
    set.ids.map((id) => rowOfId.get(id)).filter((r): r is number => r !== undefined),
  );
  try {
    return qualityExclusions(rows, sets, rules, (row) => `"${ids[row]}"`);
  } catch (error) {
    const flag: Record<string, string> = { outlierRank: "--exclude-outlier-rank", outlierRatio: "--exclude-outlier-ratio", labelErrorScore: "--exclude-label-errors" };
    if (error instanceof EngineInputError && flag[error.field]) throw new UsageError(`${flag[error.field]}: ${error.message}`);
    throw error;
  }
}
