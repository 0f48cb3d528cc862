// `npm start -w @stratum/server`: opens the store (PGlite by default, Postgres with DATABASE_URL),
// applies migrations, and serves the API at http://localhost:PORT/graphql (WebSocket on the same path).
import "reflect-metadata";
import { openStore } from "@stratum/db";
import { loadConfig } from "./env.js";
import { createApp } from "./app.js";
import { createRuntime, liveAppOptions } from "./live.js";
import { seedDemoIfEmpty, queueDemoEmbeddings, describeAccounts } from "./seed/demo.js";
import { driveDemoPipeline } from "./seed/demo-pipeline.js";
import { storageOf } from "./storage/resolve-uri.js";

const config = loadConfig();
const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
// Event bus, presence and jobs: in-process on PGlite; LISTEN/NOTIFY + pg-boss on Postgres (see PROTOCOL.md).
// The jobs read sample files from the same folders and grants as the image route: one config, loaded once.
// STRATUM_THREADS: engine threads per analysis/selection job (default: the cores available).
const runtime = await createRuntime(store, { storage: storageOf(config), threads: config.threads });
const app = await createApp({ store, config, ...(await liveAppOptions(runtime)) });
const { url, wsUrl } = await app.listen(config.port, config.host);
console.log(`Stratum API on ${store.kind}: ${url} (subscriptions: ${wsUrl})`);

// An empty database gets the demo consortium (STRATUM_SEED_DEMO=false turns this off).
if (config.seedDemo) {
  const seed = await seedDemoIfEmpty(store, {
    filesDir: config.filesDir,
    password: config.demoPassword,
    log: (line) => console.log(line),
  });
  if (seed) {
    // STRATUM_SEED_EMBED=false leaves "Compute embeddings" to the user (the e2e suite watches it live).
    if (config.seedEmbed) {
      for (const jobId of await queueDemoEmbeddings(store, seed)) await runtime.jobs.queue.enqueue(jobId);
    }
    console.log(describeAccounts(seed, config.webOrigin));
  }
  // Then the default analysis and a random vs balanced run, as jobs, once the embeddings are in (it
  // resumes after a restart and stands down once the demo pool has a run).
  if (config.seedEmbed) driveDemoPipeline(app.services, { log: (line) => console.log(line) });
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping…`);
  try {
    await app.close();
  } finally {
    await store.close();
  }
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
