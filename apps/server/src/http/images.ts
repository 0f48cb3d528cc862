// GET /samples/:id/image — a sample's image file for thumbnails (id = the Sample's global ID).
// Auth as for /graphql; the caller must be a member of the sample's consortium, and a site-scoped member
// only gets their own site's images. Missing, hidden and non-local URIs all answer 404.
// Serves local paths only: absolute, file://, or relative to STRATUM_FILES_DIR; image extensions only;
// and, when STRATUM_IMAGE_ROOTS is set, only files under those folders.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stat } from "node:fs/promises";
import type express from "express";
import type { AppServices } from "../context.js";
import { makeContext } from "../context.js";
import { viewerForRoute, clientIp } from "./auth.js";
import { decodeIdOrNull } from "../graphql/ids.js";
import { canRead, seesSite } from "../auth/access.js";
import { consortiumOfSample } from "../auth/scope.js";

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".bmp": "image/bmp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".dcm": "application/dicom",
};

/** The local file a sample URI points at, or null when it is not a local image path we may serve. */
export function localImagePath(uri: string, filesDir: string, roots: string[]): string | null {
  let file: string;
  if (uri.startsWith("file://")) {
    try {
      file = fileURLToPath(uri);
    } catch {
      return null;
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    return null; // http:, s3:, data: … are not served from here
  } else {
    file = path.resolve(filesDir, uri);
  }
  file = path.normalize(file);
  if (!IMAGE_TYPES[path.extname(file).toLowerCase()]) return null;
  if (roots.length && !roots.some((root) => file === root || file.startsWith(root + path.sep))) return null;
  return file;
}

export function imageRoute(services: AppServices): express.RequestHandler {
  return async (req, res) => {
    const viewer = await viewerForRoute(services, req, res);
    if (!viewer) return;
    const notFound = () => res.status(404).json({ error: { code: "NOT_FOUND", message: "no image for this sample" } });
    const sampleId = decodeIdOrNull(String(req.params.id), "Sample");
    if (sampleId === null) return notFound();
    const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
    const sample = await ctx.loaders.sample.load(sampleId);
    if (!sample?.uri) return notFound();
    const access = await canRead(ctx, await consortiumOfSample(ctx, sampleId));
    if (!access || !seesSite(access, sample.siteId)) return notFound();
    const file = localImagePath(sample.uri, services.config.filesDir, services.config.imageRoots);
    if (!file) return notFound();
    try {
      if (!(await stat(file)).isFile()) return notFound();
    } catch {
      return notFound();
    }
    res.setHeader("Content-Type", IMAGE_TYPES[path.extname(file).toLowerCase()]!);
    res.setHeader("Cache-Control", "private, max-age=3600");
    res.setHeader("X-Content-Type-Options", "nosniff");
    // `send` ignores (404s) any path with a dot-segment by default, and the default store is `.stratum/`
    // inside the repository. `file` has already passed localImagePath's checks, so allow dot-folders.
    res.sendFile(file, { dotfiles: "allow" }, (error) => {
      if (error && !res.headersSent) notFound();
    });
  };
}
