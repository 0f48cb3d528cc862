// Which consortium owns an object, through batched loaders (no N+1). Used with canRead/requireRole.
import type { Context } from "../context.js";

export async function consortiumOfProject(ctx: Context, projectId: number): Promise<number | null> {
  return (await ctx.loaders.project.load(projectId))?.consortiumId ?? null;
}

export async function consortiumOfDataset(ctx: Context, datasetId: number): Promise<number | null> {
  const dataset = await ctx.loaders.dataset.load(datasetId);
  return dataset ? consortiumOfProject(ctx, dataset.projectId) : null;
}

export async function consortiumOfVersion(ctx: Context, versionId: number): Promise<number | null> {
  const version = await ctx.loaders.datasetVersion.load(versionId);
  return version ? consortiumOfDataset(ctx, version.datasetId) : null;
}

export async function consortiumOfSample(ctx: Context, sampleId: number): Promise<number | null> {
  const sample = await ctx.loaders.sample.load(sampleId);
  return sample ? consortiumOfDataset(ctx, sample.datasetId) : null;
}
