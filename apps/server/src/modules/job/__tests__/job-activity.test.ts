// jobActivity (issue 15): a consortium's jobs announced as they are created and change status or
// phase, so lists of jobs follow one subscription instead of polling. A member receives CREATED with
// the Job node (id + __typename, for a normalised cache) and the status changes up to the end; a
// member of another consortium and an anonymous socket are refused (the stream completes at once,
// empty, even though the topic holds events); a member removed while subscribed stops receiving.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient, seedToken, seedUser, signIn } from "../../../test/harness.js";
import { decodeIdOrNull, toGlobalId } from "../../../graphql/ids.js";
import { collect, cookieOf, startLiveServer, wsClient, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";

interface ActivityEvent {
  jobActivity: {
    seq: number;
    kind: "CREATED" | "UPDATED";
    jobId: string;
    status: string;
    job: { __typename: "Job"; id: string; kind: string; status: string } | null;
  };
}

const ACTIVITY = `subscription ($consortiumId: ID!, $afterSeq: Int) {
  jobActivity(consortiumId: $consortiumId, afterSeq: $afterSeq) { seq kind jobId status job { __typename id kind status } }
}`;
const START = `mutation ($input: SelectionRunStartInput!) { selectionRunStart(input: $input) { job { id } errors { code field message } } }`;

let live: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
let memberCookie = "";
let memberId = 0;
let strangerCookie = "";
let strangerToken = "";
let consortiumGid = "";

// The consortium has no other job: the first end seen is this test's job (its id is known only once
// the mutation answers, which may be after the job has ended).
const ended = (all: ActivityEvent[]) => all.some((e) => ["SUCCEEDED", "FAILED"].includes(e.jobActivity.status));

async function startRun(): Promise<string> {
  const r = await curator.raw({
    query: START,
    variables: { input: { datasetVersionId: toGlobalId("DatasetVersion", seeded.versionId), embeddingSetId: toGlobalId("EmbeddingSet", seeded.setId), strategy: "RANDOM", perClass: 2 } },
  });
  const payload = (r.json as { data: { selectionRunStart: { job: { id: string } | null; errors: unknown[] } } }).data.selectionRunStart;
  expect(payload.errors).toEqual([]);
  return payload.job!.id;
}

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 24, slug: "job-activity-a" });
  const other = await seedDataset(live.store, { n: 6, slug: "job-activity-b" });
  consortiumGid = toGlobalId("Consortium", seeded.consortiumId);
  const c = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "activity-curator");
  curator = await signIn(live, c.email);
  const m = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "activity-member");
  memberId = m.id;
  memberCookie = cookieOf(await signIn(live, m.email));
  const s = await seedUser(live.store, [{ consortiumId: other.consortiumId, role: "OWNER" }], "activity-stranger");
  strangerCookie = cookieOf(await signIn(live, s.email));
  strangerToken = (await seedToken(live.store, s.id, other.consortiumId, "OWNER")).secret;
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe("jobActivity", () => {
  it("a member hears of a new job (CREATED, with the Job node) and of its status changes up to its end", async () => {
    const ws = wsClient(live, { cookie: memberCookie });
    const got = collect<ActivityEvent>(ws, ACTIVITY, { consortiumId: consortiumGid }, ended);
    await new Promise((r) => setTimeout(r, 300)); // let the live subscription register
    const jobId = await startRun();
    const { events, errors } = await got;
    await ws.dispose();
    expect(errors).toEqual([]);
    expect(ended(events)).toBe(true); // not a timeout
    const mine = events.map((e) => e.jobActivity).filter((e) => e.jobId === jobId);
    expect(mine[0]).toMatchObject({ kind: "CREATED", status: "QUEUED", job: { __typename: "Job", id: jobId, kind: "SELECT" } });
    expect(mine.slice(1).every((e) => e.kind === "UPDATED")).toBe(true);
    expect(mine.map((e) => e.status)).toContain("RUNNING");
    expect(mine.at(-1)).toMatchObject({ status: "SUCCEEDED", job: { id: jobId, status: "SUCCEEDED" } });
    const seqs = mine.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // status or phase changes only, not every progress step
    const row = await live.store.prisma.job.findUniqueOrThrow({ where: { id: decodeIdOrNull(jobId, "Job")! } });
    expect(row.status).toBe("SUCCEEDED");
    expect(mine.length).toBeLessThan(12);
  });

  it("resumes from afterSeq: stored events of the topic come first", async () => {
    const ws = wsClient(live, { cookie: memberCookie });
    const replay = await collect<ActivityEvent>(ws, ACTIVITY, { consortiumId: consortiumGid, afterSeq: 0 }, (all) => all.some((e) => e.jobActivity.kind === "CREATED"));
    await ws.dispose();
    expect(replay.errors).toEqual([]);
    expect(replay.events[0]?.jobActivity).toMatchObject({ kind: "CREATED", job: { __typename: "Job" } });
  });

  it("a member of another consortium (cookie or token) and an anonymous socket are refused: the stream completes at once, empty", async () => {
    for (const auth of [{ cookie: strangerCookie }, { token: strangerToken }, {}]) {
      const ws = wsClient(live, auth);
      // afterSeq 0 asks for the topic's whole history, which holds events: refusal, not an empty topic
      const r = await collect<ActivityEvent>(ws, ACTIVITY, { consortiumId: consortiumGid, afterSeq: 0 }, () => false, 5_000);
      await ws.dispose();
      expect(r, JSON.stringify(auth)).toEqual({ events: [], errors: [], completed: true });
    }
  });

  it("a member removed while subscribed stops receiving: the stream completes", async () => {
    const ws = wsClient(live, { cookie: memberCookie });
    const got = collect<ActivityEvent>(ws, ACTIVITY, { consortiumId: consortiumGid }, () => false, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await live.store.prisma.membership.deleteMany({ where: { userId: memberId, consortiumId: seeded.consortiumId } });
    const r = await got;
    await ws.dispose();
    expect(r.completed).toBe(true);
    expect(r.events).toEqual([]);
  });
});

