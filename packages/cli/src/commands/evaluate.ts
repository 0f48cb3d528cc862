// `stratum evaluate`: the linear probe of the offline contract. Trains logistic regression on the
// selected samples' pool embeddings and tests it on a test split, printing JSON:
//   {"train": {...}, "test": {...}, "accuracy", "balancedAccuracy",
//    "worstGroupAccuracy": {"<column>": x, ...}, "groups": {"<column>": [{label, group, n, accuracy}]},
//    "perClass": [...], "converged"}
// Worst-group accuracy is over label × each --group-by column of the test samples: the number that
// falls when a model learned the site instead of the disease.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { EngineInputError, linearProbe, type Points } from "@stratum/engine";
import { parseFlags, UsageError } from "../args.js";
import { loadInputs, InputError } from "../load-inputs.js";
import type { Command } from "../main.js";

const usage = `usage: stratum evaluate --embeddings E --samples S --selection F --test-embeddings TE --test-samples TS
                        [--group-by site,scanner] [--label-column label] [--max-iter 200] [--min-group-size 1] [--out result.json]

  --embeddings E        pool embeddings (.npy/.csv/.parquet), as given to \`stratum select\`
  --samples S           pool samples (.csv/.tsv/.jsonl with "id" and a label column)
  --selection F         the selected ids: selection.json from \`stratum select\`, or a run manifest
                        (.jsonl or .csv with an "id" column, as the server exports it)
  --test-embeddings TE  test split embeddings, same model and dimension as E
  --test-samples TS     test split samples with label and metadata columns
  --group-by COLS       comma-separated test samples columns; worst-group accuracy over label × each
                        (default: site, when the test samples have it; else groups are the classes)
  --label-column        samples column with the class, in both files (default "label")
  --max-iter N          L-BFGS iterations (default 200)
  --min-group-size N    smaller groups are reported but left out of the worst group (default 1)
  --out F               also write the JSON to F (it is always printed)`;

/** Splits one CSV line (quotes as in RFC 4180, no line breaks inside fields). */
function csvFields(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/** The selected ids of a selection.json, a JSONL manifest (its header line skipped) or a CSV manifest ("#" lines skipped). */
export async function readSelectionIds(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const ext = path.extname(file).toLowerCase();
  const idOf = (v: unknown, where: string): string => {
    const id = typeof v === "string" ? v : typeof v === "number" ? String(v) : (v as { id?: unknown } | null)?.id;
    if ((typeof id !== "string" && typeof id !== "number") || String(id) === "") throw new InputError(`${file}: ${where}: expected an "id", got ${JSON.stringify(v)?.slice(0, 80)}`);
    return String(id);
  };
  if (ext === ".json") {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${file}: expected selection.json, got ${error instanceof Error ? error.message : String(error)}`);
    }
    const selected = Array.isArray(json) ? json : (json as { selected?: unknown }).selected;
    if (!Array.isArray(selected)) throw new InputError(`${file}: expected a "selected" list (selection.json of \`stratum select\`)`);
    return selected.map((s, i) => idOf(s, `selected[${i}]`));
  }
  const lines = text.split(/\r?\n/);
  if (ext === ".jsonl" || ext === ".ndjson") {
    const ids: string[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new InputError(`${file}: line ${i + 1}: expected a JSON object`);
      }
      if (row && typeof row === "object" && "format" in row && !("id" in row)) return; // the manifest's header
      ids.push(idOf(row, `line ${i + 1}`));
    });
    return ids;
  }
  if (ext === ".csv" || ext === ".tsv") {
    const delimiter = ext === ".tsv" ? "\t" : ",";
    let header: string[] | null = null;
    let col = -1;
    const ids: string[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === "" || line.startsWith("#")) return;
      const fields = csvFields(line, delimiter);
      if (!header) {
        header = fields;
        col = header.indexOf("id");
        if (col < 0) throw new InputError(`${file}: expected an "id" column, got columns ${header.join(", ")}`);
        return;
      }
      const id = fields[col] ?? "";
      if (id === "") throw new InputError(`${file}: line ${i + 1}: expected a non-empty "id"`);
      ids.push(id);
    });
    return ids;
  }
  throw new InputError(`${file}: expected .json (selection.json), .jsonl or .csv, got "${ext || "no extension"}"`);
}

function rowsOf(points: Points, rows: number[]): Points {
  const out = new Float32Array(rows.length * points.dim);
  rows.forEach((r, i) => out.set(points.data.subarray(r * points.dim, (r + 1) * points.dim), i * points.dim));
  return { data: out, n: rows.length, dim: points.dim };
}

