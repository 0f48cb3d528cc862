// GET /subsets/:id/manifest.jsonl|csv: a saved subset's members as a manifest, in the run manifest's
// formats (same columns, CSV formula-injection-safe through the same SQL), ranked by sample id. The
// subset's member hash is in the X-Stratum-Member-Hash header and the first line. A site-scoped member
// gets only their site's members (as the members list).
import type express from "express";
import type { AppServices } from "../../context.js";
import { makeContext } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { csvSql, jsonSql } from "../export/export.service.js";
import { subsetLoader } from "./subset.service.js";

function fail(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json({ error: { code, message } });
}

export function subsetManifestRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const format = req.params.format;
      if (format !== "jsonl" && format !== "csv") return fail(res, 404, "NOT_FOUND", `expected manifest.jsonl or manifest.csv, got manifest.${format}`);
      const viewer = await viewerForRoute(services, req, res);
      if (!viewer) return;
      const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
      const id = decodeIdOrNull(String(req.params.id), "Subset");
      const row = id === null ? null : await subsetLoader(ctx).load(id);
      const access = row ? await canRead(ctx, await consortiumOfVersion(ctx, row.datasetVersionId)) : null;
      if (!row || !access) return fail(res, 404, "NOT_FOUND", "no subset with this ID is visible to you");
      const line =
        format === "jsonl"
          ? `'{"rank" : ' || (t.n - 1) || ', "id" : ' || ${jsonSql(`t."externalId"`)} || ', "uri" : ' || ${jsonSql("t.uri")} ||
             ', "label" : ' || ${jsonSql("t.label")} || ', "sha256" : ' || ${jsonSql("t.sha256")} || '}'`
          : `concat_ws(',', (t.n - 1)::text, ${csvSql(`t."externalId"`)}, ${csvSql("t.uri")}, ${csvSql("t.label")}, ${csvSql("t.sha256")})`;
      // Subsets are bounded by what a request may name (or a filter of one version): one query. Raw, as
      // the run manifest export: the database formats the lines (string_agg), which Prisma cannot.
      const r = await services.store.sql.query<{ chunk: string | null; count: number }>(
        `SELECT string_agg(${line}, E'\\n' ORDER BY t.n) AS chunk, count(*)::int AS count FROM (
           SELECT row_number() OVER (ORDER BY m."sampleId") AS n, s."externalId", s.uri, s.label, s.sha256
           FROM "SubsetMember" m JOIN "Sample" s ON s.id = m."sampleId"
           WHERE m."subsetId" = $1 AND ($2::int IS NULL OR s."siteId" = $2::int)) t`,
        [row.id, access.siteId],
      );
      const { chunk, count } = r.rows[0]!;
      const globalId = toGlobalId("Subset", row.id);
      res.status(200);
      res.setHeader("Content-Type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="subset-${row.id}-manifest.${format}"`);
      res.setHeader("X-Stratum-Member-Hash", row.memberHash);
      res.setHeader("Cache-Control", "no-store");
      const header =
        format === "csv"
          ? `# memberHash=${row.memberHash} subset=${globalId} count=${count}\nrank,id,uri,label,sha256\n`
          : JSON.stringify({ format: "stratum.manifest/1", memberHash: row.memberHash, subset: globalId, name: row.name, count, columns: ["rank", "id", "uri", "label", "sha256"] }) + "\n";
      res.end(header + (chunk ? chunk + "\n" : ""));
    } catch (error) {
      if (res.headersSent) res.destroy(error as Error);
      else next(error);
    }
  };
}
