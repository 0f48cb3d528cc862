// Seeds a demo consortium on an empty database, so `npm install && npm start` shows real data at once:
// real chest X-rays with three simulated acquisition sites, four accounts (one per role), the demo
// encoder registered, and an embedding job queued for the training pool. Nothing is seeded when any
// consortium exists. Passwords are random unless STRATUM_DEMO_PASSWORD is set (the e2e suite sets it).
import { readFile } from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { createEmbeddingSetJobs, importDataset, type Store, type Role } from "@stratum/db";
import { registerModel, demoModelPath } from "@stratum/embed";
import { hashPassword, randomPassword } from "../auth/password.js";
import { readNpz } from "@stratum/formats";
import { DEMO_NPZ, DEMO_SITES, writeDemoSplit } from "./demo-files.js";
import { consortiumDir } from "../storage/resolve-uri.js";

export const DEMO_CONSORTIUM = "demo";
export const DEMO_PROJECT = "pneumonia";
export const DEMO_POOL_DATASET = "chest-xray-pool";
export const DEMO_TEST_DATASET = "chest-xray-test";

export interface DemoAccount {
  email: string;
  password: string;
  role: Role;
  siteCode?: string;
}

export interface DemoSeed {
  accounts: DemoAccount[];
  consortiumId: number;
  poolVersionId: number;
  testVersionId: number;
  modelId: number;
}

export interface SeedOptions {
  /** The server's files folder: the demo's PNGs and manifests go to <filesDir>/consortia/demo/demo. */
  filesDir: string;
  /** One password for every account (tests, e2e); random per account otherwise. */
  password?: string;
  log?: (line: string) => void;
}

