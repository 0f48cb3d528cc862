// `stratum select`: choose up to N samples per class with one of the engine's strategies and write
// selection.json — the contract training pipelines rely on:
//   {"strategy", "params", "seed", "manifestHash": "sha256:<hex>",
//    "selected": [{"id", "label", "group", "rank"}], "perClass": [...], "warnings": [...]}
// confounder-aware needs the confounder groups: from --findings (written by `stratum analyze`), or,
// without it, by running discovery here with analyze()'s defaults and the same --seed. --declare names
// samples columns known to be confounders (balanced across first, then the groups inside each level);
// --verdicts applies curators' verdicts as the server does (rejected → ordinary rows, same name → one group).
// --exclude / --include / --quality (issue 14) are the API's run constraints: rows left out, rows always
// taken (against their class's budget), and data-quality exclusions from quality.json.
import { readFile, writeFile } from "node:fs/promises";
import {
  EngineInputError,
  SELECT_PARAMS,
  applyVerdicts,
  onSurface,
  verdictsFromJson,
  type Findings,
  type QualityExclusionRules,
  type SelectConstraints,
  type SelectParams,
  type SelectionResult,
} from "@stratum/engine";
import { analyzeThreaded, selectConstrainedThreaded, selectThreaded, THREADS_MAX } from "@stratum/engine/threads";
import { metavarOf, paramHelp, parseFlags, UsageError } from "../args.js";
import { findingsFromJson } from "../findings.js";
import { loadInputs, InputError } from "../load-inputs.js";
import type { Command } from "../main.js";
import { createProgress } from "../progress.js";
import { qualityExcludedRows, readIdList } from "../constraints.js";

const P = SELECT_PARAMS;

/** What only the CLI says about a flag, after the declaration's words. */
const NOTES: Partial<Record<keyof typeof SELECT_PARAMS, string>> = {
  declared: `E.g. site,scanner, at most ${P.declared.maxItems}; a missing value is a level of its own.`,
};

/**
 * The flags of the declared selection parameters offered on the "cli" surface (SELECT_PARAMS, in
 * declaration order): flag name (the declared `names.cli`, else kebab case), metavar, help line,
 * parsing, range check, whether it is required and the strategies it applies to all come from there,
 * so a parameter added to the declaration with surfaces ["cli"] is a flag without a line here.
 */
const PARAM_FLAGS = onSurface(SELECT_PARAMS, "cli").map(([name, spec, flag]) => ({ name, flag, spec, metavar: metavarOf(spec) }));
const usageOf = (p: (typeof PARAM_FLAGS)[number]) => `--${p.flag}${p.metavar ? ` ${p.metavar}` : ""}`;

const usage = `usage: stratum select --embeddings E --samples S ${PARAM_FLAGS.filter((p) => p.spec.required).map(usageOf).join(" ")} --out selection.json
                      ${PARAM_FLAGS.filter((p) => !p.spec.required).map((p) => `[${usageOf(p)}]`).join(" ")}
                      [--findings findings.json] [--verdicts verdicts.json] [--label-column label] [--threads N]
                      [--exclude ids.txt] [--include ids.txt] [--quality quality.json --exclude-duplicates
                       --exclude-outlier-rank R --exclude-outlier-ratio X --exclude-label-errors S]

  --embeddings E        .npy (float32 rows × dim), .csv or .parquet; row i is sample i of S
  --samples S           .csv/.tsv/.jsonl with an "id" column and a label column
${PARAM_FLAGS.map((p) => paramHelp(p.flag, p.spec.type === "enum" ? "" : p.metavar, p.spec, NOTES[p.name])).join("\n")}
  --findings F          confounder groups from \`stratum analyze\`; without it, discovery runs here
  --verdicts F          confounder-aware: curators' verdicts, a JSON list of {"label", "index", "verdict",
                        "name"?} (or {"groups": [...]}): REJECTED groups are ordinary rows of their class,
                        groups given the same name (trimmed, any case) are one group
  --label-column        samples column with the class (default "label")
  --threads N           engine threads, 1..${THREADS_MAX} (default: the cores available); classes run in
                        parallel, and selection.json (its manifestHash too) is the same bytes for any N
  --out F               where to write selection.json
  --exclude F           sample ids (one a line) never selected
  --include F           sample ids always selected, first in their class, counting against --per-class
                        (more in a class than N is an error); they win over any exclusion
  --quality F           quality.json from \`stratum quality\`, for the --exclude-* rules below (as the API's
                        qualityExclusions):
  --exclude-duplicates      leave out duplicates, keeping the first row of each set (sets sharing a row merged)
  --exclude-outlier-rank R  leave out the R most outlying samples of each class
  --exclude-outlier-ratio X leave out samples whose outlier score is ≥ X × their class median
  --exclude-label-errors S  leave out likely label errors (flagged by confident learning) with score ≥ S`;

