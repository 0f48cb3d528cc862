// POST /uploads — the way files reach the server (manifests, embeddings, ONNX models).
//   curl -X POST --data-binary @manifest.csv -H "Authorization: Bearer stm_…" \
//        "http://localhost:4000/uploads?filename=manifest.csv"
// Body: the raw file bytes (name from ?filename= or X-Upload-Filename), or multipart/form-data whose first
// part with a filename is the file (a browser FormData). Either way the bytes stream to disk.
// Answers 201 { id, filename, size, sha256 }; 400 bad multipart; 401 unauthenticated; 413 over
// STRATUM_UPLOAD_MAX_BYTES. Pass `id` to mutations such as datasetImport.
import type express from "express";
import type { AppServices } from "../context.js";
import { viewerForRoute } from "./auth.js";
import type { Readable } from "node:stream";
import { cleanFilename, storeUpload, UploadTooLarge } from "../modules/upload/upload.service.js";
import { multipartBoundary, readMultipartFile } from "./multipart.js";

export function uploadRoute(services: AppServices): express.RequestHandler {
  return async (req, res) => {
    const viewer = await viewerForRoute(services, req, res);
    if (!viewer) return;
    let contentType = String(req.headers["content-type"] ?? "application/octet-stream");
    const limit = services.config.uploadMaxBytes;
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      res.status(413).json({ error: { code: "LIMIT_EXCEEDED", message: `upload exceeds the limit of ${limit} bytes` } });
      req.resume();
      return;
    }
    const rawName = typeof req.query.filename === "string" ? req.query.filename : req.headers["x-upload-filename"];
    let filename = cleanFilename(typeof rawName === "string" ? rawName : undefined);
    let body: Readable = req;
    if (contentType.toLowerCase().startsWith("multipart/")) {
      const boundary = multipartBoundary(contentType);
      if (!boundary) {
        res.status(400).json({ error: { code: "VALIDATION", message: "multipart upload: expected multipart/form-data with a boundary" } });
        req.resume();
        return;
      }
      try {
        const file = await readMultipartFile(req, boundary);
        body = file.body;
        contentType = file.contentType;
        if (typeof rawName !== "string") filename = cleanFilename(file.filename);
      } catch (error) {
        res.status(400).json({ error: { code: "VALIDATION", message: `multipart upload: ${(error as Error).message}` } });
        return;
      }
    }
    try {
      const meta = await storeUpload(services.config.uploadDir, body, {
        userId: viewer.userId,
        filename,
        contentType,
        maxBytes: limit,
      });
      res.status(201).json({ id: meta.id, filename: meta.filename, size: meta.size, sha256: meta.sha256 });
    } catch (error) {
      if (body !== req) body.destroy();
      if (error instanceof UploadTooLarge) {
        res.status(413).setHeader("Connection", "close");
        res.json({ error: { code: "LIMIT_EXCEEDED", message: error.message } });
        return;
      }
      if (!res.headersSent) res.status(400).json({ error: { code: "VALIDATION", message: (error as Error).message } });
    }
  };
}
