// `stratum quality`: data-quality findings on an embedding set, written as quality.json —
// exact duplicates (a content-hash column), near-duplicates (cosine, threshold given or the engine's
// default) grouped into sets flagged across sites / splits / labels, outliers per class, and likely
// label errors by confident learning. One cosine kNN graph serves near-duplicates and the kNN
// label-error probabilities.
import { writeFile } from "node:fs/promises";
import {
  classOutliers,
  cosineKnn,
  EngineInputError,
  exactDuplicates,
  labelErrors,
  nearDuplicates,
  type DuplicateSet,
} from "@stratum/engine";
import { parseFlags, UsageError } from "../args.js";
import { loadInputs } from "../load-inputs.js";
import type { Command } from "../main.js";

const usage = `usage: stratum quality --embeddings E --samples S [--out quality.json]
                       [--threshold T] [--k 10] [--outlier-k N] [--outlier-metric euclidean|cosine]
                       [--label-errors knn|probe] [--folds 5]
                       [--seed 0] [--method auto|exact|approximate] [--top 50]
                       [--label-column label] [--site-column site] [--split-column split] [--hash-column sha256]

  --embeddings E       embeddings (.npy/.csv/.parquet), row i ↔ samples row i (or by an id column)
  --samples S          samples (.csv/.tsv/.jsonl with "id" and a label column)
  --out F              write quality.json to F (default: print it)
  --threshold T        near-duplicate cosine distance 1 − cos, in (0, 2] (default: derived from the
                       nearest-neighbour distances, see the engine README "Data quality")
  --k N                neighbours per row for near-duplicates and kNN label errors (default 10)
  --outlier-k N        same-class neighbours of the outlier score (default round(√class size) in 10..50)
  --outlier-metric M   distance of the outlier score: euclidean (default) or cosine
  --label-errors M     out-of-sample probabilities: knn (default) or probe (k-fold logistic regression)
  --folds N            folds of the probe (default 5)
  --seed N             seed of the approximate graph and the folds (default 0)
  --method M           kNN graph: auto (exact up to 2000 rows), exact or approximate
  --top N              rows listed under outliers.top and labelErrors.top (default 50)
  --site-column C      samples column with the site (default "site" when present)
  --split-column C     samples column with the split or version, e.g. pool/test (default "split" when present)
  --hash-column C      samples column with a content hash for exact duplicates (default "sha256" when present)`;

/** The flag that sets an engine parameter, for usage errors that name what the user typed. */
const FLAG_OF: Record<string, string> = { threshold: "--threshold", k: "--k", seed: "--seed", folds: "--folds", probabilities: "--label-errors" };

function columnFlag(flags: ReturnType<typeof parseFlags>, name: string, fallback: string, columns: string[], file: string): string | null {
  const given = flags.get(name);
  if (given !== undefined) {
    if (!columns.includes(given)) throw new UsageError(`--${name}: column "${given}" is not in ${file} (columns: ${columns.join(", ")})`);
    return given;
  }
  return columns.includes(fallback) ? fallback : null;
}

