// Reads the CLI's two inputs: an embeddings file (.npy float32 2-D, .csv or .parquet; row i belongs to
// row i of the samples, or — when the embeddings carry an id column — to the sample with that id) and
// a samples manifest (.csv/.tsv/.jsonl with an `id` column and a label column). Every other samples
// column becomes a metadata column ("" → null). Shared by `stratum analyze`, `select` and `evaluate`.
import { openEmbeddings, openManifest } from "@stratum/formats";
import type { MetadataColumns, Points } from "@stratum/engine";

export interface LoadInputsOptions {
  embeddings: string;
  samples: string;
  /** Samples column holding the class; default "label". */
  labelColumn?: string;
  /** Samples column holding the stable id; default "id". */
  idColumn?: string;
}

export interface LoadedInputs {
  points: Points;
  ids: string[];
  labels: string[];
  /** Every samples column except id and label. */
  metadata: Record<string, (string | null)[]>;
  /** All samples columns, in file order. */
  columns: string[];
}

/** An input file that cannot be used (exit code 1, message names file and row). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const cell = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  return s === "" ? null : s;
};

export async function loadInputs(options: LoadInputsOptions): Promise<LoadedInputs> {
  const labelColumn = options.labelColumn ?? "label";
  const idColumn = options.idColumn ?? "id";

  // Samples.
  const manifest = await openManifest(options.samples);
  const columns = [...manifest.columns];
  if (!columns.includes(idColumn)) {
    await manifest.close();
    throw new InputError(`${options.samples}: expected an "${idColumn}" column, got columns ${columns.join(", ")}`);
  }
  if (!columns.includes(labelColumn)) {
    await manifest.close();
    throw new InputError(`${options.samples}: expected a label column "${labelColumn}" (set --label-column), got columns ${columns.join(", ")}`);
  }
  const metaNames = columns.filter((c) => c !== idColumn && c !== labelColumn);
  const ids: string[] = [];
  const labels: string[] = [];
  const metadata: Record<string, (string | null)[]> = Object.fromEntries(metaNames.map((c) => [c, []]));
  const rowOf = new Map<string, number>();
  for await (const { row, values } of manifest.rows()) {
    const id = cell(values[idColumn]);
    if (id === null) throw new InputError(`${options.samples}: row ${row}: expected a non-empty "${idColumn}", got ""`);
    if (rowOf.has(id)) throw new InputError(`${options.samples}: row ${row}: expected unique ids, got "${id}" again (first at row ${rowOf.get(id)! + 1})`);
    const label = cell(values[labelColumn]);
    if (label === null) throw new InputError(`${options.samples}: row ${row}: expected a non-empty "${labelColumn}", got ""`);
    rowOf.set(id, ids.length);
    ids.push(id);
    labels.push(label);
    for (const c of metaNames) metadata[c]!.push(cell(values[c]));
  }
  const n = ids.length;

  // Embeddings.
  const reader = await openEmbeddings(options.embeddings);
  const dim = reader.dim;
  const data = new Float32Array(n * dim);
  const filled = new Uint8Array(n);
  let count = 0;
  for await (const chunk of reader.chunks()) {
    for (let k = 0; k < chunk.count; k++) {
      const fileRow = chunk.start + k;
      let target: number;
      if (chunk.ids) {
        const id = chunk.ids[k]!;
        const r = rowOf.get(id);
        if (r === undefined) throw new InputError(`${options.embeddings}: row ${fileRow + 1}: id "${id}" is not in ${options.samples}`);
        if (filled[r]) throw new InputError(`${options.embeddings}: row ${fileRow + 1}: id "${id}" appears twice`);
        target = r;
      } else {
        if (fileRow >= n) throw new InputError(`${options.embeddings}: expected ${n} rows (one per sample in ${options.samples}), got more`);
        target = fileRow;
      }
      data.set(chunk.data.subarray(k * dim, (k + 1) * dim), target * dim);
      filled[target] = 1;
      count++;
    }
  }
  if (count !== n) {
    const missing = ids.find((_, i) => !filled[i]);
    throw new InputError(
      `${options.embeddings}: expected ${n} rows (one per sample in ${options.samples}), got ${count}` + (missing !== undefined ? `; no embedding for id "${missing}"` : ""),
    );
  }
  return { points: { data, n, dim }, ids, labels, metadata: metadata as MetadataColumns as Record<string, (string | null)[]>, columns };
}