/** What --exclude / --include / --quality resolved to, written under "constraints". */
export interface ConstraintsJson {
  pool: number;
  excluded: { id: string; reason: string }[];
  included: number;
}

/**
 * The JSON written to --out. Key order is fixed, so the same run gives the same bytes. With constraints,
 * must-include items carry their "reason" and "constraints" lists what was left out.
 */
export function selectionToJson(result: SelectionResult, constraints?: ConstraintsJson): object {
  return {
    strategy: result.strategy,
    params: result.params,
    seed: result.seed,
    manifestHash: result.manifestHash,
    selected: result.selected.map((s) => ({ id: s.id, label: s.label, group: s.group, rank: s.rank, ...(constraints && s.groupKey === "include" ? { reason: s.reason } : {}) })),
    perClass: result.perClass,
    warnings: result.warnings,
    ...(constraints ? { constraints } : {}),
  };
}

/** Per row: its group from the findings (rows the findings don't mention are noise, −1). */
export function groupsFromFindings(findings: Findings, n: number): Int32Array {
  const groups = new Int32Array(n).fill(-1);
  for (const c of findings.classes) for (let r = 0; r < c.rows.length; r++) groups[c.rows[r]!] = c.groups[r]!;
  return groups;
}

/** Engine parameters that come from flags: their errors are usage errors (exit 2). */
const FLAG_OF: Record<string, string> = Object.fromEntries(PARAM_FLAGS.map((p) => [p.name, `--${p.flag}`]));

