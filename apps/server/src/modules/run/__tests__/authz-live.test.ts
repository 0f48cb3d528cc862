// The authorization matrix for the jobs/curation mutations (same pattern as src/__tests__/authz.test.ts):
// every mutation × CURATOR, REVIEWER, VIEWER, a viewer-role token of a curator, another consortium's
// owner and an anonymous caller. Allowed calls succeed and are audited; denied calls get FORBIDDEN /
// NOT_FOUND / UNAUTHENTICATED and change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "@apollo/client";
import type { Role } from "@stratum/db";
import { TestClient, seedToken, seedUser, signIn, type PayloadErrors } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../../test/fixtures.js";

// Callers below CURATOR everywhere may not upload (403): they name an upload that does not exist, and
// the mutation's own role check answers first, as it would for a stolen upload id.
const NO_UPLOAD = { json: { id: "00000000-0000-4000-8000-000000000000" } };
const uploaded = (r: { status: number; json: { id: string } }) => (r.status === 201 ? r : NO_UPLOAD);

type Caller = "CURATOR" | "REVIEWER" | "VIEWER" | "CURATOR_VIEWER_TOKEN" | "OTHER_OWNER" | "ANONYMOUS";
const CALLERS: Caller[] = ["CURATOR", "REVIEWER", "VIEWER", "CURATOR_VIEWER_TOKEN", "OTHER_OWNER", "ANONYMOUS"];
const RANK: Record<Role, number> = { VIEWER: 1, REVIEWER: 2, CURATOR: 3, OWNER: 4 };
const ROLE_OF: Partial<Record<Caller, Role>> = { CURATOR: "CURATOR", REVIEWER: "REVIEWER", VIEWER: "VIEWER", CURATOR_VIEWER_TOKEN: "VIEWER" };

let server: LiveServer;
let seeded: SeededDataset;
const clients = {} as Record<Caller, TestClient>;

