/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Starting (or reproducing) a run writes its Job row once, in its final state, inside the transaction
// that creates the run: one INSERT carrying {runId, reproduce}, no follow-up UPDATE (issue 15).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "@apollo/client";
import type { SqlClient } from "@stratum/db";
import { TestClient, seedUser, signIn, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../jobs/__tests__/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../jobs/__tests__/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
/** The statements of each committed transaction that inserted a SelectionRun. */
const creating: string[][] = [];

const dbIdOf = (globalId: string) => Number(Buffer.from(globalId, "base64url").toString().split(":")[1]);

const waitJob = (job: number, timeoutMs = 30_000) => waitJobEnd(server.store, job, timeoutMs);

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 60, slug: "jobrow" });
  const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "jobrow-curator");
  curator = await signIn(server, u.email);
  // Record every statement of every transaction (the app's store is this object).
  const original = server.store.transaction.bind(server.store);
  server.store.transaction = (fn) =>
    original(async (sql) => {
      const seen: string[] = [];
      const recording = new Proxy(sql, {
        get(target, key, receiver) {
          if (key !== "query") return Reflect.get(target, key, receiver);
          return (text: string, params?: unknown[]) => {
            seen.push(text);
            return target.query(text, params as any);
          };
        },
      }) as SqlClient;
      const out = await fn(recording);
      if (seen.some((q) => /INSERT INTO "SelectionRun"/.test(q))) creating.push(seen);
      return out;
    });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const jobStatements = (statements: string[]) => statements.filter((q) => /"Job"/.test(q));

describe("the Job row of a run", () => {
  it("selectionRunStart and selectionRunReproduce each insert the run's Job row once, with its payload, and never update it in that transaction", async () => {
    const start = await curator.mutate(
      gql`mutation ($input: SelectionRunStartInput!) { selectionRunStart(input: $input) { run { id } job { id } errors { code message } } }`,
      { input: { datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 5, seed: 4_000_000_000 } },
    );
    expect(start.errors).toEqual([]);
    expect(start.data.selectionRunStart.errors).toEqual([]);
    const runId = dbIdOf(start.data.selectionRunStart.run.id);
    const jobId = dbIdOf(start.data.selectionRunStart.job.id);
    expect(creating).toHaveLength(1);
    const [insert, ...rest] = jobStatements(creating[0]!);
    expect(insert).toMatch(/^INSERT INTO "Job"/);
    expect(rest).toEqual([]);
    const run = await server.store.prisma.selectionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.jobId).toBe(jobId);
    expect((await waitJob(jobId)).status).toBe("SUCCEEDED");
    const job = await server.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.payload).toEqual({ runId, reproduce: false });

    const again = await curator.mutate(
      gql`mutation ($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } job { id } errors { code message } } }`,
      { input: { runId: start.data.selectionRunStart.run.id } },
    );
    expect(again.data.selectionRunReproduce.errors).toEqual([]);
    expect(creating).toHaveLength(2);
    const [insert2, ...rest2] = jobStatements(creating[1]!);
    expect(insert2).toMatch(/^INSERT INTO "Job"/);
    expect(rest2).toEqual([]);
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
