// `stratum analyze`: confounder discovery per class → findings.json (the shape in @stratum/formats'
// findings.ts, converted in ../findings.ts: classes with groups of member ids, noise ids, eps, minPts and
// the 2-D layout; associations of each samples column with the groups).
import { writeFile } from "node:fs/promises";
import { EngineInputError, REDUCE_METHODS, SEED_MAX, SEED_MIN, type AnalyzeParams, type Findings } from "@stratum/engine";
import { analyzeThreaded, THREADS_MAX } from "@stratum/engine/threads";
import { parseFlags, UsageError } from "../args.js";
import { findingsToJson } from "../findings.js";
import { InputError, loadInputs } from "../load-inputs.js";
import type { Command } from "../main.js";
import { createProgress } from "../progress.js";

const usage = `usage: stratum analyze --embeddings E --samples S --out findings.json
                       [--label-column label] [--reduce umap|tsne|pca|none] [--eps auto|NUM] [--min-pts N]
                       [--pca-components N] [--perplexity P] [--n-neighbors K] [--seed N] [--threads N]

  --embeddings E        .npy (float32 rows × dim), .csv or .parquet; row i is sample i of S
  --samples S           .csv/.tsv/.jsonl with an "id" column and a label column; every other column
                        is metadata whose link to the groups is measured
  --label-column        samples column with the class (default "label")
  --reduce              2-D layout before DBSCAN (default umap); none clusters in the PCA space
  --eps                 DBSCAN radius, or auto (default): knee of the k-distance curve
  --min-pts N           DBSCAN minPts, point included (default per class: clamp(round(2 ln n), 5, 50))
  --pca-components N    PCA before the layout (default 50 when dim > 50; 0 = off)
  --perplexity P        t-SNE perplexity (default 30)
  --n-neighbors K       UMAP neighbours (default 15)
  --seed N              seed of every random step, ${SEED_MIN}..${SEED_MAX} (default 0)
  --threads N           engine threads, 1..${THREADS_MAX} (default: the cores available); classes run in
                        parallel, and findings.json is the same bytes for any N
  --out F               where to write findings.json`;

/** Engine parameters that come from flags: their errors are usage errors (exit 2). */
const FLAG_OF: Record<string, string> = {
  reduce: "--reduce",
  eps: "--eps",
  minPts: "--min-pts",
  pcaComponents: "--pca-components",
  perplexity: "--perplexity",
  nNeighbors: "--n-neighbors",
  seed: "--seed",
};

export function summarize(findings: Findings): string {
  const lines: string[] = [];
  for (const c of findings.classes) {
    lines.push(
      `${c.label}: ${c.rows.length} samples → ${c.groupSizes.length} groups (${c.groupSizes.join(", ") || "none"}), ${c.noiseCount} noise; ` +
        `${c.reduce}, eps ${c.eps.toPrecision(4)}${c.epsAuto ? " (auto)" : ""}, minPts ${c.minPts}`,
    );
    for (const a of findings.associations.filter((x) => x.label === c.label)) {
      const pred = a.predictability ? `, k-NN ${(a.predictability.accuracy * 100).toFixed(0)}% vs chance ${(a.predictability.chance * 100).toFixed(0)}%` : "";
      lines.push(`  ${a.column}: Cramér's V ${a.cramersV.toFixed(2)}, AMI ${a.ami.toFixed(2)}, p ${a.pValue.toExponential(1)}${pred}`);
    }
  }
  return lines.join("\n");
}

export const command: Command = {
  summary: "find confounder groups per class (PCA → UMAP/t-SNE → DBSCAN) → findings.json",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      values: ["embeddings", "samples", "label-column", "reduce", "eps", "min-pts", "pca-components", "perplexity", "n-neighbors", "seed", "threads", "out"],
      required: ["embeddings", "samples", "out"],
    });
    const params: AnalyzeParams = {};
    params.reduce = flags.oneOf("reduce", REDUCE_METHODS, "umap");
    const eps = flags.get("eps") ?? "auto";
    if (eps !== "auto") {
      const v = flags.number("eps")!;
      if (!(v > 0)) throw new UsageError(`--eps: expected "auto" or a number > 0, got "${eps}"`);
      params.eps = v;
    }
    const minPts = flags.int("min-pts");
    if (minPts !== undefined) params.minPts = minPts;
    const pcaComponents = flags.int("pca-components");
    if (pcaComponents !== undefined) params.pcaComponents = pcaComponents;
    const perplexity = flags.number("perplexity");
    if (perplexity !== undefined) params.perplexity = perplexity;
    const nNeighbors = flags.int("n-neighbors");
    if (nNeighbors !== undefined) params.nNeighbors = nNeighbors;
    params.seed = flags.seed("seed", 0)!;
    const threads = flags.threads();
    const out = flags.require("out");
    const embeddings = flags.require("embeddings");

    const inputs = await loadInputs({ embeddings, samples: flags.require("samples"), labelColumn: flags.get("label-column") });
    const progress = createProgress();
    let findings: Findings;
    try {
      findings = await analyzeThreaded({ points: inputs.points, labels: inputs.labels, metadata: inputs.metadata }, params, { threads, onProgress: progress.update });
    } catch (error) {
      if (error instanceof EngineInputError) {
        if (FLAG_OF[error.field]) throw new UsageError(`${FLAG_OF[error.field]}: ${error.message}`);
        // data problems (a NaN in row r, …): the row is a samples row, 0-based in the message
        throw new InputError(`${embeddings}: ${error.message}`);
      }
      throw error;
    } finally {
      progress.done();
    }
    await writeFile(out, JSON.stringify(findingsToJson(findings, inputs.ids)) + "\n");
    console.log(summarize(findings));
    console.log(`→ ${out}`);
  },
};