export const command: Command = {
  summary: "choose N samples per class (confounder-aware or a baseline) → selection.json",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      values: [
        "embeddings", "samples", ...PARAM_FLAGS.filter((p) => p.spec.type !== "boolean").map((p) => p.flag), "findings", "verdicts", "label-column", "threads", "out",
        "exclude", "include", "quality", "exclude-outlier-rank", "exclude-outlier-ratio", "exclude-label-errors",
      ],
      booleans: ["exclude-duplicates", ...PARAM_FLAGS.filter((p) => p.spec.type === "boolean").map((p) => p.flag)],
      required: ["embeddings", "samples", ...PARAM_FLAGS.filter((p) => p.spec.required).map((p) => p.flag), "out"],
    });
    const given: Record<string, unknown> = {};
    for (const { name, flag, spec } of PARAM_FLAGS) {
      const value = flags.declared(flag, spec);
      if (value !== undefined) given[name] = value;
    }
    const params = given as unknown as SelectParams;
    params.seed ??= P.seed.default;
    const { strategy, seed, declared } = params;
    const threads = flags.threads();
    const findingsFile = flags.get("findings");
    const verdictsFile = flags.get("verdicts");
    const out = flags.require("out");
    const only = (flag: string, value: unknown, forStrategies: readonly string[]) => {
      if (value !== undefined && !forStrategies.includes(strategy)) throw new UsageError(`--${flag} applies to --strategy ${forStrategies.join(" / ")}, got --strategy ${strategy}`);
    };
    for (const p of PARAM_FLAGS) if (p.spec.strategies) only(p.flag, given[p.name], p.spec.strategies);
    only("findings", findingsFile, ["confounder-aware"]);
    only("verdicts", verdictsFile, ["confounder-aware"]);
    if (strategy === "stratified" && params.stratifyColumn === undefined) throw new UsageError(`${FLAG_OF.stratifyColumn} is required with --strategy stratified`);
    const qualityFile = flags.get("quality");
    const rules: QualityExclusionRules = {
      ...(flags.booleans.has("exclude-duplicates") ? { duplicates: true } : {}),
      ...(flags.get("exclude-outlier-rank") !== undefined ? { outlierRank: flags.int("exclude-outlier-rank")! } : {}),
      ...(flags.get("exclude-outlier-ratio") !== undefined ? { outlierRatio: flags.number("exclude-outlier-ratio")! } : {}),
      ...(flags.get("exclude-label-errors") !== undefined ? { labelErrorScore: flags.number("exclude-label-errors")! } : {}),
    };
    const ruleCount = Object.keys(rules).length;
    if (ruleCount && !qualityFile) throw new UsageError("--exclude-duplicates / --exclude-outlier-* / --exclude-label-errors need --quality quality.json");
    if (qualityFile && !ruleCount) throw new UsageError("--quality: expected at least one of --exclude-duplicates, --exclude-outlier-rank, --exclude-outlier-ratio, --exclude-label-errors");

    const progress = createProgress();
    const inputs = await loadInputs({ embeddings: flags.require("embeddings"), samples: flags.require("samples"), labelColumn: flags.get("label-column") });
    let groups: Int32Array | undefined;
    if (strategy === "confounder-aware") {
      let findings: Findings;
      if (findingsFile) {
        let json: unknown;
        try {
          json = JSON.parse(await readFile(findingsFile, "utf8"));
        } catch (error) {
          throw new InputError(`${findingsFile}: expected a findings JSON file, got ${error instanceof Error ? error.message : String(error)}`);
        }
        try {
          findings = findingsFromJson(json, inputs.ids);
        } catch (error) {
          if (error instanceof EngineInputError) throw new InputError(`${findingsFile}: ${error.message}`);
          throw error;
        }
      } else {
        findings = await analyzeThreaded({ points: inputs.points, labels: inputs.labels, metadata: inputs.metadata }, { seed }, { threads, onProgress: progress.update });
        progress.done();
      }
      groups = groupsFromFindings(findings, inputs.points.n);
      if (verdictsFile) {
        let json: unknown;
        try {
          json = JSON.parse(await readFile(verdictsFile, "utf8"));
        } catch (error) {
          throw new InputError(`${verdictsFile}: expected a verdicts JSON file, got ${error instanceof Error ? error.message : String(error)}`);
        }
        try {
          groups = applyVerdicts(inputs.labels, groups, verdictsFromJson(json)).groups;
        } catch (error) {
          if (error instanceof EngineInputError) throw new InputError(`${verdictsFile}: ${error.message}`);
          throw error;
        }
      }
    }
    // As the API: a declared column needs 2..64 known levels (one level balances nothing; more than 64
    // is an id or a measurement, whose cells would be single images).
    for (const column of declared ?? []) {
      const values = inputs.metadata[column];
      if (!values) continue; // the engine names it (UNKNOWN_COLUMN → the flag)
      const levels = new Set(values.filter((v) => v !== null && v !== "")).size;
      if (levels < 2 || levels > 64) throw new UsageError(`${FLAG_OF.declared}: column "${column}" has ${levels} level${levels === 1 ? "" : "s"} in ${flags.require("samples")}; expected 2 to 64`);
    }
    // Run constraints (issue 14): resolved to rows with a reason each, as the server records them.
    let constraints: SelectConstraints | undefined;
    const excludedWhy = new Map<number, string>();
    const excludeFile = flags.get("exclude");
    const includeFile = flags.get("include");
    if (excludeFile || includeFile || qualityFile) {
      const rowOfId = new Map(inputs.ids.map((id, row) => [id, row]));
      const include = includeFile ? await readIdList(includeFile, "--include", rowOfId) : [];
      const included = new Set(include);
      if (excludeFile) for (const row of await readIdList(excludeFile, "--exclude", rowOfId)) if (!included.has(row)) excludedWhy.set(row, `listed in ${excludeFile}`);
      if (qualityFile) {
        const q = await qualityExcludedRows(qualityFile, rules, inputs.ids, rowOfId);
        for (const [row, why] of q.excluded) if (!included.has(row) && !excludedWhy.has(row)) excludedWhy.set(row, why);
      }
      constraints = { exclude: [...excludedWhy.keys()], include, includeReason: () => (includeFile ? `must include: listed in ${includeFile}` : "must include") };
    }
    let result: SelectionResult;
    let constraintsJson: ConstraintsJson | undefined;
    try {
      const input = { points: inputs.points, labels: inputs.labels, ids: inputs.ids, metadata: inputs.metadata, groups };
      if (constraints) {
        const r = await selectConstrainedThreaded(input, params, constraints, { threads, onProgress: progress.update });
        result = r;
        constraintsJson = {
          pool: r.counts.pool,
          excluded: [...excludedWhy].sort((a, b) => a[0] - b[0]).map(([row, reason]) => ({ id: inputs.ids[row]!, reason })),
          included: r.counts.included,
        };
      } else {
        result = await selectThreaded(input, params, { threads, onProgress: progress.update });
      }
    } catch (error) {
      if (error instanceof EngineInputError && error.field === "include") throw new UsageError(`--include: ${error.message}`);
      if (error instanceof EngineInputError && FLAG_OF[error.field]) throw new UsageError(`${FLAG_OF[error.field]}: ${error.message}`);
      throw error;
    }
    progress.done();
    await writeFile(out, JSON.stringify(selectionToJson(result, constraintsJson), null, 2) + "\n");
    for (const w of result.warnings) console.error(`warning: ${w}`);
    console.log(`selected ${result.selected.length} of ${inputs.points.n} (${result.perClass.length} classes, ${strategy}) → ${out}  ${result.manifestHash}`);
  },
};
