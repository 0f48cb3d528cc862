import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { seedDemoIfEmpty, describeAccounts, type DemoSeed } from "./demo.js";
import { verifyPassword } from "../auth/password.js";

describe("seedDemoIfEmpty(store)", () => {
  let store: Store;
  let dir: string;
  let seed: DemoSeed | null;

  beforeAll(async () => {
    store = await openStore(await testStoreOptions());
    dir = await mkdtemp(path.join(os.tmpdir(), "stratum-seed-"));
    seed = await seedDemoIfEmpty(store, { filesDir: dir });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the real X-rays with three sites tied to label in the pool only", async () => {
    expect(seed).not.toBeNull();
    const pool = await store.prisma.datasetVersion.findUniqueOrThrow({ where: { id: seed!.poolVersionId } });
    const test = await store.prisma.datasetVersion.findUniqueOrThrow({ where: { id: seed!.testVersionId } });
    expect(pool.sampleCount).toBe(2428);
    expect(test.sampleCount).toBe(468);
    const rows = await store.sql.query<{ label: string; code: string; n: number }>(
      `SELECT s.label, site.code, count(*)::int AS n FROM "DatasetVersionSample" j
       JOIN "Sample" s ON s.id = j."sampleId" JOIN "Site" site ON site.id = s."siteId"
       WHERE j."versionId" = $1 GROUP BY 1, 2`,
      [seed!.poolVersionId],
    );
    // In the pool each label has one dominant site: the confounder the method must find.
    for (const label of ["normal", "pneumonia"]) {
      const counts = rows.rows.filter((r) => r.label === label).map((r) => r.n);
      const total = counts.reduce((a, b) => a + b, 0);
      expect(Math.max(...counts) / total).toBeGreaterThan(0.7);
    }
  });

  it("creates one account per role with a working password and registers the demo encoder", async () => {
    const roles = seed!.accounts.map((a) => a.role).sort();
    expect(roles).toEqual(["CURATOR", "OWNER", "REVIEWER", "REVIEWER", "VIEWER"]);
    const owner = await store.prisma.user.findUniqueOrThrow({ where: { email: seed!.accounts[0]!.email } });
    expect(await verifyPassword(seed!.accounts[0]!.password, owner.passwordHash)).toBe(true);
    const model = await store.prisma.embeddingModel.findUniqueOrThrow({ where: { id: seed!.modelId } });
    expect(model.dim).toBe(128);
    expect(model.description).toMatch(/not pretrained/);
    expect(describeAccounts(seed!, "http://localhost:3000")).toContain(seed!.accounts[1]!.password);
  });

  it("does nothing when a consortium already exists", async () => {
    expect(await seedDemoIfEmpty(store, { filesDir: dir })).toBeNull();
    expect(await store.prisma.consortium.count()).toBe(1);
  });
});
