// POST /embedding-sets/:id/similar?first=10[&store=true] — "more like this" from an uploaded image
// (issue 14). The image is embedded with the set's own model (its ONNX file and config, through
// @stratum/embed: the same decoding and preprocessing as the EMBED job that filled the set) and searched
// through the same cached structure as similarSamples (exact up to EXACT_SEARCH_MAX rows, else the
// set's index).
// Body: the raw image bytes, or multipart/form-data (first file part), as POST /uploads; at most
// STRATUM_UPLOAD_MAX_BYTES (413 LIMIT_EXCEEDED); PNG, JPEG, TIFF or DICOM (else 400 BAD_FILE).
// Who: anyone who can read the set's consortium may search (as similarSamples). The image is kept only
// with store=true, which is an upload and needs what POST /uploads needs (CURATOR on the consortium, the
// quota); it is then attached to the consortium and its id is returned.
// Answers 200 { items: [{ sampleId, externalId, score }], method, evaluated, warm, dim, upload? };
// 400 VALIDATION (first), BAD_FILE; 401; 403 FORBIDDEN (store without CURATOR); 404 NOT_FOUND (set
// missing or hidden); 409 INVALID_STATE (set not COMPLETE, or its model has no ONNX file).
import { Readable } from "node:stream";
import type express from "express";
import type { LoadedModel } from "@stratum/embed";
import type { AppServices } from "../../context.js";
import { makeContext } from "../../context.js";
import { accessTo, atLeast } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { multipartBoundary, readMultipartFile } from "../../http/multipart.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { cleanFilename, storedUploadBytes, storeUpload, UploadTooLarge } from "../upload/upload.service.js";
import { SIMILAR_MAX } from "./data-quality.service.js";
import { search, searchEntry } from "./similarity.js";

type Answer = { status: number; body: unknown };
const fail = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

/** Loaded ONNX sessions, one per model file (a model row never changes its file); two at most. */
const models = new Map<string, Promise<LoadedModel>>();
const MAX_MODELS = 2;

async function modelFor(path: string, config: unknown): Promise<LoadedModel> {
  let m = models.get(path);
  if (!m) {
    const embed = await import("@stratum/embed");
    // one intra-op thread: a query is one image, and the API process serves other requests beside it
    m = embed.loadModel(path, config, { intraOpThreads: 1 });
    m.catch(() => models.delete(path));
    models.set(path, m);
    while (models.size > MAX_MODELS) {
      const oldest = models.keys().next().value!;
      void models.get(oldest)!.then((old) => old.session.release?.()).catch(() => undefined);
      models.delete(oldest);
    }
  }
  return m;
}

