// `stratum import`: a manifest (+ optional embeddings) → a new version of a dataset, in the configured
// store (DATABASE_URL → PostgreSQL; otherwise the embedded PGlite folder, STRATUM_DATA_DIR or
// .stratum/pglite at the repo root). The consortium (default "local") and the project are created
// when missing, so a first import on a fresh machine needs nothing else.
import { parseFlags, UsageError } from "../args.js";
import type { Command } from "../main.js";
import { createProgress } from "../progress.js";

const usage = `usage: stratum import --project P --dataset D --manifest m.csv
                      [--embeddings e.npy --model NAME [--model-version V]] [--message "..."]
                      [--consortium C] [--id-column id] [--label-column label] [--uri-column uri]
                      [--site-column site] [--author EMAIL] [--json]

  --project P          project slug (created when missing)
  --dataset D          dataset name within the project (created on first import)
  --manifest F         .csv/.tsv/.jsonl: one row per sample, with id and label columns; a uri/path
                       column, a site column (sites are created by code) and any other columns,
                       which are kept as metadata
  --embeddings E       .npy (float32, rows × dim), .csv or .parquet; row i belongs to manifest row i
  --model NAME         the model the embeddings came from (an external model, created when missing)
  --model-version V    default "1"
  --message "..."      the version's message (default "import <file>")
  --consortium C       consortium slug (default "local", created when missing)
  --author EMAIL       record this existing user as the version's author
  --json               print the result as JSON instead of a summary

Writes to PostgreSQL when DATABASE_URL is set, else to the embedded PGlite folder (STRATUM_DATA_DIR,
default .stratum/pglite). The same content as the latest version creates no new version.
Exit codes: 0 imported (or unchanged), 1 bad input (the message names the file and row), 2 usage.`;

export const command: Command = {
  summary: "import a manifest (+ embeddings) as a new dataset version",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      values: [
        "project",
        "dataset",
        "manifest",
        "embeddings",
        "model",
        "model-version",
        "message",
        "consortium",
        "id-column",
        "label-column",
        "uri-column",
        "site-column",
        "author",
      ],
      booleans: ["json"],
      required: ["project", "dataset", "manifest"],
    });
    const embeddingsPath = flags.get("embeddings");
    const model = flags.get("model");
    if (embeddingsPath !== undefined && model === undefined)
      throw new UsageError("--model is required with --embeddings");
    if (model !== undefined && embeddingsPath === undefined)
      throw new UsageError("--model applies to --embeddings, which is missing");
    if (flags.get("model-version") !== undefined && embeddingsPath === undefined)
      throw new UsageError("--model-version applies to --embeddings, which is missing");

    // Loaded here, not at the top: `stratum --help` must not load the database driver.
    const { openStore, importDataset } = await import("@stratum/db");
    const store = await openStore();
    const progress = createProgress();
    try {
      let authorId: number | null = null;
      const author = flags.get("author");
      if (author !== undefined) {
        const user = await store.prisma.user.findUnique({ where: { email: author } });
        if (!user) throw new Error(`--author: expected the email of an existing user, got "${author}"`);
        authorId = user.id;
      }
      const labels: Record<string, string> = {
        manifest: "reading manifest",
        samples: "writing samples",
        embeddings: "writing vectors",
      };
      const result = await importDataset(
        store,
        {
          consortium: flags.get("consortium") ?? "local",
          project: flags.require("project"),
          dataset: flags.require("dataset"),
          manifestPath: flags.require("manifest"),
          ...(embeddingsPath !== undefined ? { embeddingsPath, model } : {}),
          modelVersion: flags.get("model-version"),
          message: flags.get("message"),
          authorId,
          idColumn: flags.get("id-column"),
          labelColumn: flags.get("label-column"),
          uriColumn: flags.get("uri-column"),
          siteColumn: flags.get("site-column"),
          createMissing: true,
        },
        (phase, done, total) => progress.update(labels[phase] ?? phase, done, total),
      );
      progress.done();
      if (flags.booleans.has("json")) {
        console.log(JSON.stringify(result, null, 2));
      } else {
        const v = result.version;
        console.log(
          result.created
            ? `created version ${v.number} of dataset "${flags.require("dataset")}"`
            : `unchanged: version ${v.number} of dataset "${flags.require("dataset")}"`,
        );
        console.log(`  content hash  ${v.contentHash}`);
        console.log(
          `  samples       ${v.sampleCount} (${result.newSamples} new rows, ${result.reusedSamples} reused)`,
        );
        if (result.created && v.parentId !== null) {
          console.log(
            `  vs version ${v.number - 1}  ${result.diff.added} added, ${result.diff.removed} removed, ${result.diff.changed} changed`,
          );
        }
        if (result.embeddings) {
          const e = result.embeddings;
          console.log(
            `  embeddings    ${e.count} × ${e.dim} from model "${e.model}"${e.created ? "" : " (already present, kept)"}`,
          );
        }
      }
    } finally {
      progress.done();
      await store.close();
    }
  },
};
