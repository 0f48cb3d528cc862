// Which consortium owns an object, through batched loaders (no N+1). Used with canRead/requireRole.
import DataLoader from "dataloader";
import type { Store } from "@stratum/db";
import type { Context } from "../context.js";

export async function consortiumOfProject(ctx: Context, projectId: number): Promise<number | null> {
  return (await ctx.loaders.project.load(projectId))?.consortiumId ?? null;
}

export async function consortiumOfDataset(ctx: Context, datasetId: number): Promise<number | null> {
  const dataset = await ctx.loaders.dataset.load(datasetId);
  return dataset ? consortiumOfProject(ctx, dataset.projectId) : null;
}

/**
 * The consortium owning each version, per store. A version never changes dataset, a dataset never changes
 * project and a project never changes consortium (no mutation or SQL updates those columns), so the
 * answer cannot go stale: a deleted version is still hidden, because callers load the version row itself.
 */
const versionOwners = new WeakMap<Store, Map<number, number>>();
const MAX_VERSION_OWNERS = 100_000; // entries per store; then start over

/**
 * A version's consortium: remembered per process (see versionOwners), else one raw SQL query
 * (version → dataset → project) batched per request. The run list and every run, analysis and sample
 * check go through here; three chained Prisma lookups were a large share of a small request.
 */
export async function consortiumOfVersion(ctx: Context, versionId: number): Promise<number | null> {
  const store = ctx.app.store;
  let owners = versionOwners.get(store);
  if (!owners) versionOwners.set(store, (owners = new Map()));
  const known = owners.get(versionId);
  if (known !== undefined) return known;
  const loader = ctx.loader("consortiumOfVersion", () =>
    new DataLoader<number, number | null>(
      async (ids) => {
        // Raw: every access check reads this; 0.9 ms against 11.3 ms for Prisma's nested select (PGlite,
        // load 28, same run; node packages/db/scripts/bench-server-reads.mjs 20000 "auth scope").
        const r = await store.sql.query<{ id: number; consortiumId: number }>(
          `SELECT v.id, p."consortiumId" FROM "DatasetVersion" v
           JOIN "Dataset" d ON d.id = v."datasetId" JOIN "Project" p ON p.id = d."projectId"
           WHERE v.id = ANY($1::int[])`,
          [ids],
        );
        if (owners.size + r.rows.length > MAX_VERSION_OWNERS) owners.clear();
        for (const row of r.rows) owners.set(row.id, row.consortiumId);
        return ids.map((id) => owners.get(id) ?? null);
      },
      { maxBatchSize: 1000 },
    ),
  );
  return loader.load(versionId);
}

export async function consortiumOfSample(ctx: Context, sampleId: number): Promise<number | null> {
  const sample = await ctx.loaders.sample.load(sampleId);
  return sample ? consortiumOfDataset(ctx, sample.datasetId) : null;
}
