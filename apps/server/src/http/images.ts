// GET /samples/:id/image — a sample's image file for thumbnails (id = the Sample's global ID).
// Auth as for /graphql; the caller must be a member of the sample's consortium, and a site-scoped member
// only gets their own site's images. Missing, hidden and non-local URIs all answer 404.
// Serves only what storage/resolve-uri.ts resolves for the sample's consortium (its folder, its granted
// roots, its uploads; symlinks resolved and contained), with an image extension.
import path from "node:path";
import { stat } from "node:fs/promises";
import type express from "express";
import type { AppServices } from "../context.js";
import { makeContext } from "../context.js";
import { viewerForRoute, clientIp } from "./auth.js";
import { decodeIdOrNull } from "../graphql/ids.js";
import { canRead, seesSite } from "../auth/access.js";
import { consortiumOfSample } from "../auth/scope.js";
import { resolveSampleUri, storageOf } from "../storage/resolve-uri.js";

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

/** The content type for a file we serve as an image, or undefined when its extension is not one. */
export function imageType(file: string): string | undefined {
  return IMAGE_TYPES[path.extname(file).toLowerCase()];
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
    const consortium = await ctx.loaders.consortium.load(access.consortiumId);
    if (!consortium) return notFound();
    // The one resolver the embedding job uses too: the consortium's roots and uploads, symlinks resolved.
    const resolved = await resolveSampleUri(storageOf(services.config), consortium, sample.uri);
    if (!resolved.ok) {
      if (resolved.code === "URI_NOT_ALLOWED" && services.config.nodeEnv !== "test") console.warn(`[images] sample ${sampleId}: refused: ${resolved.detail}`);
      return notFound();
    }
    if (resolved.array) return notFound(); // array rows (npz:/npy:) are not image files
    const file = resolved.path;
    // The real file must look like an image (a link named x.png to some other file is not one).
    const type = imageType(file);
    if (!type) return notFound();
    try {
      if (!(await stat(file)).isFile()) return notFound();
    } catch {
      return notFound();
    }
    res.setHeader("Content-Type", type);
    res.setHeader("Cache-Control", "private, max-age=3600");
    res.setHeader("X-Content-Type-Options", "nosniff");
    // `send` ignores (404s) any path with a dot-segment by default, and the default store is `.stratum/`
    // inside the repository. `file` is a real path already checked against the roots, so allow dot-folders.
    res.sendFile(file, { dotfiles: "allow" }, (error) => {
      if (error && !res.headersSent) notFound();
    });
  };
}
