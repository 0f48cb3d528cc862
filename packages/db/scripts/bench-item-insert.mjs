// Measures the SelectionItem bulk write of commitSelection: unnest() (what it uses) against Prisma's
// createMany, on the embedded store (PGlite, in memory). Run after `npm run build -w @stratum/db`:
//   node packages/db/scripts/bench-item-insert.mjs [rows=20000]
import { openStore } from "../dist/index.js";
import { insertColumns } from "../dist/selection/columns.js";

const n = Number(process.argv[2] ?? 20_000);
const store = await openStore({ databaseUrl: undefined, dataDir: "memory://" });
try {
  const q = (text, params) => store.sql.query(text, params);
  const c = (await q(`INSERT INTO "Consortium" (slug, name) VALUES ('b', 'B') RETURNING id`)).rows[0].id;
  const p = (await q(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [c])).rows[0].id;
  const d = (await q(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [p])).rows[0].id;
  const v = (await q(`INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 1, '', 'h', $2) RETURNING id`, [d, n])).rows[0].id;
  await q(`INSERT INTO "Sample" ("datasetId", "externalId", label, "contentHash") SELECT $1, 's' || g, 'a', 'h' || g FROM generate_series(1, $2) g`, [d, n]);
  const ids = (await q(`SELECT id FROM "Sample" ORDER BY id`)).rows.map((r) => r.id);
  const run = async () => (await q(`INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass") VALUES ($1, 'random', '{}', 0, 1) RETURNING id`, [v])).rows[0].id;
  const time = async (name, fn) => {
    const runId = await run();
    const t = performance.now();
    await fn(runId);
    console.log(`${name}: ${n} rows in ${((performance.now() - t) / 1000).toFixed(3)} s`);
  };
  for (let round = 0; round < 2; round++) {
    await time("unnest", (runId) =>
      store.transaction((sql) =>
        insertColumns(sql, "SelectionItem", [
          { name: "runId", type: "int", values: ids.map(() => runId) },
          { name: "sampleId", type: "int", values: ids },
          { name: "rank", type: "int", values: ids.map((_, i) => i) },
          { name: "label", type: "text", values: ids.map(() => "a") },
          { name: "groupId", type: "int", values: ids.map(() => null) },
          { name: "groupKey", type: "text", values: ids.map(() => "k") },
          { name: "reason", type: "text", values: ids.map(() => "random draw") },
        ]),
      ),
    );
    await time("prisma createMany", (runId) =>
      store.prisma.$transaction((tx) =>
        tx.selectionItem.createMany({ data: ids.map((sampleId, rank) => ({ runId, sampleId, rank, label: "a", groupId: null, groupKey: "k", reason: "random draw" })) }),
      { timeout: 120_000 }),
    );
  }
} finally {
  await store.close();
}