async function succeededRun(): Promise<number> {
  const { runId, jobId } = await createSelectRun(server.store, seeded, { strategy: "random", perClass: 3, seed: runSeed++ });
  await server.runtime.jobs.queue.enqueue(jobId);
  await until(async () => ["SUCCEEDED", "FAILED"].includes((await server.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status));
  return runId;
}

async function until(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until every job the API enqueued has ended (fixture jobs, never enqueued, stay QUEUED on purpose). */
async function settle(): Promise<void> {
  await until(async () => (await server.store.prisma.job.count({ where: { status: { in: ["QUEUED", "RUNNING"] }, NOT: { createdById: seeded.userId } } })) === 0);
}
let runSeed = 100;

async function group(): Promise<number> {
  const a = await server.store.prisma.confounderAnalysis.create({
    data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED" },
  });
  return (await server.store.prisma.confounderGroup.create({ data: { analysisId: a.id, label: "normal", index: 0, size: 1 } })).id;
}

async function snapshot() {
  const r = await server.store.sql.query<{ t: string }>(
    `SELECT concat_ws('|', (SELECT count(*) FROM "SelectionRun"), (SELECT count(*) FROM "Job"), (SELECT count(*) FROM "AuditEvent"),
       (SELECT count(*) FROM "ReviewDecision"), (SELECT count(*) FROM "DatasetVersion"), (SELECT count(*) FROM "Evaluation"),
       (SELECT count(*) FROM "ConfounderAnalysis"), (SELECT count(*) FROM "EmbeddingSet"),
       (SELECT string_agg(concat(id, verdict, name), ',' ORDER BY id) FROM "ConfounderGroup"),
       (SELECT string_agg(concat(status, "cancelRequested"), ',' ORDER BY id) FROM "Job" WHERE status IN ('QUEUED', 'CANCELLED')),
       (SELECT sum("reviewVersion") FROM "SelectionItem")) AS t`,
  );
  return r.rows[0]!.t;
}

interface Case {
  mutation: string;
  input: string;
  minRole: Role;
  /** The input for this caller (uploads belong to whoever sent them). */
  prepare: (caller: Caller) => Promise<Record<string, unknown>>;
}

let importSeq = 0;

const CASES: Case[] = [
  {
    mutation: "datasetImportStart",
    input: "DatasetImportInput",
    minRole: "CURATOR",
    prepare: async (caller) => {
      const n = ++importSeq;
      const up =
        caller === "ANONYMOUS" ? NO_UPLOAD : uploaded(await clients[caller].upload("m.csv", `id,label\nimp-${n}-a,x\nimp-${n}-b,y\n`));
      return { projectId: gid("Project", seeded.projectId), datasetName: `imported-${n}`, manifestUploadId: up.json.id };
    },
  },
  {
    mutation: "selectionRunStart",
    input: "SelectionRunStartInput",
    minRole: "CURATOR",
    prepare: async () => ({ datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 2 }),
  },
  { mutation: "selectionRunReproduce", input: "SelectionRunRefInput", minRole: "CURATOR", prepare: async () => ({ runId: gid("SelectionRun", await succeededRun()) }) },
  {
    mutation: "selectionRunCancel",
    input: "SelectionRunRefInput",
    minRole: "CURATOR",
    prepare: async () => ({ runId: gid("SelectionRun", (await createSelectRun(server.store, seeded, { strategy: "random", perClass: 2 })).runId) }),
  },
  {
    mutation: "analysisStart",
    input: "AnalysisStartInput",
    minRole: "CURATOR",
    prepare: async () => ({ datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId), params: { reduce: "PCA" } }),
  },
  { mutation: "confounderGroupSetVerdict", input: "ConfounderGroupSetVerdictInput", minRole: "CURATOR", prepare: async () => ({ groupId: gid("ConfounderGroup", await group()), verdict: "CONFIRMED" }) },
  { mutation: "confounderGroupRename", input: "ConfounderGroupRenameInput", minRole: "CURATOR", prepare: async () => ({ groupId: gid("ConfounderGroup", await group()), name: "site A" }) },
  {
    mutation: "reviewDecide",
    input: "ReviewDecideInput",
    minRole: "REVIEWER",
    prepare: async () => {
      const runId = await succeededRun();
      const item = await server.store.prisma.selectionItem.findFirstOrThrow({ where: { runId } });
      return { runId: gid("SelectionRun", runId), sampleId: gid("Sample", item.sampleId), decision: "ACCEPT", expectedVersion: 0 };
    },
  },
  {
    mutation: "reviewFinalize",
    input: "ReviewFinalizeInput",
    minRole: "CURATOR",
    prepare: async () => {
      const runId = await succeededRun();
      await server.store.sql.query(`UPDATE "SelectionItem" SET "reviewDecision" = 'ACCEPT' WHERE "runId" = $1`, [runId]);
      return { runId: gid("SelectionRun", runId) };
    },
  },
  { mutation: "evaluationReport", input: "EvaluationReportInput", minRole: "CURATOR", prepare: async () => ({ runId: gid("SelectionRun", await succeededRun()), metric: "acc", value: 0.5 }) },
  {
    mutation: "jobCancel",
    input: "JobCancelInput",
    minRole: "CURATOR",
    // A queued job nobody runs (created by the seed user, so settle() does not wait for it).
    prepare: async () => ({
      jobId: gid("Job", (await server.store.prisma.job.create({ data: { consortiumId: seeded.consortiumId, kind: "IMPORT", createdById: seeded.userId } })).id),
    }),
  },
  { mutation: "evaluationProbeRun", input: "EvaluationProbeRunInput", minRole: "CURATOR", prepare: async () => ({ runId: gid("SelectionRun", await succeededRun()) }) },
];

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 40, slug: "authz-live-a" });
  const other = await seedDataset(server.store, { n: 10, slug: "authz-live-b" });
  for (const role of ["CURATOR", "REVIEWER", "VIEWER"] as const) {
    const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role }], role.toLowerCase());
    clients[role] = await signIn(server, u.email);
    if (role === "CURATOR") clients.CURATOR_VIEWER_TOKEN = new TestClient(server, (await seedToken(server.store, u.id, seeded.consortiumId, "VIEWER")).secret);
  }
  const o = await seedUser(server.store, [{ consortiumId: other.consortiumId, role: "OWNER" }], "other");
  clients.OTHER_OWNER = await signIn(server, o.email);
  clients.ANONYMOUS = new TestClient(server);
}, 60_000);
afterAll(async () => {
  if (server) await settle();
  await server?.close();
});

describe("authorization matrix (jobs, analyses, runs, reviews, evaluations)", () => {
  for (const c of CASES) {
    it(`${c.mutation}: allowed from ${c.minRole} up; everyone else is refused and nothing changes`, async () => {
      const doc = gql(`mutation ($input: ${c.input}!) { ${c.mutation}(input: $input) { errors { code field message } } }`);
      for (const caller of CALLERS) {
        const input = await c.prepare(caller);
        await settle();
        const before = await snapshot();
        const r = await clients[caller].mutate<Record<string, PayloadErrors>>(doc, { input });
        const role = ROLE_OF[caller];
        const allowed = role !== undefined && RANK[role] >= RANK[c.minRole];
        if (allowed) {
          expect(r.errors, `${caller}`).toEqual([]);
          expect(r.data[c.mutation]?.errors, `${caller}`).toEqual([]);
          const audit = await server.store.prisma.auditEvent.findFirst({ where: { action: c.mutation }, orderBy: { id: "desc" } });
          expect(audit, `${caller} audited`).not.toBeNull();
          continue;
        }
        if (caller === "ANONYMOUS") {
          const code = r.errors[0]?.extensions?.code ?? r.data?.[c.mutation]?.errors?.[0]?.code;
          expect(["UNAUTHENTICATED", "UNAUTHORIZED", "FORBIDDEN"], `${caller}: ${JSON.stringify(r)}`).toContain(code);
        } else {
          expect(r.errors, `${caller}`).toEqual([]);
          expect(r.data[c.mutation]?.errors[0]?.code, `${caller}`).toBe(caller === "OTHER_OWNER" ? "NOT_FOUND" : "FORBIDDEN");
        }
        await settle();
        expect(await snapshot(), `${caller} changed nothing`).toBe(before);
      }
    });
  }
});