/** Reads the body (raw or multipart) into memory, at most `limit` bytes; null when over it. */
async function readBody(req: express.Request, limit: number): Promise<{ bytes: Uint8Array; filename: string; contentType: string } | null | Answer> {
  let contentType = String(req.headers["content-type"] ?? "application/octet-stream");
  const rawName = typeof req.query.filename === "string" ? req.query.filename : undefined;
  let filename = cleanFilename(rawName);
  let body: Readable = req;
  if (contentType.toLowerCase().startsWith("multipart/")) {
    const boundary = multipartBoundary(contentType);
    if (!boundary) return fail(400, "VALIDATION", "multipart upload: expected multipart/form-data with a boundary");
    try {
      const file = await readMultipartFile(req, boundary);
      body = file.body;
      contentType = file.contentType;
      if (!rawName) filename = cleanFilename(file.filename);
    } catch (error) {
      return fail(400, "VALIDATION", `multipart upload: ${(error as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), filename, contentType };
}

async function answer(services: AppServices, req: express.Request, res: express.Response): Promise<Answer | null> {
  const viewer = await viewerForRoute(services, req, res);
  if (!viewer) return null;
  const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
  const setId = decodeIdOrNull(String(req.params.id), "EmbeddingSet");
  const set = setId === null ? null : await ctx.prisma.embeddingSet.findUnique({ where: { id: setId }, include: { model: true } });
  const consortiumId = set ? await consortiumOfVersion(ctx, set.datasetVersionId) : null;
  const access = consortiumId === null ? null : await accessTo(ctx, consortiumId);
  if (!set || !access) return fail(404, "NOT_FOUND", "no embedding set with this ID is visible to you");
  const first = req.query.first === undefined ? 10 : Number(req.query.first);
  if (!Number.isInteger(first) || first < 1 || first > SIMILAR_MAX) return fail(400, "VALIDATION", `first: expected an integer in 1..${SIMILAR_MAX}, got ${String(req.query.first)}`);
  const store = req.query.store === "true" || req.query.store === "1";
  if (store && !atLeast(access.role, "CURATOR")) return fail(403, "FORBIDDEN", `store: keeping the image is an upload and needs the CURATOR role or higher; you are ${access.role} (leave store out to search without keeping it)`);
  if (set.status !== "COMPLETE") return fail(409, "INVALID_STATE", `the embedding set is ${set.status}; expected COMPLETE`);
  if (set.model.kind !== "ONNX" || !set.model.filePath) {
    return fail(409, "INVALID_STATE", `model "${set.model.name}" is ${set.model.kind} without an ONNX file: its vectors were computed elsewhere, so an uploaded image cannot be embedded the same way`);
  }
  const limit = services.config.uploadMaxBytes;
  const declared = Number(req.headers["content-length"] ?? NaN);
  const quotaLeft = store ? Math.max(0, services.config.uploadQuotaBytes - (await storedUploadBytes(services.config.uploadDir, viewer.userId))) : Infinity;
  if (Number.isFinite(declared) && declared > limit) return fail(413, "LIMIT_EXCEEDED", `upload exceeds the limit of ${limit} bytes`);
  if (store && Number.isFinite(declared) && declared > quotaLeft) return fail(413, "QUOTA_EXCEEDED", `the image would pass your upload quota (${quotaLeft} bytes left)`);
  const body = await readBody(req, limit);
  if (body === null) return fail(413, "LIMIT_EXCEEDED", `upload exceeds the limit of ${limit} bytes`);
  if ("status" in body) return body;
  if (body.bytes.length === 0) return fail(400, "BAD_FILE", "empty body: send the image's bytes (PNG, JPEG, TIFF or DICOM)");

  const embed = await import("@stratum/embed");
  const model = await modelFor(set.model.filePath, set.model.config);
  let vector: Float32Array | null = null;
  let reason = "";
  // workers: 0 decodes inline: one image does not pay for a worker thread
  for await (const batch of embed.embedImages({ model, inputs: [{ key: "query", bytes: body.bytes }], workers: 0, batchSize: 1 })) {
    if (batch.items[0]) vector = batch.items[0].vector;
    if (batch.failures[0]) reason = batch.failures[0].reason;
  }
  if (!vector) return fail(400, "BAD_FILE", `the image could not be read as PNG, JPEG, TIFF or DICOM: ${reason || "no vector"}`);
  if (vector.length !== set.dim) return fail(409, "INVALID_STATE", `the model gives ${vector.length} dimensions, the set holds ${set.dim}`);

  const { warm, entry: pending } = searchEntry(services.store, set);
  const entry = await pending;
  const hit = search(entry, vector, first);
  const ids = Array.from(hit.rows, (row) => entry.sampleIds[row]!);
  const rows = await ctx.prisma.sample.findMany({ where: { id: { in: ids } }, select: { id: true, externalId: true } });
  const ext = new Map(rows.map((r) => [r.id, r.externalId]));
  const items = ids.map((id, i) => ({ sampleId: toGlobalId("Sample", id), externalId: ext.get(id) ?? null, score: hit.scores[i]! }));
  let upload: unknown = undefined;
  if (store) {
    let meta;
    try {
      meta = await storeUpload(services.config.uploadDir, Readable.from([Buffer.from(body.bytes)]), {
        userId: viewer.userId,
        filename: body.filename,
        contentType: body.contentType,
        maxBytes: Math.min(limit, quotaLeft),
        tooLarge: () => new UploadTooLarge(quotaLeft, "quota"),
        consortiumId: access.consortiumId,
        quotaBytes: services.config.uploadQuotaBytes,
      });
    } catch (error) {
      if (error instanceof UploadTooLarge) return fail(413, "QUOTA_EXCEEDED", error.message);
      throw error;
    }
    upload = { id: meta.id, filename: meta.filename, size: meta.size, sha256: meta.sha256 };
  }
  return { status: 200, body: { items, method: hit.method, evaluated: hit.evaluated, warm, dim: set.dim, ...(upload ? { upload } : {}) } };
}

export function similarUploadRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const a = await answer(services, req, res);
      if (!a) return;
      if (a.status >= 400 && !req.readableEnded) {
        // refused before (or while) reading: do not take in the rest of a body we will not use
        res.setHeader("Connection", "close");
        req.resume();
      }
      res.status(a.status).json(a.body);
    } catch (error) {
      next(error);
    }
  };
}
