// Which consortium owns an object, through batched loaders (no N+1). Used with canRead/requireRole.
import DataLoader from "dataloader";
import type { Context } from "../context.js";

export async function consortiumOfProject(ctx: Context, projectId: number): Promise<number | null> {
  return (await ctx.loaders.project.load(projectId))?.consortiumId ?? null;
}

export async function consortiumOfDataset(ctx: Context, datasetId: number): Promise<number | null> {
  const dataset = await ctx.loaders.dataset.load(datasetId);
  return dataset ? consortiumOfProject(ctx, dataset.projectId) : null;
}

/**
 * A version's consortium in one raw SQL query (version → dataset → project), batched per request: the
 * run list and every run, analysis and sample check go through here, and three chained Prisma lookups
 * were a large share of a small request.
 */
export async function consortiumOfVersion(ctx: Context, versionId: number): Promise<number | null> {
  const loader = ctx.loader("consortiumOfVersion", () =>
    new DataLoader<number, number | null>(
      async (ids) => {
        const r = await ctx.app.store.sql.query<{ id: number; consortiumId: number }>(
          `SELECT v.id, p."consortiumId" FROM "DatasetVersion" v
           JOIN "Dataset" d ON d.id = v."datasetId" JOIN "Project" p ON p.id = d."projectId"
           WHERE v.id = ANY($1::int[])`,
          [ids],
        );
        const byId = new Map(r.rows.map((row) => [row.id, row.consortiumId]));
        return ids.map((id) => byId.get(id) ?? null);
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
