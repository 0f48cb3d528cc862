// Shard jobs (Job rows with parentId, jobs/shards.ts) stay out of what a user follows unless asked:
// Consortium.jobs lists top-level jobs (a parent's `shards` field lists its own), jobActivity leaves shard
// announcements out, and jobProgress drops the per-shard list (partial.shards) from a parent's events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient, seedUser, signIn } from "../../../test/harness.js";
import { toGlobalId } from "../../../graphql/ids.js";
import { collect, cookieOf, startLiveServer, wsClient, type LiveServer } from "../../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../../test/fixtures.js";
import { topics } from "../../../events/index.js";
import { announceJob } from "../../../jobs/announce.js";
import type { JobEvent } from "../../../jobs/index.js";

let live: LiveServer;
let seeded: SeededDataset;
let viewer: TestClient;
let cookie = "";
let consortiumGid = "";
let parentId = 0;
const shardIds: number[] = [];

const LIST = `query ($id: ID!, $shards: Boolean) {
  consortium(id: $id) { jobs(first: 10, shards: $shards) { totalCount nodes { id done total parent { id } shards { id status done total } } } }
}`;
type ListData = { consortium: { jobs: { totalCount: number; nodes: { id: string; done: number; total: number; parent: { id: string } | null; shards: { id: string; status: string; done: number; total: number }[] }[] } } };

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 6, slug: "job-shards" });
  consortiumGid = toGlobalId("Consortium", seeded.consortiumId);
  const u = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "shards-viewer");
  viewer = await signIn(live, u.email);
  cookie = cookieOf(viewer);
  // A parent in the middle of its shards, as jobs/shards.ts leaves it: its row holds their sum.
  const p = live.store.prisma;
  const parent = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "EMBED", status: "RUNNING", phase: "embedding", done: 140, total: 300 } });
  parentId = parent.id;
  for (const [status, done] of [["SUCCEEDED", 100], ["RUNNING", 40], ["QUEUED", 0]] as const) {
    const s = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "EMBED", status, done, total: 100, parentId, payload: { shard: `s${done}` } } });
    shardIds.push(s.id);
  }
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe("shard jobs in the API", () => {
  it("Consortium.jobs lists top-level jobs only; a parent's shards field lists its shards; shards: true lists them all", async () => {
    const top = await viewer.raw<{ data: ListData }>({ query: LIST, variables: { id: consortiumGid } });
    const jobs = top.json.data.consortium.jobs;
    expect(jobs.totalCount).toBe(1);
    expect(jobs.nodes).toEqual([
      {
        id: toGlobalId("Job", parentId),
        done: 140,
        total: 300,
        parent: null,
        shards: shardIds.map((id, i) => ({ id: toGlobalId("Job", id), status: ["SUCCEEDED", "RUNNING", "QUEUED"][i], done: [100, 40, 0][i], total: 100 })),
      },
    ]);
    const all = (await viewer.raw<{ data: ListData }>({ query: LIST, variables: { id: consortiumGid, shards: true } })).json.data.consortium.jobs;
    expect(all.totalCount).toBe(4);
    const shard = all.nodes.find((n) => n.id === toGlobalId("Job", shardIds[1]!));
    expect(shard).toMatchObject({ parent: { id: toGlobalId("Job", parentId) }, shards: [] });
  });

  it("jobActivity leaves shard announcements out unless shards: true", async () => {
    const QUERY = `subscription ($c: ID!, $shards: Boolean) { jobActivity(consortiumId: $c, shards: $shards) { jobId status } }`;
    const announce = async () => {
      await new Promise((r) => setTimeout(r, 300)); // let the subscription register
      const bus = live.runtime.bus;
      await announceJob(bus, { jobId: shardIds[1]!, consortiumId: seeded.consortiumId, kind: "UPDATED", status: "SUCCEEDED", parentId });
      await announceJob(bus, { jobId: parentId, consortiumId: seeded.consortiumId, kind: "UPDATED", status: "RUNNING", parentId: null });
    };
    type Ev = { jobActivity: { jobId: string; status: string } };
    for (const shards of [false, true]) {
      const ws = wsClient(live, { cookie });
      const got = collect<Ev>(ws, QUERY, { c: consortiumGid, shards }, (all) => all.some((e) => e.jobActivity.jobId === toGlobalId("Job", parentId)), 10_000);
      await announce();
      const r = await got;
      await ws.dispose();
      expect(r.errors).toEqual([]);
      const ids = r.events.map((e) => e.jobActivity.jobId);
      expect(ids, `shards: ${shards}`).toEqual(shards ? [toGlobalId("Job", shardIds[1]!), toGlobalId("Job", parentId)] : [toGlobalId("Job", parentId)]);
    }
  });

  it("jobProgress keeps a parent's summed progress and drops the per-shard list unless shards: true", async () => {
    const event: JobEvent = {
      jobId: parentId, consortiumId: seeded.consortiumId, kind: "EMBED", status: "RUNNING", phase: "embedding", done: 140, total: 300, rate: 0, etaSeconds: null,
      attempt: 1, error: null, partial: { shards: [{ key: "s0", status: "SUCCEEDED" }], shardsDone: 1, shardCount: 3 }, result: null, final: false,
    };
    await live.runtime.bus.publish(topics.job(parentId), event);
    const QUERY = `subscription ($j: ID!, $shards: Boolean) { jobProgress(jobId: $j, afterSeq: 0, shards: $shards) { done total partial } }`;
    type Ev = { jobProgress: { done: number; total: number; partial: Record<string, unknown> | null } };
    for (const shards of [false, true]) {
      const ws = wsClient(live, { cookie });
      const r = await collect<Ev>(ws, QUERY, { j: toGlobalId("Job", parentId), shards }, (all) => all.length >= 1, 10_000);
      await ws.dispose();
      expect(r.errors).toEqual([]);
      const first = r.events[0]!.jobProgress;
      expect(first).toMatchObject({ done: 140, total: 300, partial: { shardsDone: 1, shardCount: 3 } });
      expect("shards" in (first.partial ?? {}), `shards: ${shards}`).toBe(shards);
    }
  });
});
