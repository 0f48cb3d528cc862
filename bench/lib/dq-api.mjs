// The data-quality bench's API step (issue 14: "p99 ≤ 20 ms per query through the API with the index
// warm"): the same 100k × 768 synthetic set as the engine step (dq-synthetic.mjs, seed 13), written
// to manifest.csv + embeddings.npy and imported with importDataset (the CLI's and the API's bulk
// path) into a fresh store (in-memory PGlite; a fresh PostgreSQL database when DATABASE_URL is set,
// as 50-api-load). The real app (createApp from apps/server/dist, production mode, the V8 flags of
// apps/server/node-flags.mjs) listens on a random port; one sequential client in a child process
// (undici, one keep-alive connection) sends the web's own SimilarSamples query.
//   - cold: the first query loads the set's vectors and builds the index (loadEmbeddingMatrix +
//     buildSimilarityIndex): the index build as the API does it;
//   - warm: 50 warm-up queries, then the engine step's 500 seeded query rows, in blocks of 100; after
//     each API block the same rows go through engine.similarTo on the very index the server cached, in
//     this process (the reference: what the API adds is HTTP, GraphQL, auth, the sample rows' fetch and
//     the JSON). The server's own time per request (its 'request' event to 'finish') is recorded too.
//   - recall@10 of the API's answers against exactSimilar on the server's vectors.
// Run by bench/suites/13-data-quality.mjs as a child (`--api <out.json>`); needs a built apps/server.
import { fork } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

const here = path.dirname(fileURLToPath(import.meta.url));
const quantile = (xs, q) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * a.length))];
};
const summary = (xs) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) });

/** The web's query (apps/web/src/components/quality/DataQuality.tsx). */
export const SIMILAR_QUERY = `query SimilarSamples($sampleId: ID!, $embeddingSetId: ID!, $first: Int) {
  similarSamples(sampleId: $sampleId, embeddingSetId: $embeddingSetId, first: $first) {
    method evaluated warm
    items { score sample { id externalId label site { id code } } }
  }
}`;

// ─── client (child process) ──────────────────────────────────────────────────
async function client() {
  let pool = null;
  process.on("disconnect", () => process.exit(0)); // the server side ended (or crashed): do not linger
  process.on("message", async (msg) => {
    if (msg.type === "exit") {
      await pool?.close();
      process.exit(0);
    }
    if (msg.type !== "run") return;
    pool ??= new Pool(msg.base, { connections: 1, pipelining: 1 });
    const headers = { "content-type": "application/json", cookie: msg.cookie };
    const ms = [];
    const answers = [];
    let errors = 0;
    for (const sampleId of msg.sampleIds) {
      const body = JSON.stringify({ query: SIMILAR_QUERY, variables: { sampleId, embeddingSetId: msg.setId, first: 10 } });
      const t = performance.now();
      const r = await pool.request({ path: "/graphql", method: "POST", headers, body });
      const json = JSON.parse(await r.body.text());
      ms.push(performance.now() - t);
      const res = json.data?.similarSamples;
      if (r.statusCode !== 200 || json.errors || !res) {
        errors++;
        answers.push(null);
      } else answers.push({ ids: res.items.map((it) => it.sample.id), method: res.method, warm: res.warm, evaluated: res.evaluated });
    }
    process.send({ type: "done", ms, answers, errors });
  });
}

if (process.argv[2] === "--client") await client();