export const command: Command = {
  summary: "duplicates (exact, near; across sites/splits/labels), outliers per class, likely label errors → quality.json",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      values: ["embeddings", "samples", "out", "threshold", "k", "outlier-k", "outlier-metric", "label-errors", "folds", "seed", "method", "top", "label-column", "site-column", "split-column", "hash-column"],
      required: ["embeddings", "samples"],
    });
    const threshold = flags.number("threshold");
    // checked before the inputs are read (the engine checks it again, naming the field)
    if (threshold !== undefined && !(threshold > 0 && threshold <= 2)) throw new UsageError(`--threshold: expected a cosine distance in (0, 2], got ${threshold}`);
    const k = flags.int("k", 10)!;
    const outlierK = flags.int("outlier-k");
    if (outlierK !== undefined && !(outlierK >= 1 && outlierK <= 1024)) throw new UsageError(`--outlier-k: expected an integer in 1..1024, got ${outlierK}`);
    const folds = flags.int("folds", 5)!;
    const seed = flags.int("seed", 0)!;
    const top = flags.int("top", 50)!;
    if (top < 0) throw new UsageError(`--top: expected an integer ≥ 0, got ${top}`);
    const method = flags.oneOf("method", ["auto", "exact", "approximate"] as const, "auto")!;
    const outlierMetric = flags.oneOf("outlier-metric", ["euclidean", "cosine"] as const, "euclidean")!;
    const probabilities = flags.oneOf("label-errors", ["knn", "probe"] as const, "knn")!;
    const samplesFile = flags.require("samples");
    const input = await loadInputs({ embeddings: flags.require("embeddings"), samples: samplesFile, labelColumn: flags.get("label-column") });
    const { points, ids, labels, metadata, columns } = input;
    const siteCol = columnFlag(flags, "site-column", "site", columns, samplesFile);
    const splitCol = columnFlag(flags, "split-column", "split", columns, samplesFile);
    const hashCol = columnFlag(flags, "hash-column", "sha256", columns, samplesFile);
    const tags = {
      labels,
      ...(siteCol ? { sites: metadata[siteCol]! } : {}),
      ...(splitCol ? { splits: metadata[splitCol]! } : {}),
    };

    let out;
    try {
      const started = Date.now();
      const graph = points.n > 1 ? cosineKnn(points, Math.min(k, points.n - 1), { seed, method }) : undefined;
      const near = nearDuplicates(points, { ...tags, threshold, k, seed, method, graph });
      const exact = hashCol ? exactDuplicates(metadata[hashCol]!, tags) : null;
      const outliers = classOutliers(points, labels, { ...(outlierK === undefined ? {} : { k: outlierK }), metric: outlierMetric, seed, method });
      const errors = labelErrors(points, labels, { probabilities, k, folds, seed, method, graph });
      const setOf = new Int32Array(points.n).fill(-1);
      near.sets.forEach((s, i) => s.rows.forEach((r) => (setOf[r] = i)));
      const named = (s: DuplicateSet) => ({ ...s, rows: undefined, ids: s.rows.map((r) => ids[r]!) });
      const byScore = (scores: Float64Array) =>
        Array.from({ length: points.n }, (_, i) => i)
          .filter((i) => Number.isFinite(scores[i]!))
          .sort((a, b) => scores[b]! - scores[a]! || a - b)
          .slice(0, top);
      out = {
        format: "stratum.quality/1",
        n: points.n,
        dim: points.dim,
        params: { k, outlierK: outlierK ?? null, outlierMetric, labelErrors: probabilities, folds, seed, method, siteColumn: siteCol, splitColumn: splitCol, hashColumn: hashCol },
        nearDuplicates: {
          threshold: near.threshold,
          thresholdRule: near.thresholdRule,
          medianNearest: near.medianNearest,
          graph: near.method,
          pairs: near.pairs.map((p) => ({ a: ids[p.a]!, b: ids[p.b]!, distance: p.distance })),
          sets: near.sets.map(named),
          crossSite: near.sets.filter((s) => s.crossSite).length,
          crossSplit: near.sets.filter((s) => s.crossSplit).length,
          conflictingLabels: near.sets.filter((s) => s.conflictingLabels).length,
        },
        exactDuplicates: exact ? { column: hashCol, sets: exact.map(named) } : null,
        outliers: {
          k: outliers.k,
          metric: outliers.metric,
          perClass: outliers.perClass,
          top: byScore(outliers.scores).map((i) => ({ id: ids[i]!, label: labels[i]!, score: outliers.scores[i]!, rank: outliers.ranks[i]!, reason: outliers.reasons[i]! })),
        },
        labelErrors: {
          method: errors.method,
          thresholds: Object.fromEntries(errors.classes.map((c, j) => [c, errors.thresholds[j]!])),
          issueCount: errors.issueCount,
          top: byScore(errors.scores).map((i) => ({ id: ids[i]!, label: labels[i]!, suggested: errors.suggested[i]!, score: errors.scores[i]!, issue: errors.issues[i] === 1 })),
        },
        samples: ids.map((id, i) => ({
          id,
          label: labels[i]!,
          duplicateSet: setOf[i]! >= 0 ? setOf[i]! : null,
          outlierScore: Number.isFinite(outliers.scores[i]!) ? outliers.scores[i]! : null,
          outlierRank: outliers.ranks[i]!,
          labelErrorScore: errors.scores[i]!,
          suggestedLabel: errors.suggested[i]!,
          labelIssue: errors.issues[i] === 1,
        })),
        seconds: (Date.now() - started) / 1000,
      };
    } catch (error) {
      if (error instanceof EngineInputError && FLAG_OF[error.field]) throw new UsageError(`${FLAG_OF[error.field]}: ${error.message}`);
      throw error;
    }
    const json = JSON.stringify(out, null, 2) + "\n";
    const outFile = flags.get("out");
    if (outFile) {
      await writeFile(outFile, json);
      const nd = out.nearDuplicates;
      console.error(
        `stratum quality: ${out.n} rows; ${nd.sets.length} near-duplicate sets at cosine distance ≤ ${nd.threshold.toPrecision(3)} (${nd.thresholdRule}; ${nd.crossSite} across sites, ${nd.crossSplit} across splits, ${nd.conflictingLabels} with two labels)` +
          (out.exactDuplicates ? `, ${out.exactDuplicates.sets.length} exact` : "") +
          `; ${out.labelErrors.issueCount} likely label errors → ${outFile}`,
      );
    } else process.stdout.write(json);
  },
};
