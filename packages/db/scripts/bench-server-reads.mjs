// Measures the server's reads and writes that moved from raw SQL to Prisma (issue 15) against the raw
// statement they replace, on the embedded store (PGlite, in memory), for a version of `n` samples
// (10 classes, 4 sites). Run after `npm run build -w @stratum/db`:
//   node packages/db/scripts/bench-server-reads.mjs [rows=20000]
// Prints the median of 5 rounds per case (200 for reads under 5 ms); the two sides of a case run in the same rounds.
import { openStore } from "../dist/index.js";

const n = Number(process.argv[2] ?? 20_000);
const store = await openStore({ databaseUrl: undefined, dataDir: "memory://" });
const prisma = store.prisma;
try {
  const q = (text, params) => store.sql.query(text, params);
  const c = (await q(`INSERT INTO "Consortium" (slug, name) VALUES ('b', 'B') RETURNING id`)).rows[0].id;
  const p = (await q(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [c])).rows[0].id;
  const d = (await q(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [p])).rows[0].id;
  const v = (await q(`INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount") VALUES ($1, 1, '', 'h', $2) RETURNING id`, [d, n])).rows[0].id;
  for (let s = 0; s < 4; s++) await q(`INSERT INTO "Site" ("consortiumId", code, name) VALUES ($1, $2, $2)`, [c, `s${s}`]);
  await q(
    `INSERT INTO "Sample" ("datasetId", "externalId", label, "siteId", metadata, "contentHash")
     SELECT $1, 's' || g, 'c' || (g % 10), (SELECT min(id) FROM "Site") + g % 4, jsonb_build_object('scanner', 'x' || (g % 3)), 'h' || g FROM generate_series(1, $2) g`,
    [d, n],
  );
  await q(`INSERT INTO "DatasetVersionSample" ("versionId", "sampleId", position) SELECT $1, id, row_number() OVER (ORDER BY id) - 1 FROM "Sample"`, [v]);
  const ids = (await q(`SELECT id FROM "Sample" ORDER BY id`)).rows.map((r) => r.id);
  const r = (await q(`INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass") VALUES ($1, 'random', '{}', 0, 1) RETURNING id`, [v])).rows[0].id;
  await q(`INSERT INTO "SelectionItem" ("runId", "sampleId", rank, label, reason) SELECT $1, id, row_number() OVER (ORDER BY id), label, 'r' FROM "Sample"`, [r]);

  const cases = {
    "version membership of n ids (subset sampleIds)": {
      raw: () => q(`SELECT "sampleId" FROM "DatasetVersionSample" WHERE "versionId" = $1 AND "sampleId" = ANY($2::int[])`, [v, ids]),
      prisma: () => prisma.datasetVersionSample.findMany({ where: { versionId: v, sampleId: { in: ids } }, select: { sampleId: true } }),
    },
    "class sizes of the version (GROUP BY label)": {
      raw: () => q(`SELECT s.label, count(*)::int AS n FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1 GROUP BY s.label ORDER BY s.label`, [v]),
      prisma: () => prisma.sample.groupBy({ by: ["label"], where: { versions: { some: { versionId: v } } }, _count: { _all: true }, orderBy: { label: "asc" } }),
    },
    "site levels of the version (count DISTINCT siteId)": {
      raw: () => q(`SELECT count(DISTINCT s."siteId")::int AS levels FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1`, [v]),
      prisma: () => prisma.sample.groupBy({ by: ["siteId"], where: { versions: { some: { versionId: v } }, siteId: { not: null } } }),
    },
    "a run's items per label (GROUP BY runId, label)": {
      raw: () => q(`SELECT "runId", label, count(*)::int AS n FROM "SelectionItem" WHERE "runId" = ANY($1::int[]) GROUP BY "runId", label`, [[r]]),
      prisma: () => prisma.selectionItem.groupBy({ by: ["runId", "label"], where: { runId: { in: [r] } }, _count: { _all: true } }),
    },
    "a run's items (compareRuns)": {
      raw: () => q(`SELECT "runId", "sampleId", label FROM "SelectionItem" WHERE "runId" = ANY($1::int[])`, [[r]]),
      prisma: () => prisma.selectionItem.findMany({ where: { runId: { in: [r] } }, select: { runId: true, sampleId: true, label: true } }),
    },
    "first 21 labels of the version": {
      raw: () => q(`SELECT DISTINCT s.label FROM "DatasetVersionSample" d JOIN "Sample" s ON s.id = d."sampleId" WHERE d."versionId" = $1 ORDER BY 1 LIMIT 21`, [v]),
      prisma: () => prisma.sample.groupBy({ by: ["label"], where: { versions: { some: { versionId: v } } }, orderBy: { label: "asc" }, take: 21 }),
    },
  };
  // An analysis of the version: 5 groups per class, every sample a member; a second run of the same items.
  const m = (await q(`INSERT INTO "EmbeddingModel" ("consortiumId", name, kind, dim) VALUES ($1, 'm', 'EXTERNAL', 2) RETURNING id`, [c])).rows[0].id;
  const set = (await q(`INSERT INTO "EmbeddingSet" ("modelId", "datasetVersionId", dim, status) VALUES ($1, $2, 2, 'COMPLETE') RETURNING id`, [m, v])).rows[0].id;
  const a = (await q(`INSERT INTO "ConfounderAnalysis" ("datasetVersionId", "embeddingSetId", params, status) VALUES ($1, $2, '{}', 'SUCCEEDED') RETURNING id`, [v, set])).rows[0].id;
  await q(`INSERT INTO "ConfounderGroup" ("analysisId", label, index, size) SELECT $1, 'c' || l, g, 0 FROM generate_series(0, 9) l, generate_series(0, 4) g`, [a]);
  await q(
    `INSERT INTO "ConfounderGroupMember" ("groupId", "sampleId", x, y)
     SELECT g.id, s.id, 0, 0 FROM "Sample" s JOIN "ConfounderGroup" g ON g."analysisId" = $1 AND g.label = s.label AND g.index = s.id % 5`,
    [a],
  );
  const r2 = (await q(`INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass") VALUES ($1, 'random', '{}', 0, 1) RETURNING id`, [v])).rows[0].id;
  await q(`INSERT INTO "SelectionItem" ("runId", "sampleId", rank, label, reason) SELECT $1, "sampleId", rank, label, reason FROM "SelectionItem" WHERE "runId" = $2`, [r2, r]);
  cases["two runs' items per analysis group (allocationOf)"] = {
    raw: () =>
      q(
        `SELECT i."runId", m."groupId", count(*)::int AS n FROM "SelectionItem" i
         JOIN "ConfounderGroupMember" m ON m."sampleId" = i."sampleId" JOIN "ConfounderGroup" g ON g.id = m."groupId" AND g."analysisId" = $2
         WHERE i."runId" = ANY($1::int[]) GROUP BY i."runId", m."groupId"`,
        [[r, r2], a],
      ),
    prisma: () =>
      Promise.all(
        [r, r2].map((runId) =>
          prisma.confounderGroupMember.groupBy({ by: ["groupId"], where: { group: { analysisId: a }, sample: { selections: { some: { runId } } } }, _count: { _all: true } }),
        ),
      ),
  };
  cases["the layout's sample ids in order (map columns)"] = {
    raw: () =>
      q(`SELECT m."sampleId" FROM "ConfounderGroupMember" m JOIN "ConfounderGroup" g ON g.id = m."groupId" WHERE g."analysisId" = $1 ORDER BY m."groupId", m."sampleId"`, [a]),
    prisma: () => prisma.confounderGroupMember.findMany({ where: { group: { analysisId: a } }, orderBy: [{ groupId: "asc" }, { sampleId: "asc" }], select: { sampleId: true } }),
  };
  // Hot per-request reads: the owner of a version (every access check), a page of 100 samples with sites.
  const some = ids.slice(0, 100);
  cases["owner consortium of a version (auth scope)"] = {
    raw: () =>
      q(
        `SELECT v.id, p."consortiumId" FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId" JOIN "Project" p ON p.id = d."projectId" WHERE v.id = ANY($1::int[])`,
        [[v]],
      ),
    prisma: () => prisma.datasetVersion.findMany({ where: { id: { in: [v] } }, select: { id: true, dataset: { select: { project: { select: { consortiumId: true } } } } } }),
  };
  cases["100 samples with their sites (similarSamples)"] = {
    raw: () => q(`SELECT s.*, site.code AS "site.code" FROM "Sample" s LEFT JOIN "Site" site ON site.id = s."siteId" WHERE s.id = ANY($1::int[])`, [some]),
    prisma: () => prisma.sample.findMany({ where: { id: { in: some } }, include: { site: true } }),
  };
  let subsetNo = 0;
  const subset = async () =>
    (await q(`INSERT INTO "Subset" ("projectId", "datasetVersionId", name, kind, definition, "memberCount", "memberHash") VALUES ($1, $2, $3, 'SEARCH', '{}', $4, 'h') RETURNING id`, [p, v, `s${subsetNo++}`, n])).rows[0].id;
  cases["n subset members (insert)"] = {
    raw: async () => {
      const id = await subset();
      await q(`INSERT INTO "SubsetMember" ("subsetId", "sampleId") SELECT $1, unnest($2::int[])`, [id, ids]);
    },
    prisma: async () => {
      const id = await subset();
      await prisma.subsetMember.createMany({ data: ids.map((sampleId) => ({ subsetId: id, sampleId })) });
    },
  };
  const only = process.argv[3];
  for (const [name, sides] of Object.entries(cases)) {
    if (only && !new RegExp(only).test(name)) continue;
    const times = { raw: [], prisma: [] };
    // Sub-millisecond reads get 200 rounds (after a warm-up call each), the rest 5.
    await sides.raw();
    await sides.prisma();
    const t0 = performance.now();
    await sides.raw();
    const rounds = performance.now() - t0 < 5 ? 200 : 5;
    for (let round = 0; round < rounds; round++) {
      for (const side of ["raw", "prisma"]) {
        const t = performance.now();
        await sides[side]();
        times[side].push(performance.now() - t);
      }
    }
    const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const raw = med(times.raw);
    const pr = med(times.prisma);
    console.log(`${name}: raw ${raw.toFixed(1)} ms, prisma ${pr.toFixed(1)} ms (${(pr / raw).toFixed(1)}x)`);
  }
} finally {
  await store.close();
}