// ─── server side ─────────────────────────────────────────────────────────────
/** Writes the set as the importer reads it: manifest.csv (id, label, site, uri, split) and embeddings.npy. */
async function writeSet(dir, g) {
  const { encodeNpyHeader } = await import("@stratum/formats");
  const { n, dim, data } = g.points;
  const manifest = openSync(path.join(dir, "manifest.csv"), "w");
  writeSync(manifest, "id,label,site,uri,split\n");
  for (let start = 0; start < n; start += 4096) {
    let m = "";
    for (let i = start; i < Math.min(n, start + 4096); i++) m += `r${String(i).padStart(6, "0")},${g.labels[i]},${g.sites[i]},img/r${i}.png,${g.splits[i]}\n`;
    writeSync(manifest, m);
  }
  closeSync(manifest);
  const npy = openSync(path.join(dir, "embeddings.npy"), "w");
  writeSync(npy, encodeNpyHeader("float32", [n, dim]));
  writeSync(npy, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  closeSync(npy);
}

/**
 * @param {{ n: number, dim: number, queries: number[], exactQueries: number, generate: () => any }} opts
 *   queries: the engine step's query rows; generate(): the planted-duplicates set (seed 13).
 */
export async function apiStep({ n, dim, queries, exactQueries, generate, warmupQueries }) {
  const engine = await import("@stratum/engine");
  const { openStore, importDataset } = await import("@stratum/db");
  const { testStoreOptions } = await import("@stratum/db/testing");
  const server = (p) => import(path.resolve(here, "../../apps/server/dist", p));
  const { createApp } = await server("app.js");
  const { createUser } = await server("modules/user/user.service.js");
  const { toGlobalId } = await server("graphql/ids.js");
  const { searchEntry } = await server("modules/data-quality/similarity.js");
  const load = [loadavg()[0]];

  const dir = mkdtempSync(path.join(tmpdir(), "stratum-dq-api-"));
  let store, app, child;
  try {
    await writeSet(dir, generate());
    store = await openStore(await testStoreOptions());
    let t = performance.now();
    const imported = await importDataset(store, {
      consortium: "bench", project: "dq", dataset: "planted", createMissing: true,
      manifestPath: path.join(dir, "manifest.csv"), embeddingsPath: path.join(dir, "embeddings.npy"), model: "dq-synthetic-768",
    });
    const importSeconds = (performance.now() - t) / 1000;
    rmSync(dir, { recursive: true, force: true });
    if (imported.version.sampleCount !== n || imported.embeddings?.count !== n) throw new Error("import wrote the wrong number of rows");
    if (store.kind === "pglite") await store.sql.query(`ANALYZE`); // PGlite has no autovacuum
    const one = async (q, p) => (await store.sql.query(q, p)).rows[0];
    const { consortiumId } = await one(`SELECT p."consortiumId" FROM "Dataset" d JOIN "Project" p ON p.id = d."projectId" WHERE d.id = $1`, [imported.datasetId]);
    const user = await createUser(store.prisma, { email: "bench@example.org", name: "Bench", password: "bench password 123" });
    await store.sql.query(`INSERT INTO "Membership" ("userId", "consortiumId", role) VALUES ($1, $2, 'CURATOR')`, [user.id, consortiumId]);
    const sampleOfRow = new Int32Array(n);
    for (const r of (await store.sql.query(`SELECT id, "externalId" FROM "Sample" WHERE "datasetId" = $1`, [imported.datasetId])).rows) sampleOfRow[Number(r.externalId.slice(1))] = r.id;
    const setId = imported.embeddings.setId;
    const setGid = toGlobalId("EmbeddingSet", setId);
    load.push(loadavg()[0]);

    app = await createApp({ store, config: { nodeEnv: "production", loginMaxFailures: 1000 } });
    const { port } = await app.listen(0, "127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation($i: SessionLoginInput!) { sessionLogin(input: $i) { errors { code } } }`, variables: { i: { email: "bench@example.org", password: "bench password 123" } } }),
    });
    const cookie = login.headers.getSetCookie()[0].split(";")[0];
    child = fork(fileURLToPath(import.meta.url), ["--client"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const ask = (sampleIds) =>
      new Promise((resolve) => {
        child.once("message", resolve);
        child.send({ type: "run", base, cookie, setId: setGid, sampleIds });
      });
    const gid = (row) => toGlobalId("Sample", sampleOfRow[row]);

    // cold: the first query loads the vectors and builds the index
    t = performance.now();
    const cold = await ask([gid(queries[0])]);
    const coldSeconds = (performance.now() - t) / 1000;
    if (cold.errors || cold.answers[0].warm) throw new Error("the cold query failed or found the index warm");
    const set = await store.prisma.embeddingSet.findUniqueOrThrow({ where: { id: setId } });
    const { warm, entry: pending } = searchEntry(store, set);
    const entry = await pending;
    if (!warm || !entry.index) throw new Error("the server's index is not cached");
    load.push(loadavg()[0]);

    // warm-up (JIT, connection, loaders), then the measured rows in blocks, each followed by the engine on the same rows
    const wrng = engine.createRng(8);
    await ask(Array.from({ length: warmupQueries }, () => gid(wrng.int(n))));
    const serverMs = [];
    const timeRequest = (_req, res) => {
      const s = performance.now();
      res.on("finish", () => serverMs.push(performance.now() - s));
    };
    const apiMs = [], engineMs = [], answers = [];
    let errors = 0;
    const BLOCK = 100;
    for (let b = 0; b < queries.length; b += BLOCK) {
      const rows = queries.slice(b, b + BLOCK);
      app.httpServer.prependListener("request", timeRequest);
      const r = await ask(rows.map(gid));
      app.httpServer.off("request", timeRequest);
      apiMs.push(...r.ms);
      answers.push(...r.answers);
      errors += r.errors;
      for (const row of rows) {
        const q = entry.rowOfSample.get(sampleOfRow[row]);
        const s = performance.now();
        engine.similarTo(entry.index, q, 10);
        engineMs.push(performance.now() - s);
      }
    }
    load.push(loadavg()[0]);

    // recall@10 of the API's answers against exact search on the server's own vectors
    let hit = 0;
    for (let i = 0; i < exactQueries; i++) {
      const e = engine.exactSimilar(entry.points, entry.rowOfSample.get(sampleOfRow[queries[i]]), 10, { inv: entry.inv });
      const want = new Set(Array.from(e.rows, (r) => toGlobalId("Sample", entry.sampleIds[r])));
      hit += (answers[i]?.ids ?? []).filter((id) => want.has(id)).length;
    }
    const api = summary(apiMs), eng = summary(engineMs), srv = summary(serverMs);
    return {
      storage: store.kind, n, dim, queries: queries.length, warmupQueries, exactQueries, errors,
      importSeconds, coldFirstQuerySeconds: coldSeconds, indexBuildMs: entry.builtMs,
      allWarm: answers.every((a) => a?.warm), methods: [...new Set(answers.map((a) => a?.method))],
      meanEvaluated: answers.reduce((s, a) => s + (a?.evaluated ?? 0), 0) / answers.length,
      recallAt10: hit / (exactQueries * 10),
      apiMs: api, serverMs: srv, engineMs: eng,
      ratio: { p50: api.p50 / eng.p50, p99: api.p99 / eng.p99 },
      loadAverage1m: load,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    child?.send({ type: "exit" });
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
