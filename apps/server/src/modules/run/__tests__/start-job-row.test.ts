// Starting (or reproducing) a run writes its Job row once, in its final state, inside the transaction
// that creates the run (@stratum/db createSelectionRun): one INSERT carrying {runId, reproduce}, no
// follow-up UPDATE (issue 15).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { PrismaClient } from "@stratum/db";
import { TestClient, seedUser, signIn, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
/** The model writes (model.operation) of each mutation's request, in order. */
let writes: string[] = [];

const dbIdOf = (globalId: string) => Number(Buffer.from(globalId, "base64url").toString().split(":")[1]);

const waitJob = (job: number, timeoutMs = 30_000) => waitJobEnd(server.store, job, timeoutMs);

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 60, slug: "jobrow" });
  const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "jobrow-curator");
  curator = await signIn(server, u.email);
  // Record every Prisma model write the app makes: createSelectionRun runs on the store's client
  // (the job system's own bookkeeping is raw SQL and is not counted).
  const store = server.store as { prisma: PrismaClient };
  store.prisma = store.prisma.$extends({
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (!/^find|^count|^aggregate|^groupBy/.test(operation)) writes.push(`${model}.${operation}`);
          return query(args);
        },
      },
    },
  }) as unknown as PrismaClient;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const jobWrites = () => writes.filter((w) => w.startsWith("Job."));

describe("the Job row of a run", () => {
  it("selectionRunStart and selectionRunReproduce each insert the run's Job row once, with its payload, and never update it in that transaction", async () => {
    writes = [];
    const start = await curator.mutate(
      graphql(`mutation StartJobRowSelectionRunStart($input: SelectionRunStartInput!) { selectionRunStart(input: $input) { run { id } job { id } errors { code message } } }`),
      { input: { datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 5, seed: 4_000_000_000 } },
    );
    expect(start.errors).toEqual([]);
    expect(start.data.selectionRunStart.errors).toEqual([]);
    const runId = dbIdOf(start.data.selectionRunStart.run.id);
    const jobId = dbIdOf(start.data.selectionRunStart.job.id);
    expect(jobWrites()).toEqual(["Job.create"]);
    expect(writes.filter((w) => w.startsWith("SelectionRun."))).toEqual(["SelectionRun.create"]);
    const run = await server.store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.jobId).toBe(jobId);
    expect((await waitJob(jobId)).status).toBe("SUCCEEDED");
    const job = await server.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.payload).toEqual({ runId, reproduce: false });

    writes = [];
    const again = await curator.mutate(
      graphql(`mutation StartJobRowSelectionRunReproduce($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } job { id } errors { code message } } }`),
      { input: { runId: start.data.selectionRunStart.run.id } },
    );
    expect(again.data.selectionRunReproduce.errors).toEqual([]);
    expect(jobWrites()).toEqual(["Job.create"]);
    expect(writes.filter((w) => w.startsWith("SelectionRun."))).toEqual(["SelectionRun.create"]);
    const childId = dbIdOf(again.data.selectionRunReproduce.run.id);
    const childJobId = dbIdOf(again.data.selectionRunReproduce.job.id);
    expect((await waitJob(childJobId)).status).toBe("SUCCEEDED");
    const childJob = await server.store.prisma.job.findUniqueOrThrow({ where: { id: childJobId } });
    expect(childJob.payload).toEqual({ runId: childId, reproduce: true });
    const child = await server.store.prisma.selectionRun.findUniqueOrThrow({ where: { id: childId } });
    const parent = await server.store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(child.manifestHash).toBe(parent.manifestHash);
  }, 60_000);
});
