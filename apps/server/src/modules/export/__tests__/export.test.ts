// The streamed manifest over several pages (PAGE_ROWS = 10k ranks per query): every rank once, in order,
// and each JSONL line byte for byte what json_build_object(...)::text gives for the row (the format the
// stream had before it built lines by concatenation), with quotes, commas, line breaks, non-ASCII and NULLs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser, signIn, type TestClient } from "../../../test/harness.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { toGlobalId } from "../../../graphql/ids.js";

const ITEMS = 21_005; // three pages, the last one short

let server: LiveServer;
let viewer: TestClient;
let runId: number;

beforeAll(async () => {
  server = await startLiveServer();
  const sql = server.store.sql;
  const one = async (q: string, p: unknown[] = []) => (await sql.query<{ id: number }>(q, p)).rows[0]!;
  const consortium = await one(`INSERT INTO "Consortium" (slug, name) VALUES ('export-pages', 'E') RETURNING id`);
  const project = await one(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [consortium.id]);
  const dataset = await one(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [project.id]);
  // Awkward values every few rows: quotes, commas, line breaks, tabs, non-ASCII, NULL uri and sha256.
  await sql.query(
    `INSERT INTO "Sample" ("datasetId", "externalId", uri, label, "contentHash", sha256)
     SELECT $1,
            CASE g % 5 WHEN 0 THEN 'q"uote,' || g WHEN 1 THEN E'line\\nbreak\\t' || g ELSE 'img-' || g END,
            CASE WHEN g % 7 = 0 THEN NULL ELSE 's3://b/ü/' || g || '.png' END,
            CASE WHEN g % 2 = 0 THEN 'normal' ELSE 'a,b "c"' END,
            md5(g::text),
            CASE WHEN g % 11 = 0 THEN NULL ELSE md5('x' || g) END
     FROM generate_series(1, $2) g`,
    [dataset.id, ITEMS],
  );
  const version = await one(
    `INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 1, 'v', 'h', $2) RETURNING id`,
    [dataset.id, ITEMS],
  );
  const run = await one(
    `INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass", status, "manifestHash")
     VALUES ($1, 'random', '{}', 0, 1, 'SUCCEEDED', 'sha256:test') RETURNING id`,
    [version.id],
  );
  runId = run.id;
  await sql.query(
    `INSERT INTO "SelectionItem" ("runId", "sampleId", rank, label, reason)
     SELECT $1, id, row_number() OVER (ORDER BY id) - 1, label, 'test' FROM "Sample" WHERE "datasetId" = $2`,
    [runId, dataset.id],
  );
  const { email } = await seedUser(server.store, [{ consortiumId: consortium.id, role: "VIEWER" }]);
  viewer = await signIn(server, email);
});

afterAll(async () => {
  await server?.close();
});

describe("GET /runs/:id/manifest over several pages", () => {
  it("JSONL: every rank once and in order, each line as json_build_object writes it", async () => {
    const response = await viewer.get(`/runs/${toGlobalId("SelectionRun", runId)}/manifest.jsonl`);
    expect(response.status).toBe(200);
    const lines = (await response.text()).split("\n");
    expect(lines.pop()).toBe(""); // ends with a line break
    expect(JSON.parse(lines[0]!)).toMatchObject({ count: ITEMS, manifestHash: "sha256:test" });
    const expected = await server.store.sql.query<{ line: string }>(
      `SELECT json_build_object('rank', i.rank, 'id', s."externalId", 'uri', s.uri, 'label', i.label, 'sha256', s.sha256)::text AS line
       FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId" WHERE i."runId" = $1 ORDER BY i.rank`,
      [runId],
    );
    expect(lines.length - 1).toBe(ITEMS);
    expect(lines.slice(1)).toEqual(expected.rows.map((r) => r.line));
    expect(lines.slice(1).map((l) => JSON.parse(l).rank)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
  });

  it("CSV: a header, the column line and one record per rank", async () => {
    const response = await viewer.get(`/runs/${toGlobalId("SelectionRun", runId)}/manifest.csv`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith(`# manifestHash=sha256:test run=${toGlobalId("SelectionRun", runId)} count=${ITEMS}\nrank,id,uri,label,sha256\n`)).toBe(true);
    // Records start with their rank; quoted fields may hold line breaks, so count record starts.
    const starts = text.split("\n").filter((l) => /^\d+,/.test(l)).map((l) => Number(l.split(",")[0]));
    expect(starts).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    expect(text).toContain(`\n2,img-3,s3://b/ü/3.png,"a,b ""c""",`);
  });
});
