// Uploaded files: POST /uploads streams the body to <uploadDir>/<id> and writes <id>.json beside it
// (owner, name, size, sha256, and the consortium it is attached to, if any). Upload IDs are random
// UUIDs and only their uploader may use them in mutations; an upload attached to a consortium is also
// a file its samples may name (`upload:<id>`, storage/resolve-uri.ts) and is kept by the sweep.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { UPLOAD_ID } from "../../storage/resolve-uri.js";

export interface UploadMeta {
  id: string;
  userId: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  /** Set when uploaded with ?consortium=: the consortium whose samples may read it as upload:<id>. */
  consortiumId?: number;
}

export interface StoredUpload extends UploadMeta {
  /** Absolute path of the file's bytes. */
  path: string;
}

export class UploadTooLarge extends Error {
  constructor(
    readonly limit: number,
    /** "size": over the per-upload cap; "quota": over what is left of the uploader's quota. */
    readonly kind: "size" | "quota" = "size",
  ) {
    super(
      kind === "size"
        ? `upload exceeds the limit of ${limit} bytes`
        : `upload exceeds your remaining upload quota (${limit} bytes left); ask an operator or wait for old uploads to be swept`,
    );
  }
}

const userTails = new Map<number, Promise<void>>();

/** Runs `fn` after every earlier call for the same user has settled (an in-process lock). */
async function oneAtATime<T>(userId: number, fn: () => Promise<T>): Promise<T> {
  const previous = userTails.get(userId) ?? Promise.resolve();
  const run = previous.then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  userTails.set(userId, tail);
  try {
    return await run;
  } finally {
    if (userTails.get(userId) === tail) userTails.delete(userId);
  }
}

/** Bytes of stored uploads (finished ones, by their meta files) that belong to `userId`. */
export async function storedUploadBytes(uploadDir: string, userId: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(uploadDir);
  } catch {
    return 0;
  }
  let total = 0;
  await Promise.all(
    names
      .filter((n) => n.endsWith(".json") && UPLOAD_ID.test(n.slice(0, -5)))
      .map(async (n) => {
        try {
          const meta = JSON.parse(await readFile(path.join(uploadDir, n), "utf8")) as Partial<UploadMeta>;
          if (meta.userId === userId && typeof meta.size === "number") total += meta.size;
        } catch {
          // removed by the sweep meanwhile, or half-written: not counted
        }
      }),
  );
  return total;
}

/** A safe file name to keep (it matters for format detection: .csv, .jsonl, .npy, .parquet, .onnx). */
export function cleanFilename(name: string | undefined): string {
  const base = path.basename((name ?? "").replace(/\\/g, "/")).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200);
  return base && base !== "." && base !== ".." ? base : "upload.bin";
}

export async function storeUpload(
  uploadDir: string,
  body: Readable,
  meta: {
    userId: number;
    filename: string;
    contentType: string;
    maxBytes: number;
    consortiumId?: number;
    tooLarge?: () => UploadTooLarge;
    /** The uploader's quota of stored bytes, checked again (under a per-user lock) once the size is known. */
    quotaBytes?: number;
  },
): Promise<UploadMeta> {
  await mkdir(uploadDir, { recursive: true });
  const id = randomUUID();
  const partPath = path.join(uploadDir, `${id}.part`);
  const hash = createHash("sha256");
  let size = 0;
  const out = createWriteStream(partPath, { flags: "wx" });
  try {
    await new Promise<void>((resolve, reject) => {
      body.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > meta.maxBytes) {
          body.unpipe(out);
          body.pause();
          reject(meta.tooLarge?.() ?? new UploadTooLarge(meta.maxBytes));
          return;
        }
        hash.update(chunk);
      });
      body.on("error", reject);
      body.on("aborted", () => reject(new Error("upload aborted by the client")));
      out.on("error", reject);
      out.on("finish", resolve);
      body.pipe(out);
    });
  } catch (error) {
    out.destroy();
    await rm(partPath, { force: true });
    throw error;
  }
  const record: UploadMeta = {
    id,
    userId: meta.userId,
    filename: meta.filename,
    contentType: meta.contentType,
    size,
    sha256: hash.digest("hex"),
    createdAt: new Date().toISOString(),
    ...(meta.consortiumId !== undefined ? { consortiumId: meta.consortiumId } : {}),
  };
  const finalPath = path.join(uploadDir, id, meta.filename);
  // Parallel uploads of one user each passed the quota before any had finished: the last step (count,
  // then keep) runs one at a time per user, so together they never pass it in this process.
  await oneAtATime(meta.userId, async () => {
    if (meta.quotaBytes !== undefined) {
      const used = await storedUploadBytes(uploadDir, meta.userId);
      if (used + size > meta.quotaBytes) {
        await rm(partPath, { force: true });
        throw new UploadTooLarge(Math.max(0, meta.quotaBytes - used), "quota");
      }
    }
    await mkdir(path.dirname(finalPath), { recursive: true });
    await rename(partPath, finalPath);
    await writeFile(path.join(uploadDir, `${id}.json`), JSON.stringify(record));
  });
  return record;
}

/** The caller's upload, or AppError NOT_FOUND on `field` (also for someone else's upload). */
export async function resolveUpload(ctx: Context, uploadId: string, field: string[]): Promise<StoredUpload> {
  const viewer = ctx.viewer;
  const notFound = () =>
    new AppError("NOT_FOUND", `expected the id returned by POST /uploads, got "${String(uploadId).slice(0, 60)}"`, field);
  if (!viewer || !UPLOAD_ID.test(uploadId)) throw notFound();
  let meta: UploadMeta;
  try {
    meta = JSON.parse(await readFile(path.join(ctx.app.config.uploadDir, `${uploadId}.json`), "utf8")) as UploadMeta;
  } catch {
    throw notFound();
  }
  if (meta.userId !== viewer.userId) throw notFound();
  return { ...meta, path: path.join(ctx.app.config.uploadDir, uploadId, meta.filename) };
}

async function attached(metaPath: string): Promise<boolean> {
  try {
    return typeof (JSON.parse(await readFile(metaPath, "utf8")) as Partial<UploadMeta>).consortiumId === "number";
  } catch {
    return false;
  }
}

/** Uploads older than this are deleted by the hourly sweep (imports copy what they need). */
export const UPLOAD_TTL_MS = 24 * 3_600_000; // 24 h

/**
 * Deletes uploads (and leftover .part files from interrupted uploads) older than `maxAgeMs`.
 * Returns how many uploads were removed.
 */
export async function sweepUploads(uploadDir: string, maxAgeMs = UPLOAD_TTL_MS, now = Date.now()): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(uploadDir);
  } catch {
    return 0; // no uploads yet
  }
  let removed = 0;
  for (const name of entries) {
    const full = path.join(uploadDir, name);
    let info;
    try {
      info = await stat(full);
    } catch {
      continue;
    }
    if (now - info.mtimeMs <= maxAgeMs) continue;
    if (name.endsWith(".json")) {
      const id = name.slice(0, -".json".length);
      if (!UPLOAD_ID.test(id)) continue;
      // Attached to a consortium: its samples may name it (upload:<id>), so it stays.
      if (await attached(full)) continue;
      await rm(path.join(uploadDir, id), { recursive: true, force: true });
      await rm(full, { force: true });
      removed++;
    } else if (name.endsWith(".part")) {
      await rm(full, { force: true });
    }
  }
  return removed;
}
