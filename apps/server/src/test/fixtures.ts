// Test data for job and module tests: a consortium with a dataset version whose samples have
// embeddings in well-separated blobs (per class, `groups` sub-clusters standing in for sites).
import { createRng } from "@stratum/engine";
import type { Store } from "@stratum/db";
import { createHash } from "node:crypto";

export interface SeededDataset {
  consortiumId: number;
  userId: number;
  projectId: number;
  datasetId: number;
  versionId: number;
  modelId: number;
  setId: number;
  sampleIds: number[];
  siteIds: number[];
}

export interface SeedOptions {
  n?: number;
  dim?: number;
  classes?: string[];
  groups?: number;
  slug?: string;
  seed?: number;
}

export async function seedDataset(store: Store, options: SeedOptions = {}): Promise<SeededDataset> {
  const n = options.n ?? 120;
  const dim = options.dim ?? 8;
  const classes = options.classes ?? ["normal", "pneumonia"];
  const groups = options.groups ?? 2;
  const slug = options.slug ?? `c${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const rng = createRng(options.seed ?? 1);
  const p = store.prisma;
  const consortium = await p.consortium.create({ data: { slug, name: `Consortium ${slug}` } });
  const user = await p.user.create({ data: { email: `${slug}-owner@example.org`, name: "Owner" } });
  await p.membership.create({ data: { userId: user.id, consortiumId: consortium.id, role: "OWNER" } });
  const sites = [];
  for (let g = 0; g < groups; g++) {
    sites.push(await p.site.create({ data: { consortiumId: consortium.id, code: `S${g}`, name: `Site ${g}` } }));
  }
  const project = await p.project.create({ data: { consortiumId: consortium.id, slug: "p", name: "Project" } });
  const dataset = await p.dataset.create({ data: { projectId: project.id, name: "xray" } });
  const samples = [];
  for (let i = 0; i < n; i++) {
    const label = classes[i % classes.length] as string;
    const g = Math.floor(i / classes.length) % groups;
    const externalId = `img-${String(i).padStart(6, "0")}`;
    const uri = `s3://bucket/${externalId}.png`;
    const sha256 = createHash("sha256").update(externalId).digest("hex");
    samples.push({
      datasetId: dataset.id,
      externalId,
      uri,
      label,
      siteId: sites[g]!.id,
      metadata: { scanner: `scanner-${g}`, age: String(20 + (i % 50)) },
      sha256,
      contentHash: createHash("sha256").update(`${externalId}|${label}|${g}`).digest("hex"),
    });
  }
  await p.sample.createMany({ data: samples });
  const rows = await p.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { externalId: "asc" }, select: { id: true } });
  const sampleIds = rows.map((r) => r.id);
  const version = await p.datasetVersion.create({
    data: { datasetId: dataset.id, number: 1, message: "import", contentHash: "h", sampleCount: n, authorId: user.id },
  });
  await p.datasetVersionSample.createMany({ data: sampleIds.map((sampleId, position) => ({ versionId: version.id, sampleId, position })) });
  const model = await p.embeddingModel.create({
    data: { consortiumId: consortium.id, name: "ext", kind: "EXTERNAL", dim },
  });
  const set = await p.embeddingSet.create({
    data: { modelId: model.id, datasetVersionId: version.id, dim, status: "COMPLETE", count: n, completedAt: new Date() },
  });
  const vectors = sampleIds.map((sampleId, i) => {
    const c = i % classes.length;
    const g = Math.floor(i / classes.length) % groups;
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) v[d] = (d === c ? 10 : 0) + (d === classes.length + g ? 6 : 0) + rng.normal() * 0.3;
    return { setId: set.id, sampleId, vector: new Uint8Array(v.buffer) };
  });
  for (let i = 0; i < vectors.length; i += 2000) await p.embeddingVector.createMany({ data: vectors.slice(i, i + 2000) });
  return {
    consortiumId: consortium.id,
    userId: user.id,
    projectId: project.id,
    datasetId: dataset.id,
    versionId: version.id,
    modelId: model.id,
    setId: set.id,
    sampleIds,
    siteIds: sites.map((s) => s.id),
  };
}

/** A SelectionRun row plus its QUEUED Job row, as the run service makes them. */
export async function createSelectRun(
  store: Store,
  seeded: SeededDataset,
  params: { strategy: string; perClass: number; seed?: number; parentId?: number; analysisId?: number; extra?: Record<string, unknown> },
): Promise<{ runId: number; jobId: number }> {
  const p = store.prisma;
  const job = await p.job.create({
    data: { consortiumId: seeded.consortiumId, kind: "SELECT", payload: {}, createdById: seeded.userId },
  });
  const run = await p.selectionRun.create({
    data: {
      datasetVersionId: seeded.versionId,
      embeddingSetId: seeded.setId,
      analysisId: params.analysisId ?? null,
      parentId: params.parentId ?? null,
      strategy: params.strategy,
      params: (params.extra ?? {}) as object,
      seed: params.seed ?? 0,
      budgetPerClass: params.perClass,
      createdById: seeded.userId,
      jobId: job.id,
    },
  });
  await p.job.update({ where: { id: job.id }, data: { payload: { runId: run.id, reproduce: params.parentId !== undefined } } });
  return { runId: run.id, jobId: job.id };
}

/** A SUCCEEDED run whose items are the first `n` samples, each with the sample's own label: a run ready to review. */
export async function createReviewableRun(
  store: Store,
  seeded: SeededDataset,
  params: { n: number; perClass: number; manifestHash: string },
): Promise<number> {
  const { runId } = await createSelectRun(store, seeded, { strategy: "random", perClass: params.perClass });
  const p = store.prisma;
  await p.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: params.manifestHash } });
  const ids = seeded.sampleIds.slice(0, params.n);
  const samples = await p.sample.findMany({ where: { id: { in: ids } } });
  const labelOf = new Map(samples.map((s) => [s.id, s.label]));
  await p.selectionItem.createMany({
    data: ids.map((sampleId, i) => ({ runId, sampleId, rank: i, label: labelOf.get(sampleId)!, reason: "test" })),
  });
  return runId;
}
