/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Attacks on query cost and the graphql-ws transport, from outside, against running servers (issue 12,
// findings 5, 6 and the compareRuns / CSV parts of 8). Each test asserts the denial; PGlite by default,
// PostgreSQL with DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { seedToken, seedUser, startTestServer, TestClient, type TestServer } from "../../test/harness.js";
import { toGlobalId } from "../../graphql/ids.js";
import { startLiveServer, wsClient, type LiveServer } from "../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../test/fixtures.js";

let live: LiveServer;
let seeded: SeededDataset;
let runA: number;
let runB: number;
let viewerToken: string;

/** One operation over a fresh graphql-ws socket: the result, or { error } (GraphQL errors or a close event). */
function overWs(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
  return new Promise((resolve) => {
    let result: unknown;
    client.subscribe(
      { query, variables },
      {
        next: (v) => (result = v),
        error: (error) => {
          void client.dispose();
          resolve({ error });
        },
        complete: () => {
          void client.dispose();
          resolve(result);
        },
      },
    );
  });
}

/** A SUCCEEDED run over the first `n` samples, each item labelled as the sample's own label. */
async function succeededRun(n: number): Promise<number> {
  const { runId } = await createSelectRun(live.store, seeded, { strategy: "random", perClass: n });
  const p = live.store.prisma;
  await p.selectionRun.update({ where: { id: runId }, data: { status: "SUCCEEDED", manifestHash: "f".repeat(64) } });
  await p.selectionItem.createMany({
    data: seeded.sampleIds.slice(0, n).map((sampleId, i) => ({ runId, sampleId, rank: i + 1, label: "normal", reason: "test" })),
  });
  return runId;
}

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 40, groups: 1, slug: "cost-a" });
  runA = await succeededRun(5);
  runB = await succeededRun(5);
  // 40 evaluations per run: the fan-out that made run.evaluations ↔ evaluation.run return 64,000 objects.
  for (const runId of [runA, runB]) {
    await live.store.prisma.evaluation.createMany({
      data: Array.from({ length: 40 }, (_, i) => ({ runId, metric: `m${i}`, value: i, source: "REPORTED" as const })),
    });
  }
  const { id } = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "cost");
  viewerToken = (await seedToken(live.store, id, seeded.consortiumId, "VIEWER")).secret;
}, 120_000);

afterAll(async () => {
  await live?.close();
});

// 26 levels: __schema > types > fields > type > 21 × ofType > name (the limit is 15).
const DEEP_INTROSPECTION = `{ __schema { types { fields { type { ${"ofType { ".repeat(21)} name ${"} ".repeat(21)} } } } } }`;
const FAN_OUT = `query ($id: ID!) { selectionRun(id: $id) { evaluations { run { evaluations { run { evaluations { run { id } } } } } } } }`;