/** Returns null when the database already has a consortium. */
export async function seedDemoIfEmpty(store: Store, options: SeedOptions): Promise<DemoSeed | null> {
  if ((await store.prisma.consortium.count()) > 0) return null;
  const log = options.log ?? (() => {});
  const filesDir = options.filesDir === "memory://" ? path.join(os.tmpdir(), "stratum-demo") : options.filesDir;
  log("seeding the demo consortium from PneumoniaMNIST (real chest X-rays, simulated sites)…");
  const arrays = await readNpz(DEMO_NPZ); // read once for both splits
  // Under the demo consortium's own folder, with paths relative to it: the image route and the
  // embedding job read them there (storage/resolve-uri.ts), and no operator grant is needed.
  const root = consortiumDir({ filesDir, uploadDir: "", storageGrants: {} }, DEMO_CONSORTIUM);
  const pool = await writeDemoSplit(path.join(root, "demo"), "train", { arrays, relativeTo: root });
  const test = await writeDemoSplit(path.join(root, "demo"), "test", { arrays, relativeTo: root });

  const roles: Omit<DemoAccount, "password">[] = [
    { email: "owner@demo.stratum", role: "OWNER" },
    { email: "curator@demo.stratum", role: "CURATOR" },
    { email: "reviewer@demo.stratum", role: "REVIEWER" },
    { email: "viewer@demo.stratum", role: "VIEWER" },
    { email: "site-b@demo.stratum", role: "REVIEWER", siteCode: "B" },
  ];
  const accounts: DemoAccount[] = roles.map((a) => ({ ...a, password: options.password ?? randomPassword() }));
  // Hashed before the transaction: at scrypt N = 2^17 five hashes can outlast Prisma's 5 s transaction
  // timeout on a loaded machine (P2028).
  const hashes = await Promise.all(accounts.map((a) => hashPassword(a.password)));

  const consortium = await store.prisma.$transaction(async (tx) => {
    const c = await tx.consortium.create({
      data: { slug: DEMO_CONSORTIUM, name: "Paediatric Chest X-ray Consortium (demo)" },
    });
    const sites = new Map<string, number>();
    for (const site of DEMO_SITES) {
      const s = await tx.site.create({ data: { consortiumId: c.id, code: site.code, name: site.name } });
      sites.set(site.code, s.id);
    }
    for (const [k, account] of accounts.entries()) {
      const user = await tx.user.create({
        data: {
          email: account.email,
          name: account.email.split("@")[0]!.replace(/^./, (ch) => ch.toUpperCase()),
          passwordHash: hashes[k]!,
        },
      });
      await tx.membership.create({
        data: {
          userId: user.id,
          consortiumId: c.id,
          role: account.role,
          siteId: account.siteCode ? sites.get(account.siteCode)! : null,
        },
      });
    }
    await tx.project.create({
      data: {
        consortiumId: c.id,
        slug: DEMO_PROJECT,
        name: "Pneumonia detection",
        description: "Choose which paediatric chest X-rays to annotate for fine-tuning, without learning the scanner.",
      },
    });
    return c;
  });
  const owner = await store.prisma.user.findUniqueOrThrow({ where: { email: "owner@demo.stratum" } });

  const poolImport = await importDataset(store, {
    consortium: consortium.id,
    project: DEMO_PROJECT,
    dataset: DEMO_POOL_DATASET,
    manifestPath: pool.manifestPath,
    message: "Training pool from PneumoniaMNIST with three simulated acquisition sites (site tied to label)",
    authorId: owner.id,
  });
  const testImport = await importDataset(store, {
    consortium: consortium.id,
    project: DEMO_PROJECT,
    dataset: DEMO_TEST_DATASET,
    manifestPath: test.manifestPath,
    message: "Test split from PneumoniaMNIST; sites independent of label",
    authorId: owner.id,
  });

  const demo = demoModelPath("demo-cnn");
  const config: unknown = JSON.parse(await readFile(demo.config, "utf8"));
  const registered = await registerModel(demo.model, config);
  const model = await store.prisma.embeddingModel.create({
    data: {
      consortiumId: consortium.id,
      name: registered.config.name,
      version: registered.config.version,
      kind: "ONNX",
      sha256: registered.sha256,
      filePath: demo.model,
      dim: registered.dim,
      config: registered.config as object,
      description: registered.label,
    },
  });
  log(`demo: ${pool.count} pool + ${test.count} test images, model ${registered.label}`);
  return {
    accounts,
    consortiumId: consortium.id,
    poolVersionId: poolImport.version.id,
    testVersionId: testImport.version.id,
    modelId: model.id,
  };
}

/** The sign-in lines printed at start. */
export function describeAccounts(seed: DemoSeed, webOrigin: string): string {
  const width = Math.max(...seed.accounts.map((a) => a.email.length));
  return [
    `Demo consortium ready. Sign in at ${webOrigin} with:`,
    ...seed.accounts.map(
      (a) => `  ${a.email.padEnd(width)}  ${a.password}  (${a.role}${a.siteCode ? `, site ${a.siteCode} only` : ""})`,
    ),
  ].join("\n");
}

/**
 * Queues the demo encoder over both demo versions, through the same job the embeddingSetStart mutation
 * uses, so the first start shows a live embedding job. Returns the job ids to enqueue after commit.
 */
export async function queueDemoEmbeddings(store: Store, seed: DemoSeed): Promise<number[]> {
  const model = await store.prisma.embeddingModel.findUniqueOrThrow({ where: { id: seed.modelId } });
  const owner = await store.prisma.user.findUniqueOrThrow({ where: { email: seed.accounts[0]!.email } });
  const versions = await store.prisma.datasetVersion.findMany({
    where: { id: { in: [seed.poolVersionId, seed.testVersionId] } },
    orderBy: { id: "asc" },
  });
  // Both sets and their EMBED jobs in one transaction (@stratum/db).
  const queued = await createEmbeddingSetJobs(
    store,
    versions.map((version) => ({ consortiumId: seed.consortiumId, modelId: model.id, datasetVersionId: version.id, dim: model.dim, total: version.sampleCount, createdById: owner.id })),
  );
  return queued.map((q) => q.jobId);
}
