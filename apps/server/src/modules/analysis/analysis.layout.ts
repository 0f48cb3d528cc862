// GET /analyses/:id/layout — an analysis's whole 2-D layout in one binary frame for the web map (the
// GraphQL `layout` connection pages at 100 points, ~1,000 requests for 100k points), and
// GET /analyses/:id/layout/columns/:name — one metadata column over the same points, asked for when the
// user colours the map by it (or a data-quality score: reserved names, modules/data-quality/layout-columns.ts).
// Both frames are defined in @stratum/formats/layout (11 bytes a point for
// the layout); points ordered by (groupId, sampleId), the same order as the GraphQL connection.
// Auth as for /graphql (cookie from an allowed origin, or bearer token); the caller must be able to read
// the analysis's consortium. Missing, forbidden or a malformed ID all answer 404 with no detail.
// :id is the analysis's global ID (as the manifest route: global IDs only). Analyses never change once
// written, so the answers are cacheable privately for a minute.
import type express from "express";
import { encodeLayout, encodeLayoutColumn, LAYOUT_COLUMN_CONTENT_TYPE, LAYOUT_CONTENT_TYPE } from "@stratum/formats/layout";
import type { AppServices } from "../../context.js";
import { makeContext } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { ConfounderGroup } from "./analysis.type.js";
import { isScoreColumn, scoreColumn } from "../data-quality/layout-columns.js";

/** Metadata columns listed in the layout's header (the map's colour-by menu); more are not useful there. */
const MAX_COLUMNS = 200;

/** The analysis the caller may read, or null after answering 404 (or 401 from viewerForRoute). */
async function readableAnalysis(services: AppServices, req: express.Request, res: express.Response): Promise<number | null> {
  const viewer = await viewerForRoute(services, req, res);
  if (!viewer) return null;
  const analysisId = decodeIdOrNull(String(req.params.id), "ConfounderAnalysis");
  const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
  const analysis = analysisId === null ? null : await ctx.prisma.confounderAnalysis.findUnique({ where: { id: analysisId }, select: { datasetVersionId: true } });
  if (analysisId === null || !analysis || !(await canRead(ctx, await consortiumOfVersion(ctx, analysis.datasetVersionId)))) {
    res.status(404).json({ error: { code: "NOT_FOUND", message: "no analysis with this ID is visible to you" } });
    return null;
  }
  return analysisId;
}

function sendFrame(res: express.Response, type: string, bytes: Uint8Array): void {
  res.setHeader("Cache-Control", "private, max-age=60");
  res.setHeader("Content-Type", type);
  res.setHeader("Content-Length", String(bytes.byteLength));
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

interface PointRow {
  sampleId: number;
  x: number;
  y: number;
  groupId: number;
  site: string | null;
}

export function layoutRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const analysisId = await readableAnalysis(services, req, res);
      if (analysisId === null) return;
      const groupRows = await services.store.prisma.confounderGroup.findMany({ where: { analysisId }, orderBy: { id: "asc" } });
      const groupIndex = new Map(groupRows.map((g, i) => [g.id, i]));
      // Raw: the layout frame reads one row per point with its site (a map column's figure: 203 ms
      // against 261 ms for Prisma at 20,000 members, bench-server-reads.mjs "map columns"), and the
      // metadata keys (jsonb_object_keys) have no Prisma form.
      const r = await services.store.sql.query<PointRow>(
        `SELECT m."sampleId", m.x, m.y, m."groupId", st.code AS site
           FROM "ConfounderGroupMember" m
           JOIN "ConfounderGroup" g ON g.id = m."groupId"
           JOIN "Sample" s ON s.id = m."sampleId"
           LEFT JOIN "Site" st ON st.id = s."siteId"
          WHERE g."analysisId" = $1
          ORDER BY m."groupId", m."sampleId"`,
        [analysisId],
      );
      const columns = await services.store.sql.query<{ k: string }>(
        `SELECT DISTINCT k FROM "ConfounderGroupMember" m
           JOIN "ConfounderGroup" g ON g.id = m."groupId"
           JOIN "Sample" s ON s.id = m."sampleId",
           jsonb_object_keys(CASE WHEN jsonb_typeof(s.metadata::jsonb) = 'object' THEN s.metadata::jsonb ELSE '{}'::jsonb END) AS k
          WHERE g."analysisId" = $1 ORDER BY k LIMIT ${MAX_COLUMNS}`,
        [analysisId],
      );
      const rows = r.rows;
      const n = rows.length;
      const sampleIds = new Uint32Array(n);
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      const group = new Uint16Array(n);
      const site = new Int32Array(n);
      const sites: string[] = [];
      const siteIndex = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const row = rows[i]!;
        sampleIds[i] = row.sampleId;
        x[i] = row.x;
        y[i] = row.y;
        group[i] = groupIndex.get(row.groupId)!;
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
      const groups = groupRows.map((row) => {
        const g = ConfounderGroup.from(row);
        return { id: g.id, label: row.label, index: row.index, isNoise: row.isNoise, name: g.name, size: row.size };
      });
      const frame = encodeLayout(
        { analysisId: toGlobalId("ConfounderAnalysis", analysisId), sampleIdType: "Sample", groups, sites, columns: columns.rows.map((c) => c.k) },
        { sampleIds, x, y, group, site },
      );
      sendFrame(res, LAYOUT_CONTENT_TYPE, frame);
    } catch (error) {
      next(error);
    }
  };
}

export function layoutColumnRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const analysisId = await readableAnalysis(services, req, res);
      if (analysisId === null) return;
      const column = String(req.params.name);
      if (isScoreColumn(column)) {
        // data-quality scores and similarity (modules/data-quality/layout-columns.ts)
        const analysis = (await services.store.prisma.confounderAnalysis.findUnique({ where: { id: analysisId }, select: { id: true, datasetVersionId: true, embeddingSetId: true } }))!;
        // Raw, as auth/scope.ts: the owner lookups of a request, 0.9 ms against 11.3 ms for Prisma's nested select.
        const consortiumId = (await services.store.sql.query<{ c: number }>(
          `SELECT p."consortiumId" AS c FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId" JOIN "Project" p ON p.id = d."projectId" WHERE v.id = $1`,
          [analysis.datasetVersionId],
        )).rows[0]?.c;
        const sameConsortium = async (sampleId: number) => {
          const r = await services.store.sql.query<{ c: number }>(
            `SELECT p."consortiumId" AS c FROM "Sample" s JOIN "Dataset" d ON d.id = s."datasetId" JOIN "Project" p ON p.id = d."projectId" WHERE s.id = $1`,
            [sampleId],
          );
          return r.rows[0]?.c === consortiumId;
        };
        const out = await scoreColumn(services.store, analysis, column, sameConsortium);
        if ("frame" in out) sendFrame(res, LAYOUT_COLUMN_CONTENT_TYPE, out.frame);
        else res.status(out.status).json({ error: { code: out.code, message: out.message } });
        return;
      }
      // A column name is data from the client: it only ever travels as a bound parameter.
      const r = await services.store.sql.query<{ v: unknown }>(
        `SELECT s.metadata::jsonb -> $2 AS v
           FROM "ConfounderGroupMember" m
           JOIN "ConfounderGroup" g ON g.id = m."groupId"
           JOIN "Sample" s ON s.id = m."sampleId"
          WHERE g."analysisId" = $1
          ORDER BY m."groupId", m."sampleId"`,
        [analysisId, column],
      );
      sendFrame(res, LAYOUT_COLUMN_CONTENT_TYPE, encodeLayoutColumn(column, r.rows.map((row) => row.v)));
    } catch (error) {
      next(error);
    }
  };
}
