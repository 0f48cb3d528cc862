// `stratum analyze`: confounder discovery per class → findings.json (the shape in @stratum/formats'
// findings.ts, converted in ../findings.ts: classes with groups of member ids, noise ids, eps, minPts and
// the 2-D layout; associations of each samples column with the groups).
import { writeFile } from "node:fs/promises";
import { ANALYZE_PARAMS, EngineInputError, onSurface, type AnalyzeParams, type Findings } from "@stratum/engine";
import { analyzeThreaded, THREADS_MAX } from "@stratum/engine/threads";
import { metavarOf, paramHelp, parseFlags, UsageError } from "../args.js";
import { findingsToJson } from "../findings.js";
import { InputError, loadInputs } from "../load-inputs.js";
import type { Command } from "../main.js";
import { createProgress } from "../progress.js";

/**
 * The flags of the declared analysis parameters offered on the "cli" surface (ANALYZE_PARAMS, in
 * declaration order): flag name, metavar, help line, parsing and range check all come from there, so a
 * parameter added to the declaration with surfaces ["cli"] is a flag without a line here.
 */
const PARAM_FLAGS = onSurface(ANALYZE_PARAMS, "cli").map(([name, spec, flag]) => ({ name, flag, spec, metavar: metavarOf(spec) }));

const usage = `usage: stratum analyze --embeddings E --samples S --out findings.json
                       [--label-column label] ${PARAM_FLAGS.map((p) => `[--${p.flag} ${p.metavar}]`).join(" ")} [--threads N]

  --embeddings E        .npy (float32 rows × dim), .csv or .parquet; row i is sample i of S
  --samples S           .csv/.tsv/.jsonl with an "id" column and a label column; every other column
                        is metadata whose link to the groups is measured
  --label-column        samples column with the class (default "label")
${PARAM_FLAGS.map((p) => paramHelp(p.flag, p.spec.type === "enum" ? "" : p.metavar, p.spec)).join("\n")}
  --threads N           engine threads, 1..${THREADS_MAX} (default: the cores available); classes run in
                        parallel, and findings.json is the same bytes for any N
  --out F               where to write findings.json`;

/** Engine parameters that come from flags: their errors are usage errors (exit 2). */
const FLAG_OF: Record<string, string> = Object.fromEntries(PARAM_FLAGS.map((p) => [p.name, `--${p.flag}`]));

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
      values: ["embeddings", "samples", "label-column", ...PARAM_FLAGS.filter((p) => p.spec.type !== "boolean").map((p) => p.flag), "threads", "out"],
      booleans: PARAM_FLAGS.filter((p) => p.spec.type === "boolean").map((p) => p.flag),
      required: ["embeddings", "samples", "out"],
    });
    const params: AnalyzeParams = {};
    const given = params as Record<string, unknown>;
    for (const { name, flag, spec } of PARAM_FLAGS) {
      const value = flags.declared(flag, spec);
      if (value !== undefined) given[name] = value;
    }
    params.reduce ??= ANALYZE_PARAMS.reduce.default;
    params.seed ??= ANALYZE_PARAMS.seed.default;
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
