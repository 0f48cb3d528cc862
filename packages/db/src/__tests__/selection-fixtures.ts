// A small stored dataset for the selection and review write tests: consortium, project, dataset, one
// version of `n` samples (labels a/b alternating, two sites) and a user, written straight to the store.
import { canonicalJson, sampleContentHash, versionContentHash, type Store } from "../index.js";

export interface SelectionFixture {
  consortiumId: number;
  userId: number;
  datasetId: number;
  versionId: number;
  sampleIds: number[];
  labels: string[];
}

export async function seedSelectionFixture(store: Store, slug: string, n = 12): Promise<SelectionFixture> {
  const one = async (text: string, params: unknown[] = []) => (await store.sql.query<{ id: number }>(text, params)).rows[0]!.id;
  const consortiumId = await one(`INSERT INTO "Consortium" (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
  const userId = await one(`INSERT INTO "User" (email, name) VALUES ($1, 'Curator') RETURNING id`, [`${slug}@example.test`]);
  const projectId = await one(`INSERT INTO "Project" ("consortiumId", slug, name) VALUES ($1, 'p', 'P') RETURNING id`, [consortiumId]);
  const datasetId = await one(`INSERT INTO "Dataset" ("projectId", name) VALUES ($1, 'd') RETURNING id`, [projectId]);
  const siteIds = [
    await one(`INSERT INTO "Site" ("consortiumId", code, name) VALUES ($1, 'north', 'North') RETURNING id`, [consortiumId]),
    await one(`INSERT INTO "Site" ("consortiumId", code, name) VALUES ($1, 'south', 'South') RETURNING id`, [consortiumId]),
  ];
  const sampleIds: number[] = [];
  const labels: string[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 ? "b" : "a";
    const site = i % 3 ? "north" : "south";
    const metadataJson = canonicalJson({ age: String(40 + i) });
    const contentHash = sampleContentHash({ externalId: `s${i}`, uri: `file:s${i}.png`, label, site, metadataJson, sha256: null });
    sampleIds.push(
      await one(
        `INSERT INTO "Sample" ("datasetId", "externalId", uri, label, "siteId", metadata, "contentHash") VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING id`,
        [datasetId, `s${i}`, `file:s${i}.png`, label, siteIds[site === "north" ? 0 : 1], metadataJson, contentHash],
      ),
    );
    labels.push(label);
    hashes.push(contentHash);
  }
  const versionId = await one(
    `INSERT INTO "DatasetVersion" ("datasetId", number, message, "contentHash", "sampleCount", "authorId") VALUES ($1, 1, 'first', $2, $3, $4) RETURNING id`,
    [datasetId, versionContentHash(hashes), n, userId],
  );
  await store.sql.query(`INSERT INTO "DatasetVersionSample" ("versionId", "sampleId", position) SELECT $1, u.id, u.pos - 1 FROM unnest($2::int[]) WITH ORDINALITY AS u(id, pos)`, [
    versionId,
    sampleIds,
  ]);
  return { consortiumId, userId, datasetId, versionId, sampleIds, labels };
}

/** A QUEUED run of the fixture's version, written directly (as a test's starting point). */
export async function insertRun(store: Store, f: SelectionFixture): Promise<number> {
  const r = await store.sql.query<{ id: number }>(
    `INSERT INTO "SelectionRun" ("datasetVersionId", strategy, params, seed, "budgetPerClass", "createdById") VALUES ($1, 'random', '{}', 7, 2, $2) RETURNING id`,
    [f.versionId, f.userId],
  );
  return r.rows[0]!.id;
}

export const HASH = (c: string) => `sha256:${c.repeat(64)}`;
