// POST /uploads — the way files reach the server (manifests, embeddings, ONNX models).
//   curl -X POST --data-binary @manifest.csv -H "Authorization: Bearer stm_…" \
//        "http://localhost:4000/uploads?filename=manifest.csv"
// Body: the raw file bytes (any content type except multipart). Name: ?filename= or X-Upload-Filename.
// Answers 201 { id, filename, size, sha256 }; 401 unauthenticated; 413 over STRATUM_UPLOAD_MAX_BYTES;
// 415 for multipart bodies. Pass `id` to mutations such as datasetImport.
import type express from "express";
import type { AppServices } from "../context.js";
import { viewerForRoute } from "./auth.js";
import { cleanFilename, storeUpload, UploadTooLarge } from "../modules/upload/upload.service.js";

export function uploadRoute(services: AppServices): express.RequestHandler {
  return async (req, res) => {
    const viewer = await viewerForRoute(services, req, res);
    if (!viewer) return;
    const contentType = String(req.headers["content-type"] ?? "application/octet-stream");
    if (contentType.toLowerCase().startsWith("multipart/")) {
      res.status(415).json({
        error: { code: "VALIDATION", message: "send the file as the raw request body (not multipart) with ?filename=" },
      });
      return;
    }
    const limit = services.config.uploadMaxBytes;
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      res.status(413).json({ error: { code: "LIMIT_EXCEEDED", message: `upload exceeds the limit of ${limit} bytes` } });
      req.resume();
      return;
    }
    const rawName = typeof req.query.filename === "string" ? req.query.filename : req.headers["x-upload-filename"];
    const filename = cleanFilename(typeof rawName === "string" ? rawName : undefined);
    try {
      const meta = await storeUpload(services.config.uploadDir, req, {
        userId: viewer.userId,
        filename,
        contentType,
        maxBytes: limit,
      });
      res.status(201).json({ id: meta.id, filename: meta.filename, size: meta.size, sha256: meta.sha256 });
    } catch (error) {
      if (error instanceof UploadTooLarge) {
        res.status(413).setHeader("Connection", "close");
        res.json({ error: { code: "LIMIT_EXCEEDED", message: error.message } });
        return;
      }
      if (!res.headersSent) res.status(400).json({ error: { code: "VALIDATION", message: (error as Error).message } });
    }
  };
}
