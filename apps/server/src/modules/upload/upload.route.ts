// POST /uploads — the way files reach the server (manifests, embeddings, ONNX models).
//   curl -X POST --data-binary @manifest.csv -H "Authorization: Bearer stm_…" \
//        "http://localhost:4000/uploads?filename=manifest.csv"
// Body: the raw file bytes (name from ?filename= or X-Upload-Filename), or multipart/form-data whose first
// part with a filename is the file (a browser FormData). Either way the bytes stream to disk.
// Who: CURATOR or above on the consortium named by ?consortium=<Consortium ID>, or, when none is named,
// on at least one consortium of the caller (an API token: its own consortium and role). A named
// consortium attaches the upload to it: its samples may then use the uri `upload:<id>` (images kept
// by the server) and the sweep keeps the file.
// Answers 201 { id, filename, size, sha256 }; 400 bad multipart or consortium; 401 unauthenticated;
// 403 FORBIDDEN below CURATOR; 404 NOT_FOUND a consortium the caller is not in; 413 LIMIT_EXCEEDED over
// STRATUM_UPLOAD_MAX_BYTES, or QUOTA_EXCEEDED when the caller's stored uploads would pass
// STRATUM_UPLOAD_QUOTA_BYTES. Pass `id` to mutations such as datasetImport.
import type express from "express";
import type { AppServices, Viewer } from "../../context.js";
import { makeContext } from "../../context.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import type { Readable } from "node:stream";
import { cleanFilename, storedUploadBytes, storeUpload, UploadTooLarge } from "./upload.service.js";
import { accessTo, atLeast } from "../../auth/access.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { multipartBoundary, readMultipartFile } from "../../http/multipart.js";

type Refusal = { status: number; code: string; message: string };

/** The consortium the upload is attached to (or none), or why the caller may not upload. */
async function uploadTarget(services: AppServices, viewer: Viewer, req: express.Request, res: express.Response): Promise<{ consortiumId?: number } | Refusal> {
  const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
  const named = req.query.consortium;
  if (named !== undefined) {
    const consortiumId = typeof named === "string" ? decodeIdOrNull(named, "Consortium") : null;
    if (consortiumId === null) return { status: 400, code: "VALIDATION", message: "consortium: expected a Consortium ID" };
    const access = await accessTo(ctx, consortiumId);
    if (!access) return { status: 404, code: "NOT_FOUND", message: "no consortium with this ID is visible to you" };
    if (!atLeast(access.role, "CURATOR")) return { status: 403, code: "FORBIDDEN", message: `uploads need the CURATOR role or higher; you are ${access.role}` };
    return { consortiumId };
  }
  const candidates = viewer.token
    ? [viewer.token.consortiumId]
    : (await services.store.prisma.membership.findMany({ where: { userId: viewer.userId }, select: { consortiumId: true } })).map((m) => m.consortiumId);
  for (const id of candidates) {
    const access = await accessTo(ctx, id);
    if (access && atLeast(access.role, "CURATOR")) return {};
  }
  return { status: 403, code: "FORBIDDEN", message: "uploads need the CURATOR role or higher on a consortium" };
}

export function uploadRoute(services: AppServices): express.RequestHandler {
  return async (req, res) => {
    const viewer = await viewerForRoute(services, req, res);
    if (!viewer) return;
    const refuse = (r: Refusal) => {
      // Refused before the body is read: close the connection rather than receive what we won't keep.
      res.status(r.status).setHeader("Connection", "close");
      res.json({ error: { code: r.code, message: r.message } });
      req.resume();
    };
    const target = await uploadTarget(services, viewer, req, res);
    if ("status" in target) return refuse(target);
    // What the caller may still store: the size cap, and what is left of their quota.
    const quota = services.config.uploadQuotaBytes;
    const left = Math.max(0, quota - (await storedUploadBytes(services.config.uploadDir, viewer.userId)));
    const quotaError = () => new UploadTooLarge(left, "quota");
    let contentType = String(req.headers["content-type"] ?? "application/octet-stream");
    const limit = services.config.uploadMaxBytes;
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      return refuse({ status: 413, code: "LIMIT_EXCEEDED", message: `upload exceeds the limit of ${limit} bytes` });
    }
    if (Number.isFinite(declared) && declared > left) {
      return refuse({ status: 413, code: "QUOTA_EXCEEDED", message: quotaError().message });
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
        maxBytes: Math.min(limit, left),
        ...(left < limit ? { tooLarge: quotaError } : {}),
        ...(target.consortiumId !== undefined ? { consortiumId: target.consortiumId } : {}),
        quotaBytes: quota,
      });
      res.status(201).json({ id: meta.id, filename: meta.filename, size: meta.size, sha256: meta.sha256 });
    } catch (error) {
      if (body !== req) body.destroy();
      if (error instanceof UploadTooLarge) {
        res.status(413).setHeader("Connection", "close");
        res.json({ error: { code: error.kind === "quota" ? "QUOTA_EXCEEDED" : "LIMIT_EXCEEDED", message: error.message } });
        return;
      }
      if (!res.headersSent) res.status(400).json({ error: { code: "VALIDATION", message: (error as Error).message } });
    }
  };
}
