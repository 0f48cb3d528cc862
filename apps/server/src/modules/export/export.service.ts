// Manifest export: paginated (GraphQL) and streamed (GET /runs/:id/manifest.jsonl|.csv). Both apply
// site scoping to URIs. The stream carries the run's manifest hash in the X-Stratum-Manifest-Hash
// header and in its first line, reads pages of PAGE_ROWS ranks and respects socket backpressure.
import type express from "express";
import type { AppServices } from "../../context.js";
import { makeContext } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { clientIp, viewerForRoute } from "../../http/auth.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { consortiumOfRun, runLoader } from "../run/run.service.js";

const PAGE_ROWS = 10_000; // ranks per query while streaming


/**
 * SQL text of one CSV field: quoted only when it holds a quote, comma or line break; NULL → empty.
 * A value starting with = + - @ tab or CR would run as a formula when the file is opened in a
 * spreadsheet (an importer chooses ids, uris and labels): per OWASP's CSV-injection advice it gets a
 * leading single quote and is quoted, so it is shown as text.
 */
export function csvSql(expr: string): string {
  return `CASE WHEN ${expr} IS NULL THEN ''
    WHEN ${expr} ~ '^[=+@\t\r-]' THEN '"''' || replace(${expr}, '"', '""') || '"'
    WHEN ${expr} ~ '[",\r\n]' THEN '"' || replace(${expr}, '"', '""') || '"' ELSE ${expr} END`;
}

/** SQL text of one JSON value: a JSON string, or null. */
export function jsonSql(expr: string): string {
  return `coalesce(to_json(${expr})::text, 'null')`;
}

/**
 * The manifest lines of ranks (afterRank, afterRank + PAGE_ROWS], formatted by the database as one text
 * value: building 10k JSON/CSV lines in C is several times faster than materialising 10k row objects in
 * JS. A JSONL line is byte for byte json_build_object(...)::text, built by concatenation (a third cheaper).
 * Bounding the page by a rank range rather than only by LIMIT keeps each query to its own rows whatever
 * plan PostgreSQL picks: with stale statistics (a run just written, before autovacuum's ANALYZE) a
 * `rank > $2 ORDER BY rank LIMIT n` page joined and sorted every remaining item, so the export was
 * quadratic. `siteId` set = a site-scoped reader: other sites' URIs come out null/empty.
 */
async function readFormattedPage(
  app: AppServices,
  runId: number,
  afterRank: number,
  format: "jsonl" | "csv",
  siteId: number | null,
): Promise<string | null> {
  const uri = `CASE WHEN $4::int IS NULL OR s."siteId" = $4::int THEN s.uri END`;
  const line =
    format === "jsonl"
      ? `'{"rank" : ' || i.rank || ', "id" : ' || ${jsonSql(`s."externalId"`)} || ', "uri" : ' || ${jsonSql(uri)} ||
         ', "label" : ' || ${jsonSql("i.label")} || ', "sha256" : ' || ${jsonSql("s.sha256")} || '}'`
      : `concat_ws(',', i.rank::text, ${csvSql(`s."externalId"`)}, ${csvSql(uri)}, ${csvSql("i.label")}, ${csvSql("s.sha256")})`;
  // Raw: the database formats each page of lines (string_agg of JSON/CSV text); Prisma has no form of it.
  const r = await app.store.sql.query<{ chunk: string | null }>(
    `SELECT string_agg(line, E'\n' ORDER BY rank) AS chunk FROM (
       SELECT i.rank, ${line} AS line
       FROM (SELECT rank, "sampleId", label FROM "SelectionItem" WHERE "runId" = $1 AND rank > $2 AND rank <= $2 + $3) i
       JOIN "Sample" s ON s.id = i."sampleId") t`,
    [runId, afterRank, PAGE_ROWS, siteId],
  );
  return r.rows[0]?.chunk ?? null;
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
      const span = await services.store.sql.query<{ count: number; last: number | null }>(
        `SELECT count(*)::int AS count, max(rank) AS last FROM "SelectionItem" WHERE "runId" = $1`,
        [runId],
      );
      const { count, last } = span.rows[0]!;
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
        if (res.write(chunk)) return;
        // Wait for drain or close, and drop the other listener: left behind, one per pause, they piled up
        // on a long download (MaxListenersExceededWarning).
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done).off("close", done);
            resolve();
          };
          res.on("drain", done).on("close", done);
        });
      };
      await write(header);
      // The next page is read while this one is written, so the database and the socket work at once.
      const read = (after: number) => readFormattedPage(services, runId, after, format, access.siteId);
      let pending = last === null ? null : read(-1);
      for (let after = -1; pending && !closed; after += PAGE_ROWS) {
        const chunk = await pending;
        pending = last !== null && after + PAGE_ROWS < last ? read(after + PAGE_ROWS) : null;
        if (chunk !== null) await write(chunk + "\n");
      }
      pending?.catch(() => undefined); // the client went away: nobody reads that page
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
