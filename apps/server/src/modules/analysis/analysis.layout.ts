// GET /analyses/:id/layout — an analysis's whole 2-D layout in one response, for the web map (the
// GraphQL `layout` connection pages at 100 points, ~1,000 requests for 100k points).
// Auth as for /graphql (cookie from an allowed origin, or bearer token); the caller must be able to read
// the analysis's consortium. Missing, forbidden or a malformed ID all answer 404 with no detail.
// :id is the analysis's global ID (as the manifest route: global IDs only).
//
// Body (JSON), points ordered by (groupId, sampleId) — the same order as the GraphQL connection:
//   { analysisId, count, sampleIdType: "Sample",
//     groups: [{ id, label, index, isNoise, name, size }],        // ordered by group id
//     sampleIds: base64(Int32Array LE),  xy: base64(Float32Array LE, x0 y0 x1 y1 …),
//     group: base64(Int32Array LE, index into groups),
//     externalIds: string[], sites: string[] (site codes), site: base64(Int32Array LE, index into sites; -1 none),
//     metadata: object[] }
// Global sample ID = base64url(`${sampleIdType}:${sampleId}`). Analyses never change once written, so
// the answer is cacheable privately for a minute.
import type express from "express";
import type { AppServices } from "../../context.js";
import { makeContext } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { ConfounderGroup } from "./analysis.type.js";

interface PointRow {
  sampleId: number;
  x: number;
  y: number;
  groupId: number;
  externalId: string;
  site: string | null;
  metadata: unknown;
}

/** base64 of a typed array's bytes (little-endian on every platform Node runs on). */
function b64(a: Int32Array | Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

export function layoutRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const viewer = await viewerForRoute(services, req, res);
      if (!viewer) return;
      const notFound = () => res.status(404).json({ error: { code: "NOT_FOUND", message: "no analysis with this ID is visible to you" } });
      const analysisId = decodeIdOrNull(String(req.params.id), "ConfounderAnalysis");
      if (analysisId === null) return notFound();
      const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
      const analysis = await ctx.prisma.confounderAnalysis.findUnique({ where: { id: analysisId }, select: { datasetVersionId: true } });
      if (!analysis || !(await canRead(ctx, await consortiumOfVersion(ctx, analysis.datasetVersionId)))) return notFound();

      const groupRows = await ctx.prisma.confounderGroup.findMany({ where: { analysisId }, orderBy: { id: "asc" } });
      const groupIndex = new Map(groupRows.map((g, i) => [g.id, i]));
      const r = await services.store.sql.query<PointRow>(
        `SELECT m."sampleId", m.x, m.y, m."groupId", s."externalId", st.code AS site, s.metadata
           FROM "ConfounderGroupMember" m
           JOIN "ConfounderGroup" g ON g.id = m."groupId"
           JOIN "Sample" s ON s.id = m."sampleId"
           LEFT JOIN "Site" st ON st.id = s."siteId"
          WHERE g."analysisId" = $1
          ORDER BY m."groupId", m."sampleId"`,
        [analysisId],
      );
      const rows = r.rows;
      const n = rows.length;
      const sampleIds = new Int32Array(n);
      const xy = new Float32Array(2 * n);
      const group = new Int32Array(n);
      const site = new Int32Array(n);
      const externalIds: string[] = new Array<string>(n);
      const metadata: unknown[] = new Array<unknown>(n);
      const sites: string[] = [];
      const siteIndex = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const row = rows[i]!;
        sampleIds[i] = row.sampleId;
        xy[2 * i] = row.x;
        xy[2 * i + 1] = row.y;
        group[i] = groupIndex.get(row.groupId)!;
        externalIds[i] = row.externalId;
        metadata[i] = typeof row.metadata === "string" ? JSON.parse(row.metadata) : (row.metadata ?? {});
        if (row.site === null) site[i] = -1;
        else {
          let k = siteIndex.get(row.site);
          if (k === undefined) {
            k = sites.length;
            sites.push(row.site);
            siteIndex.set(row.site, k);
          }
          site[i] = k;
        }
      }
      res.setHeader("Cache-Control", "private, max-age=60");
      res.json({
        analysisId: toGlobalId("ConfounderAnalysis", analysisId),
        count: n,
        sampleIdType: "Sample",
        groups: groupRows.map((row) => {
          const g = ConfounderGroup.from(row);
          return { id: g.id, label: row.label, index: row.index, isNoise: row.isNoise, name: g.name, size: row.size };
        }),
        sampleIds: b64(sampleIds),
        xy: b64(xy),
        group: b64(group),
        externalIds,
        sites,
        site: b64(site),
        metadata,
      });
    } catch (error) {
      next(error);
    }
  };
}
