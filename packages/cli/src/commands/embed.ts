// `stratum embed`: the site-local path. Embeds a folder or a manifest of images with an ONNX encoder,
// without any server, and writes
//   --out emb.npy            float32 [n, dim]; row i is the sample on data row i of the manifest below
//   --manifest-out s.csv     id, path, sha256, the input manifest's other columns, DICOM metadata columns
//   --failures-out f.csv     id, path, code, reason of every sample that could not be embedded
// Failed samples appear in neither emb.npy nor the manifest, so both stay row-aligned.
// Every file is written to a temporary name next to it and renamed only when the run succeeds:
// a failed or cancelled run leaves nothing half-written.
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseFlags, UsageError } from "../args.js";
import type { Command } from "../main.js";
import { createProgress } from "../progress.js";

const usage = `usage: stratum embed --model M.onnx [--config model.json] --input DIR|manifest.csv --out emb.npy
                     [--manifest-out samples.csv] [--failures-out failures.csv]
                     [--batch-size 32] [--workers N] [--threads N] [--resume]

Embeds images locally (no server): PNG, JPEG, TIFF (8/16-bit gray or RGB) and DICOM.
  --model          ONNX image encoder
  --config         its model.json (default: model.json next to the model)
  --input          a folder (searched recursively; sorted by path) or a manifest (.csv/.tsv/.jsonl)
                   with a "path" column (relative to the manifest) and optional "id"; other
                   columns (label, site, …) are copied to the output manifest
  --out            float32 .npy, one row per embedded sample
  --manifest-out   CSV row-aligned with --out (default: <out>.samples.csv)
  --failures-out   CSV of samples that failed, with a reason (default: <out>.failures.csv; only
                   written when something failed)
  --batch-size     samples per inference batch (default 32)
  --workers        decode worker threads (default: cores / 4, at least 1)
  --threads        ONNX Runtime intra-op threads (default: cores − workers, at least 1)
  --resume         continue a run that was interrupted (Ctrl-C): same model and --out; the images
                   already embedded are skipped, failed ones are tried again
Upload the vectors and the manifest with \`stratum import\`.`;

export interface Row {
  id: string;
  path: string;
  extra: Record<string, string>;
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".tif", ".tiff", ".dcm", ".dicom"]);

async function listFolder(dir: string): Promise<{ rows: Row[]; extraColumns: string[] }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .sort();
  // ImageFolder convention: when every image sits in a subfolder, the first folder level is its label.
  const labelled = files.length > 0 && files.every((f) => f.includes(path.sep));
  const rows = files.map((rel): Row => ({
    id: rel.split(path.sep).join("/"),
    path: path.join(dir, rel),
    extra: labelled ? { label: rel.split(path.sep)[0]! } : ({} as Record<string, string>),
  }));
  return { rows, extraColumns: labelled ? ["label"] : [] };
}