describe("finding 5: query cost over HTTP", () => {
  it("a 26-level introspection query is refused as QUERY_TOO_DEEP (introspection fields count)", async () => {
    const client = new TestClient(live, viewerToken);
    const r = await client.raw<any>({ query: DEEP_INTROSPECTION });
    expect(r.status).toBe(400);
    expect(r.json.data).toBeUndefined();
    expect(r.json.errors[0].extensions).toMatchObject({ code: "QUERY_TOO_DEEP", depth: 26, maxDepth: 15 });
  });

  it("the depth-7 evaluations ↔ run fan-out is refused as QUERY_TOO_COMPLEX (plain lists multiply)", async () => {
    const client = new TestClient(live, viewerToken);
    const r = await client.raw<any>({ query: FAN_OUT, variables: { id: toGlobalId("SelectionRun", runA) } });
    expect(r.status).toBe(400);
    expect(r.json.data).toBeUndefined();
    expect(r.json.errors[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", maxComplexity: 50_000 });
    // One level of the same list is an ordinary query and still answers.
    const ok = await client.raw<any>({ query: `query ($id: ID!) { selectionRun(id: $id) { evaluations { metric run { id } } } }`, variables: { id: toGlobalId("SelectionRun", runA) } });
    expect(ok.status).toBe(200);
    expect(ok.json.data.selectionRun.evaluations).toHaveLength(40);
  });
});

describe("finding 6: graphql-ws has the same limits", () => {
  it("refuses the deep introspection and the fan-out on the socket with the same typed errors", async () => {
    const deep = await overWs(live.wsUrl, viewerToken, DEEP_INTROSPECTION);
    expect(deep.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_DEEP", depth: 26 }) })]);
    const fan = await overWs(live.wsUrl, viewerToken, FAN_OUT, { id: toGlobalId("SelectionRun", runA) });
    expect(fan.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_COMPLEX" }) })]);
  });

  it("a 3 MiB frame closes the socket (frames are capped at 2 MiB like HTTP bodies)", async () => {
    const socket = new WebSocket(live.wsUrl, "graphql-transport-ws");
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${viewerToken}` } }));
    await new Promise<void>((resolve) => socket.once("message", () => resolve())); // connection_ack
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: `{ viewer { authenticatedWith } } #${"x".repeat(3 * 1024 * 1024)}` } }));
    expect(await closed).toBe(1009); // Message Too Big
  });

  it("a revoked member's and a revoked token's subscriptions complete within a second, with no event", async () => {
    const p = live.store.prisma;
    const member = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "revoked");
    const memberToken = await seedToken(live.store, member.id, seeded.consortiumId, "VIEWER");
    const other = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "revoked-token");
    const otherToken = await seedToken(live.store, other.id, seeded.consortiumId, "VIEWER");
    const SUB = `subscription ($runId: ID!) { reviewActivity(runId: $runId) { kind seq } }`;
    const watch = (token: string) => {
      const client = wsClient(live, { token });
      let firstEvent!: () => void;
      const started = new Promise<void>((r) => (firstEvent = r));
      const ended = new Promise<{ at: number; how: string }>((resolve) => {
        client.subscribe(
          { query: SUB, variables: { runId: toGlobalId("SelectionRun", runA) } },
          {
            next: () => firstEvent(), // the presence snapshot: the subscription is live
            error: () => resolve({ at: Date.now(), how: "error" }),
            complete: () => resolve({ at: Date.now(), how: "complete" }),
          },
        );
      });
      return { client, started, ended };
    };
    const a = watch(memberToken.secret);
    const b = watch(otherToken.secret);
    await Promise.all([a.started, b.started]);
    const t0 = Date.now();
    await p.membership.deleteMany({ where: { userId: member.id } });
    await p.apiToken.update({ where: { id: otherToken.id }, data: { revokedAt: new Date() } });
    const [endA, endB] = await Promise.all([
      Promise.race([a.ended, new Promise<null>((r) => setTimeout(() => r(null), 3_000))]),
      Promise.race([b.ended, new Promise<null>((r) => setTimeout(() => r(null), 3_000))]),
    ]);
    await Promise.all([a.client.dispose(), b.client.dispose()]);
    expect(endA).toMatchObject({ how: "complete" });
    expect(endB).toMatchObject({ how: "complete" });
    expect(endA!.at - t0).toBeLessThan(1_000);
    expect(endB!.at - t0).toBeLessThan(1_000);
  });
});

describe("finding 8: compareRuns and the CSV export", () => {
  it("compareRuns refuses the same run twice through a padded ID; padded IDs are not IDs", async () => {
    const client = new TestClient(live, viewerToken);
    const id = toGlobalId("SelectionRun", runA);
    const padded = id + "=".repeat((4 - (id.length % 4)) % 4 || 1);
    const Q = `query ($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } } }`;
    const r = await client.raw<any>({ query: Q, variables: { ids: [id, padded] } });
    // The padded spelling is not an ID of any run: the comparison is null (missing), never the same run twice.
    expect(r.json.data?.compareRuns ?? null).toBeNull();
    const twice = await client.raw<any>({ query: Q, variables: { ids: [id, id] } });
    expect(twice.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const fine = await client.raw<any>({ query: Q, variables: { ids: [id, toGlobalId("SelectionRun", runB)] } });
    expect(fine.json.data.compareRuns.runs).toHaveLength(2);
    const node = await client.raw<any>({ query: `query ($id: ID!) { selectionRun(id: $id) { id } }`, variables: { id: padded } });
    expect(node.json.data.selectionRun).toBeNull();
  });

  it("CSV cells starting with = + - @ tab or CR are quoted with a leading single quote", async () => {
    const p = live.store.prisma;
    const runId = await succeededRun(6);
    const evil = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];
    const ids = seeded.sampleIds.slice(0, 6);
    for (let i = 0; i < ids.length; i++) await p.sample.update({ where: { id: ids[i]! }, data: { externalId: evil[i]! } });
    await p.selectionItem.update({ where: { runId_sampleId: { runId, sampleId: ids[0]! } }, data: { label: "=1+2" } });
    const response = await fetch(`${live.base}/runs/${toGlobalId("SelectionRun", runId)}/manifest.csv`, { headers: { authorization: `Bearer ${viewerToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const records = text.split("\n").slice(2).filter(Boolean);
    expect(records).toHaveLength(6);
    expect(records[0]).toContain(`,"'=HYPERLINK(""http://evil"",""x"")",`);
    expect(records[0]).toContain(`,"'=1+2",`);
    expect(records[1]).toContain(`,"'+1+1",`);
    expect(records[2]).toContain(`,"'-2+3",`);
    expect(records[3]).toContain(`,"'@SUM(A1)",`);
    expect(records[4]).toContain(`,"'\tcmd",`);
    expect(text).toContain(`,"'\rcmd",`);
    // No cell of the file starts with a formula character outside quotes.
    for (const line of records) for (const cell of line.split(",")) expect(cell).not.toMatch(/^[=+@\t\r-]/);
  });
});

describe("finding 6: production mode on graphql-ws", () => {
  let prod: TestServer;
  let prodToken: string;
  let prodRun: number;

  beforeAll(async () => {
    prod = await startTestServer({ nodeEnv: "production" });
    const s = await seedDataset(prod.store, { n: 10, groups: 1, slug: "cost-prod" });
    prodRun = (await createSelectRun(prod.store, s, { strategy: "random", perClass: 2 })).runId;
    const { id } = await seedUser(prod.store, [{ consortiumId: s.consortiumId, role: "VIEWER" }], "prod");
    prodToken = (await seedToken(prod.store, id, s.consortiumId, "VIEWER")).secret;
  }, 120_000);

  afterAll(async () => {
    await prod?.close();
  });

  const wsUrl = () => prod.url.replace(/^http/, "ws");

  it("refuses introspection over the socket, as over HTTP", async () => {
    const http = await new TestClient(prod, prodToken).raw<any>({ query: "{ __schema { types { name } } }" });
    expect(http.json.errors?.[0]?.message).toMatch(/introspection/i);
    const r = await overWs(wsUrl(), prodToken, "{ __schema { types { name } } }");
    expect(r.error[0]).toMatchObject({ message: expect.stringMatching(/introspection/i), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    const typename = await overWs(wsUrl(), prodToken, `{ __type(name: "Query") { name } }`);
    expect(typename.error).toBeDefined();
    // Ordinary operations still run.
    const ok = await overWs(wsUrl(), prodToken, "{ viewer { authenticatedWith } }");
    expect(ok.data.viewer.authenticatedWith).toBe("API_TOKEN");
  });

  it("masks a fault's message on the socket (no table names, no stack)", async () => {
    // Break one table the query reads, to make a genuine internal fault.
    await prod.store.sql.query(`ALTER TABLE "Evaluation" RENAME TO "EvaluationGone"`);
    try {
      const r = await overWs(wsUrl(), prodToken, `query ($id: ID!) { selectionRun(id: $id) { id evaluations { id } } }`, {
        id: toGlobalId("SelectionRun", prodRun),
      });
      const errors = r.error ?? r.errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } });
      const raw = JSON.stringify(r);
      expect(raw).not.toMatch(/Evaluation"|relation|prisma|stack|at /i);
    } finally {
      await prod.store.sql.query(`ALTER TABLE "EvaluationGone" RENAME TO "Evaluation"`);
    }
  });
});