export const command: Command = {
  summary: "train the linear probe on a selection, test on a test split → accuracy, balanced and worst-group accuracy (JSON)",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      values: ["embeddings", "samples", "selection", "test-embeddings", "test-samples", "group-by", "label-column", "max-iter", "min-group-size", "out"],
      required: ["embeddings", "samples", "selection", "test-embeddings", "test-samples"],
    });
    const labelColumn = flags.get("label-column");
    const maxIter = flags.int("max-iter", 200)!;
    if (maxIter < 1) throw new UsageError(`--max-iter: expected an integer ≥ 1, got ${maxIter}`);
    const minGroupSize = flags.int("min-group-size", 1)!;
    if (minGroupSize < 1) throw new UsageError(`--min-group-size: expected an integer ≥ 1, got ${minGroupSize}`);
    const groupByFlag = flags.get("group-by");
    const groupBy = groupByFlag === undefined ? null : groupByFlag.split(",").map((c) => c.trim());
    if (groupBy && (groupBy.length === 0 || groupBy.some((c) => c === ""))) throw new UsageError(`--group-by: expected comma-separated column names, got "${groupByFlag}"`);

    const pool = await loadInputs({ embeddings: flags.require("embeddings"), samples: flags.require("samples"), labelColumn });
    const test = await loadInputs({ embeddings: flags.require("test-embeddings"), samples: flags.require("test-samples"), labelColumn });
    if (test.points.dim !== pool.points.dim) {
      throw new InputError(`${flags.require("test-embeddings")}: expected ${pool.points.dim}-dimensional vectors (as ${flags.require("embeddings")}), got ${test.points.dim}`);
    }
    const selectionFile = flags.require("selection");
    const selectedIds = await readSelectionIds(selectionFile);
    const rowOf = new Map(pool.ids.map((id, r) => [id, r]));
    const train: number[] = [];
    const seen = new Set<string>();
    for (const id of selectedIds) {
      const r = rowOf.get(id);
      if (r === undefined) throw new InputError(`${selectionFile}: id "${id}" is not in ${flags.require("samples")}`);
      if (seen.has(id)) throw new InputError(`${selectionFile}: id "${id}" appears twice`);
      seen.add(id);
      train.push(r);
    }
    if (train.length === 0) throw new InputError(`${selectionFile}: expected at least one selected id, got none`);
    // A test sample the probe trained on is no test of it.
    const testRows: number[] = [];
    let excludedOverlap = 0;
    test.ids.forEach((id, r) => (seen.has(id) ? excludedOverlap++ : testRows.push(r)));
    if (testRows.length === 0) throw new InputError(`${flags.require("test-samples")}: no test sample is left outside the selection`);

    const columns = groupBy ?? ("site" in test.metadata ? ["site"] : []);
    for (const c of columns) {
      if (!(c in test.metadata)) throw new UsageError(`--group-by: column "${c}" is not in ${flags.require("test-samples")} (columns: ${test.columns.join(", ")})`);
    }
    const testGroupings = Object.fromEntries(columns.map((c) => [c, testRows.map((r) => test.metadata[c]![r] ?? null)]));
    let result;
    try {
      result = linearProbe(
        {
          trainPoints: rowsOf(pool.points, train),
          trainLabels: train.map((r) => pool.labels[r]!),
          testPoints: rowsOf(test.points, testRows),
          testLabels: testRows.map((r) => test.labels[r]!),
          testGroupings,
        },
        { maxIter, minGroupSize },
      );
    } catch (error) {
      if (error instanceof EngineInputError) throw new InputError(error.message);
      throw error;
    }
    const count = (labels: string[]) => Object.fromEntries([...new Set(labels)].sort().map((l) => [l, labels.filter((x) => x === l).length]));
    const out = {
      train: { n: train.length, perClass: count(train.map((r) => pool.labels[r]!)) },
      test: { n: testRows.length, excludedOverlap, perClass: count(testRows.map((r) => test.labels[r]!)) },
      accuracy: result.accuracy,
      balancedAccuracy: result.balancedAccuracy,
      // Without columns, groups are the classes (worst class recall) under "label".
      worstGroupAccuracy: columns.length ? Object.fromEntries(columns.map((c) => [c, nullIfNaN(result.groupings[c]!.worstGroupAccuracy)])) : { label: nullIfNaN(result.worstGroupAccuracy) },
      groups: columns.length ? Object.fromEntries(columns.map((c) => [c, result.groupings[c]!.perGroup])) : { label: result.perGroup },
      perClass: result.perClass,
      converged: result.converged,
      probe: { model: "multinomial logistic regression on frozen embeddings", maxIter, minGroupSize },
    };
    const json = JSON.stringify(out, null, 2) + "\n";
    const outFile = flags.get("out");
    if (outFile) await writeFile(outFile, json);
    process.stdout.write(json);
  },
};

const nullIfNaN = (x: number) => (Number.isFinite(x) ? x : null);
