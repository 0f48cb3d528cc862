// Manifest export: paginated (GraphQL) and streamed (GET /runs/:id/manifest.jsonl|.csv). Both apply
// site scoping to URIs. The stream carries the run's manifest hash in the X-Stratum-Manifest-Hash
// header and in its first line, reads keyset pages of PAGE_ROWS and respects socket backpressure.
import type express from "express";
import type { AppServices, Context } from "../../context.js";
import { makeContext } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { consortiumOfRun, runLoader } from "../run/run.service.js";

const PAGE_ROWS = 10_000; // rows per query while streaming

interface Row {
  rank: number;
  externalId: string;
  uri: string | null;
  label: string;
  sha256: string | null;
  siteId: number | null;
}

export async function readManifestPage(ctx: Context | { app: AppServices }, runId: number, afterRank: number, limit: number): Promise<Row[]> {
  const r = await ctx.app.store.sql.query<Row>(
    `SELECT i.rank, s."externalId", s.uri, i.label, s.sha256, s."siteId" FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId"
     WHERE i."runId" = $1 AND i.rank > $2 ORDER BY i.rank LIMIT $3`,
    [runId, afterRank, limit],
  );
  return r.rows;
}

function csvField(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function fail(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json({ error: { code, message } });
}

/** GET /runs/:id/manifest.jsonl and .csv (cookie or bearer, like /graphql). */
export function manifestRoute(services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const format = req.params.format;
      if (format !== "jsonl" && format !== "csv") return fail(res, 404, "NOT_FOUND", `expected manifest.jsonl or manifest.csv, got manifest.${format}`);
      const viewer = await viewerForRoute(services, req, res);
      if (!viewer) return;
      const ctx = makeContext(services, viewer, { ip: clientIp(req), req, res });
      const runId = decodeIdOrNull(String(req.params.id), "SelectionRun");
      const consortiumId = runId === null ? null : await consortiumOfRun(ctx, runId);
      const access = await canRead(ctx, consortiumId);
      if (runId === null || !access) return fail(res, 404, "NOT_FOUND", "no selection run with this ID is visible to you");
      const run = (await runLoader(ctx).load(runId))!;
      if (run.status !== "SUCCEEDED" || !run.manifestHash) return fail(res, 409, "INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run has a manifest`);
      const count = await ctx.prisma.selectionItem.count({ where: { runId } });
      const globalId = toGlobalId("SelectionRun", runId);
      res.status(200);
      res.setHeader("Content-Type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="run-${runId}-manifest.${format}"`);
      res.setHeader("X-Stratum-Manifest-Hash", run.manifestHash);
      res.setHeader("Cache-Control", "no-store");
      const header =
        format === "csv"
          ? `# manifestHash=${run.manifestHash} run=${globalId} count=${count}\nrank,id,uri,label,sha256\n`
          : JSON.stringify({ format: "stratum.manifest/1", manifestHash: run.manifestHash, run: globalId, count, columns: ["rank", "id", "uri", "label", "sha256"] }) + "\n";
      let closed = false;
      res.on("close", () => (closed = true));
      const write = async (chunk: string) => {
        if (!res.write(chunk)) await new Promise<void>((resolve) => res.once("drain", () => resolve()).once("close", () => resolve()));
      };
      await write(header);
      let after = -1;
      while (!closed) {
        const rows = await readManifestPage(ctx, runId, after, PAGE_ROWS);
        if (rows.length === 0) break;
        const lines: string[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i]!;
          const uri = access.siteId === null || access.siteId === r.siteId ? r.uri : null;
          lines[i] =
            format === "csv"
              ? `${r.rank},${csvField(r.externalId)},${csvField(uri)},${csvField(r.label)},${csvField(r.sha256)}`
              : JSON.stringify({ rank: r.rank, id: r.externalId, uri, label: r.label, sha256: r.sha256 });
        }
        await write(lines.join("\n") + "\n");
        after = rows[rows.length - 1]!.rank;
        if (rows.length < PAGE_ROWS) break;
      }
      res.end();
    } catch (error) {
      if (res.headersSent) res.destroy(error as Error);
      else next(error);
    }
  };
}

export function exportRoutes(app: express.Express, services: AppServices): void {
  app.get("/runs/:id/manifest.:format", manifestRoute(services));
}