async function readManifest(file: string): Promise<{ rows: Row[]; extraColumns: string[] }> {
  const { openManifest } = await import("@stratum/formats");
  const reader = await openManifest(file);
  const base = path.dirname(file);
  const rows: Row[] = [];
  const extraColumns = reader.columns.filter((c) => c !== "id" && c !== "path");
  if (!reader.columns.includes("path")) {
    await reader.close();
    throw new Error(`${file}: expected a "path" column, got columns ${reader.columns.map((c) => `"${c}"`).join(", ")}`);
  }
  const seen = new Set<string>();
  for await (const r of reader.rows()) {
    const p = r.values.path;
    if (typeof p !== "string" || p.trim() === "") throw new Error(`${file}: row ${r.row}, column "path": expected a file path, got ${JSON.stringify(p)}`);
    const id = typeof r.values.id === "string" && r.values.id !== "" ? r.values.id : p;
    if (seen.has(id)) throw new Error(`${file}: row ${r.row}, column "id": duplicate id "${id}"`);
    seen.add(id);
    const extra: Record<string, string> = {};
    for (const c of extraColumns) extra[c] = r.values[c] === undefined || r.values[c] === null ? "" : String(r.values[c]);
    rows.push({ id, path: path.resolve(base, p), extra });
  }
  return { rows, extraColumns };
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : Array.isArray(v) ? v.join("\\") : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A fixed-length .npy v1.0 header so it can be rewritten in place once the row count is known. */
function npyHeader(rows: number, dim: number, length = 128): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  const body = dict.padEnd(length - 10 - 1, " ") + "\n";
  if (10 + body.length !== length) throw new Error(`npy header does not fit in ${length} bytes`);
  const out = Buffer.alloc(length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out.writeUInt16LE(length - 10, 8);
  out.write(body, 10, "latin1");
  return out;
}

class TempFile {
  readonly temp: string;
  handle: FileHandle | undefined;
  constructor(readonly final: string) {
    this.temp = path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}.tmp`);
  }
  async open(): Promise<FileHandle> {
    await mkdir(path.dirname(this.final), { recursive: true });
    this.handle = await open(this.temp, "w");
    return this.handle;
  }
  async commit(): Promise<void> {
    await this.handle?.sync();
    await this.handle?.close();
    this.handle = undefined;
    await rename(this.temp, this.final);
  }
  async discard(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    await rm(this.temp, { force: true });
  }
}

/** `file`'s path relative to the folder of `outputFile`, with forward slashes. */
function relativeTo(outputFile: string, file: string): string {
  return path.relative(path.dirname(outputFile), file).split(path.sep).join("/");
}

function defaultConfigPath(model: string): string {
  const beside = path.join(path.dirname(model), "model.json");
  if (existsSync(beside)) return beside;
  const sameName = model.replace(/\.onnx$/i, "") + ".json";
  if (existsSync(sameName)) return sameName;
  throw new UsageError(`--config not given and neither ${beside} nor ${sameName} exists`);
}

async function run(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, {
    values: ["model", "config", "input", "out", "manifest-out", "failures-out", "batch-size", "workers", "threads"],
    booleans: ["resume"],
    required: ["model", "input", "out"],
  });
  const modelPath = path.resolve(flags.require("model"));
  const input = path.resolve(flags.require("input"));
  const out = path.resolve(flags.require("out"));
  if (!out.toLowerCase().endsWith(".npy")) throw new UsageError(`--out: expected a path ending in .npy, got "${flags.require("out")}"`);
  const outBase = out.slice(0, -4);
  const manifestOut = path.resolve(flags.get("manifest-out") ?? `${outBase}.samples.csv`);
  const failuresOut = path.resolve(flags.get("failures-out") ?? `${outBase}.failures.csv`);
  const batchSize = flags.int("batch-size", 32)!;
  if (batchSize < 1) throw new UsageError(`--batch-size: expected an integer ≥ 1, got ${batchSize}`);
  const workersFlag = flags.int("workers");
  if (workersFlag !== undefined && workersFlag < 0) throw new UsageError(`--workers: expected an integer ≥ 0, got ${workersFlag}`);
  const threadsFlag = flags.int("threads");
  if (threadsFlag !== undefined && threadsFlag < 1) throw new UsageError(`--threads: expected an integer ≥ 1, got ${threadsFlag}`);
  const configPath = flags.get("config") !== undefined ? path.resolve(flags.require("config")) : defaultConfigPath(modelPath);

  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(await readFile(configPath, "utf8"));
  } catch (error) {
    throw new Error(`${configPath}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `not valid JSON: ${(error as Error).message}`}`);
  }

  let inputStat;
  try {
    inputStat = await stat(input);
  } catch {
    throw new Error(`${input}: no such file or folder`);
  }
  const { rows, extraColumns } = inputStat.isDirectory() ? await listFolder(input) : await readManifest(input);
  if (rows.length === 0) throw new Error(`${input}: no images found (expected ${[...IMAGE_EXTENSIONS].join(", ")})`);

  await embedToFiles({
    modelPath,
    rawConfig,
    rows,
    extraColumns,
    out,
    manifestOut,
    failuresOut,
    batchSize,
    workers: workersFlag,
    threads: threadsFlag,
    resume: flags.booleans.has("resume"),
  });
}

export interface EmbedToFilesOptions {
  modelPath: string;
  rawConfig: unknown;
  rows: Row[];
  extraColumns: string[];
  out: string;
  manifestOut: string;
  failuresOut: string;
  batchSize: number;
  workers?: number;
  threads?: number;
  /** Continue an interrupted run of the same command (same model, same output paths). */
  resume?: boolean;
  /** Cancels like Ctrl-C: the partial files are kept for --resume. */
  signal?: AbortSignal;
  /** Called after each batch is written (tests use it to interrupt at a known point). */
  onBatch?: (embedded: number) => void;
}

const HEADER = 128;

interface PartialState {
  modelSha256: string;
  dim: number;
  out: string;
}

/** The files of an unfinished run, kept only when it was interrupted, so --resume can continue it. */
function partialPaths(out: string) {
  const base = path.join(path.dirname(out), `.${path.basename(out)}.partial`);
  return { npy: base, rows: `${base}.jsonl`, state: `${base}.json` };
}

async function readJsonLines(file: string): Promise<Array<{ id: string; sha256: string; metadata: Record<string, unknown> }>> {
  const out: Array<{ id: string; sha256: string; metadata: Record<string, unknown> }> = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      break; // a line cut short by the interruption: everything before it is complete
    }
  }
  return out;
}

export async function embedToFiles(o: EmbedToFilesOptions): Promise<{ embedded: number; failed: number; skipped: number }> {
  const embed = await import("@stratum/embed");
  const workers = o.workers ?? embed.defaultDecodeWorkers();
  // Validates the config, checks the graph and runs a dummy batch before touching any output file.
  const model = await embed.loadModel(o.modelPath, o.rawConfig, { intraOpThreads: o.threads ?? embed.defaultIntraOpThreads(workers) });
  const dim = model.config.output.dim;
  const label = embed.modelLabel(model.config);
  const partial = partialPaths(o.out);
  const failures = new TempFile(o.failuresOut);
  const manifest = new TempFile(o.manifestOut);
  const ac = new AbortController();
  const onSigint = () => ac.abort("interrupted (SIGINT)");
  const onOuterAbort = () => ac.abort(o.signal?.reason ?? "cancelled");
  process.once("SIGINT", onSigint);
  o.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const progress = createProgress();
  const started = Date.now();
  let embedded = 0;
  let failed = 0;
  let npyFh: FileHandle | undefined;
  let rowsFh: FileHandle | undefined;
  let ownPartial = false; // true once this run has started writing the partial files
  const done = new Set<string>();
  try {
    await mkdir(path.dirname(o.out), { recursive: true });
    let offset = HEADER;
    if (o.resume) {
      let state: PartialState;
      try {
        state = JSON.parse(await readFile(partial.state, "utf8")) as PartialState;
      } catch {
        throw new Error(`--resume: no interrupted run to continue for ${o.out} (expected ${partial.state})`);
      }
      if (state.modelSha256 !== model.sha256 || state.dim !== dim) {
        throw new Error(`--resume: the interrupted run used another model (sha256 ${state.modelSha256.slice(0, 12)}…, dim ${state.dim}); run without --resume to start over`);
      }
      const previous = await readJsonLines(partial.rows);
      const { size } = await stat(partial.npy);
      const complete = Math.min(previous.length, Math.floor((size - HEADER) / (dim * 4)));
      const kept = previous.slice(0, complete);
      // Keep exactly the rows present in both files.
      ownPartial = true;
      npyFh = await open(partial.npy, "r+");
      await npyFh.truncate(HEADER + complete * dim * 4);
      offset = HEADER + complete * dim * 4;
      rowsFh = await open(partial.rows, "w");
      await rowsFh.write(kept.map((r) => JSON.stringify(r) + "\n").join(""));
      for (const r of kept) done.add(r.id);
      embedded = complete;
    } else {
      ownPartial = true;
      await Promise.all(Object.values(partial).map((f) => rm(f, { force: true })));
      npyFh = await open(partial.npy, "w");
      await npyFh.write(npyHeader(0, dim, HEADER), 0, HEADER, 0);
      rowsFh = await open(partial.rows, "w");
      const state: PartialState = { modelSha256: model.sha256, dim, out: o.out };
      await writeFile(partial.state, JSON.stringify(state) + "\n");
    }
    let failFh: FileHandle | undefined;
    const byId = new Map(o.rows.map((r) => [r.id, r]));

    for await (const batch of embed.embedImages({
      model,
      inputs: o.rows.map((r) => ({ key: r.id, path: r.path })),
      batchSize: o.batchSize,
      workers,
      skip: done,
      signal: ac.signal,
      onProgress: (p) => progress.update("embedding", p.done, p.total ?? o.rows.length),
    })) {
      if (batch.items.length > 0) {
        const buf = Buffer.alloc(batch.items.length * dim * 4);
        const f32 = new Float32Array(buf.buffer, buf.byteOffset, batch.items.length * dim);
        batch.items.forEach((s, i) => f32.set(s.vector, i * dim));
        await npyFh.write(buf, 0, buf.length, offset);
        offset += buf.length;
        let lines = "";
        for (const s of batch.items) lines += JSON.stringify({ id: s.key, sha256: s.sha256, metadata: s.metadata }) + "\n";
        await rowsFh.write(lines);
        embedded += batch.items.length;
      }
      if (batch.failures.length > 0) {
        if (!failFh) {
          failFh = await failures.open();
          await failFh.write("id,path,code,reason\n");
        }
        let lines = "";
        for (const f of batch.failures) {
          const p = byId.get(f.key)?.path;
          lines += [f.key, p ? relativeTo(o.failuresOut, p) : "", f.code, f.reason].map(csvCell).join(",") + "\n";
        }
        await failFh.write(lines);
        failed += batch.failures.length;
      }
      o.onBatch?.(embedded);
    }
    if (embedded === 0) throw new Error(`no image could be embedded (${failed} failed; see the reasons above)`);
    await npyFh.write(npyHeader(embedded, dim, HEADER), 0, HEADER, 0);
    await npyFh.sync();
    await npyFh.close();
    npyFh = undefined;
    await rowsFh.close();
    rowsFh = undefined;

    // Manifest CSV: fixed columns, the input's extra columns, then every metadata key seen (sorted).
    const records = createInterface({ input: createReadStream(partial.rows), crlfDelay: Infinity });
    const metaKeys = new Set<string>();
    for await (const line of records) if (line !== "") for (const k of Object.keys(JSON.parse(line).metadata)) metaKeys.add(k);
    const metaColumns = [...metaKeys].sort();
    const header = ["id", "path", "sha256", ...o.extraColumns, ...metaColumns];
    const mfh = await manifest.open();
    await mfh.write(header.map(csvCell).join(",") + "\n");
    let chunk = "";
    let written = 0;
    for await (const line of createInterface({ input: createReadStream(partial.rows), crlfDelay: Infinity })) {
      if (line === "") continue;
      const rec = JSON.parse(line) as { id: string; sha256: string; metadata: Record<string, unknown> };
      const row = byId.get(rec.id);
      if (!row) throw new Error(`internal: embedded id "${rec.id}" is not in the input`);
      chunk += [rec.id, relativeTo(o.manifestOut, row.path), rec.sha256, ...o.extraColumns.map((c) => row.extra[c]), ...metaColumns.map((k) => rec.metadata[k])]
        .map(csvCell)
        .join(",") + "\n";
      written++;
      if (chunk.length > 1 << 16) {
        await mfh.write(chunk);
        chunk = "";
      }
    }
    await mfh.write(chunk);
    if (written !== embedded) throw new Error(`internal: ${embedded} vectors but ${written} manifest rows`);

    await rename(partial.npy, o.out);
    await manifest.commit();
    if (failFh) await failures.commit();
    else await rm(o.failuresOut, { force: true }); // a stale report from an earlier run would mislead
    await rm(partial.rows, { force: true });
    await rm(partial.state, { force: true });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    progress.done();
    console.log(
      `embedded ${embedded} of ${o.rows.length} images with ${label} in ${secs}s → ${path.relative(process.cwd(), o.out)} [${embedded}, ${dim}]` +
        (done.size > 0 ? ` (${done.size} from the interrupted run)` : "") +
        `, manifest ${path.relative(process.cwd(), o.manifestOut)}` +
        (failed > 0 ? `; ${failed} failed → ${path.relative(process.cwd(), o.failuresOut)}` : ""),
    );
    return { embedded, failed, skipped: done.size };
  } catch (error) {
    progress.done();
    await npyFh?.close().catch(() => {});
    await rowsFh?.close().catch(() => {});
    await Promise.all([failures.discard(), manifest.discard()]);
    if (ownPartial && ac.signal.aborted && embedded > 0) {
      throw new Error(
        `interrupted after ${embedded} of ${o.rows.length} images; nothing was written to ${path.relative(process.cwd(), o.out)}. ` +
          `Run the same command with --resume to continue.`,
      );
    }
    if (ownPartial) await Promise.all(Object.values(partial).map((f) => rm(f, { force: true })));
    throw error;
  } finally {
    process.removeListener("SIGINT", onSigint);
    o.signal?.removeEventListener("abort", onOuterAbort);
    await model.session.release().catch(() => {});
  }
}

export const command: Command = {
  summary: "embed images locally with an ONNX encoder → .npy + manifest (no server)",
  usage,
  run,
};
