/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// The curation workflow against a live server with real clients: Apollo Client over HTTP, graphql-ws
// for subscriptions, fetch for the streamed manifest. Runs on PGlite and (DATABASE_URL) on Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { SelectionRunStartInput } from "../../../test/gql/graphql.js";

/** A run's input beside the version and embedding set every test starts on. */
type StartExtra = Pick<SelectionRunStartInput, "strategy" | "perClass"> & Partial<SelectionRunStartInput>;
import type { Client } from "graphql-ws";
import { TestClient, seedToken, seedUser, signIn, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { decodeLayoutColumn, decodeLayoutFrame, LAYOUT_COLUMN_CONTENT_TYPE, LAYOUT_CONTENT_TYPE, MISSING_CODE } from "@stratum/formats/layout";
import { collect, cookieOf, startLiveServer, wsClient, type LiveServer } from "../../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let other: SeededDataset;
const c = {} as Record<"curator" | "reviewer1" | "reviewer2" | "viewer" | "outsider", TestClient>;
const names = {} as Record<keyof typeof c, number>;
let curatorToken: string;
const sockets: Client[] = [];

const START = graphql(`
  mutation WorkflowSelectionRunStart($input: SelectionRunStartInput!) {
    selectionRunStart(input: $input) {
      run { id status strategy }
      job { id status }
      errors { code field message }
    }
  }
`);
const RUN = graphql(`
  query WorkflowSelectionRun($id: ID!) {
    selectionRun(id: $id) {
      id status manifestHash reproducible warnings metrics
      items(first: 5) { totalCount nodes { rank label reason groupKey reviewVersion sample { id externalId } } }
      parent { id }
    }
  }
`);
const PROGRESS = `subscription ($jobId: ID!, $afterSeq: Int) { jobProgress(jobId: $jobId, afterSeq: $afterSeq) { seq status phase done total rate etaSeconds final result } }`;

const waitJob = (job: string, timeoutMs = 30_000) => waitJobEnd(server.store, job, timeoutMs);

function ws(client: TestClient | { token: string }) {
  const s = client instanceof TestClient ? wsClient(server, { cookie: cookieOf(client) }) : wsClient(server, { token: client.token });
  sockets.push(s);
  return s;
}

const base = () => ({ datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId) });

async function startRun(extra: StartExtra) {
  const r = await c.curator.mutate(START, { input: { ...base(), ...extra } });
  expect(r.errors).toEqual([]);
  expect(r.data.selectionRunStart.errors).toEqual([]);
  return r.data.selectionRunStart as { run: { id: string }; job: { id: string } };
}

async function counts() {
  const p = server.store.prisma;
  return [await p.selectionRun.count(), await p.job.count(), await p.auditEvent.count(), await p.selectionItem.count(), await p.reviewDecision.count(), await p.datasetVersion.count()];
}

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 160, groups: 2, slug: "wf-a" });
  other = await seedDataset(server.store, { n: 20, groups: 1, slug: "wf-b" });
  const roles = { curator: "CURATOR", reviewer1: "REVIEWER", reviewer2: "REVIEWER", viewer: "VIEWER" } as const;
  for (const [k, role] of Object.entries(roles)) {
    const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role }], k);
    names[k as keyof typeof c] = u.id;
    c[k as keyof typeof c] = await signIn(server, u.email);
  }
  const outsider = await seedUser(server.store, [{ consortiumId: other.consortiumId, role: "OWNER" }], "outsider");
  c.outsider = await signIn(server, outsider.email);
  curatorToken = (await seedToken(server.store, names.curator, seeded.consortiumId, "CURATOR")).secret;
}, 60_000);

afterAll(async () => {
  for (const s of sockets) await s.dispose();
  await server?.close();
});

describe("selection runs", () => {
  let first: { run: { id: string }; job: { id: string } };

  it("selectionRunStart → jobProgress over graphql-ws → items, metrics and a manifest hash", async () => {
    first = await startRun({ strategy: "KCENTER", perClass: 10, seed: 7, name: "kc" });
    const sub = await collect<any>(ws(c.curator), PROGRESS, { jobId: first.job.id }, () => false);
    expect(sub.errors).toEqual([]);
    expect(sub.completed).toBe(true);
    const events = sub.events.map((e) => e.jobProgress);
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true });
    expect(events.at(-1).result.items).toBe(20);
    const seqs = events.map((e: any) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const r = await c.viewer.query(RUN, { id: first.run.id });
    expect(r.errors).toEqual([]);
    const run = r.data.selectionRun;
    expect(run.status).toBe("SUCCEEDED");
    expect(run.manifestHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.items.totalCount).toBe(20);
    expect(run.items.nodes.map((n: any) => n.rank)).toEqual([0, 1, 2, 3, 4]);
    expect(run.items.nodes[0]!.reason.length).toBeGreaterThan(0);
    expect(run.metrics.selected).toBe(20);
  });

  it("jobProgress(afterSeq) replays the events after that seq; another consortium's subscriber gets nothing", async () => {
    const run = await startRun({ strategy: "RANDOM", perClass: 15, seed: 1 });
    await waitJob(run.job.id);
    const all = await collect<any>(ws(c.curator), PROGRESS, { jobId: run.job.id, afterSeq: 0 }, () => false);
    const seqs = all.events.map((e) => e.jobProgress.seq);
    expect(all.events.at(-1).jobProgress.final).toBe(true);
    expect(seqs.length).toBeGreaterThan(2);
    const resumed = await collect<any>(ws(c.curator), PROGRESS, { jobId: run.job.id, afterSeq: seqs[1] }, () => false);
    expect(resumed.events.map((e) => e.jobProgress.seq)).toEqual(seqs.slice(2));
    const foreign = await collect<any>(ws(c.outsider), PROGRESS, { jobId: run.job.id, afterSeq: 0 }, () => false, 3_000);
    expect(foreign.events).toEqual([]);
    expect(foreign.completed).toBe(true);
  });

  it("selectionRunReproduce makes a new run with the same hash and reproducible = true", async () => {
    const r = await c.curator.mutate(
      graphql(`mutation WorkflowSelectionRunReproduce($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } job { id } errors { code message } } }`),
      { input: { runId: first.run.id } },
    );
    expect(r.data.selectionRunReproduce.errors).toEqual([]);
    await waitJob(r.data.selectionRunReproduce.job.id);
    const [a, b] = await Promise.all([c.viewer.query(RUN, { id: first.run.id }), c.viewer.query(RUN, { id: r.data.selectionRunReproduce.run.id })]);
    expect(b.data.selectionRun.manifestHash).toBe(a.data.selectionRun.manifestHash);
    expect(b.data.selectionRun.reproducible).toBe(true);
    expect(b.data.selectionRun.parent.id).toBe(first.run.id);
  });

  it("a seed ≥ 2^31 (4,000,000,000) starts, is stored and reproduces to the same manifest hash", async () => {
    const started = await startRun({ strategy: "RANDOM", perClass: 8, seed: 4_000_000_000 });
    expect((await waitJob(started.job.id)).status).toBe("SUCCEEDED");
    const SEEDED = graphql(`query WorkflowSelectionRun2($id: ID!) { selectionRun(id: $id) { id status strategy perClass budgetPerClass seed manifestHash reproducible params } }`);
    const a = (await c.viewer.query(SEEDED, { id: started.run.id })).data.selectionRun;
    // budgetPerClass: the deprecated alias of perClass, still answered for older clients.
    expect(a).toMatchObject({ status: "SUCCEEDED", strategy: "RANDOM", perClass: 8, budgetPerClass: 8, seed: 4_000_000_000 });
    const r = await c.curator.mutate(
      graphql(`mutation WorkflowSelectionRunReproduce2($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id seed } job { id } errors { code message } } }`),
      { input: { runId: started.run.id } },
    );
    expect(r.errors).toEqual([]);
    expect(r.data.selectionRunReproduce).toMatchObject({ errors: [], run: { seed: 4_000_000_000 } });
    await waitJob(r.data.selectionRunReproduce.job.id);
    const b = (await c.viewer.query(SEEDED, { id: r.data.selectionRunReproduce.run.id })).data.selectionRun;
    expect(b).toMatchObject({ status: "SUCCEEDED", seed: 4_000_000_000, reproducible: true, manifestHash: a.manifestHash });
    // Another seed gives another draw: the large seed was not wrapped or truncated on the way.
    const low = await startRun({ strategy: "RANDOM", perClass: 8, seed: 4_000_000_000 % 2 ** 31 });
    await waitJob(low.job.id);
    expect((await c.viewer.query(SEEDED, { id: low.run.id })).data.selectionRun.manifestHash).not.toBe(a.manifestHash);
  });

  it("a seed outside 0..2^32−1 is refused by the Seed scalar before anything is written", async () => {
    const before = await counts();
    for (const seed of [2 ** 32, -1, 1.5]) {
      const r = await c.curator.mutate(START, { input: { ...base(), strategy: "RANDOM", perClass: 5, seed } });
      expect(r.errors.length, String(seed)).toBeGreaterThan(0);
      expect(r.errors[0]!.extensions?.code).toBe("BAD_USER_INPUT");
      expect(r.errors[0]!.message).toMatch(/Seed: expected an integer in 0\.\.4294967295/);
    }
    expect(await counts()).toEqual(before);
  });

  it("selectionRunCancel cancels a queued run; nothing of it is written", async () => {
    const { runId, jobId } = await createSelectRun(server.store, seeded, { strategy: "random", perClass: 5 });
    const r = await c.curator.mutate(
      graphql(`mutation WorkflowSelectionRunCancel($input: SelectionRunRefInput!) { selectionRunCancel(input: $input) { run { id status } errors { code message } } }`),
      { input: { runId: gid("SelectionRun", runId) } },
    );
    expect(r.data.selectionRunCancel).toMatchObject({ run: { status: "CANCELLED" }, errors: [] });
    await server.runtime.jobs.queue.enqueue(jobId); // even if delivered, a cancelled job never runs
    await server.runtime.jobs.queue.idle();
    expect((await server.store.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("CANCELLED");
    expect(await server.store.prisma.selectionItem.count({ where: { runId } })).toBe(0);
  });

  it("bad inputs get typed errors naming the field and change nothing", async () => {
    const before = await counts();
    const cases: [StartExtra, string, string][] = [
      [{ strategy: "RANDOM", perClass: 0 }, "VALIDATION", "perClass"],
      [{ strategy: "RANDOM", perClass: 81 }, "LIMIT_EXCEEDED", "perClass"],
      [{ strategy: "CONFOUNDER_AWARE", perClass: 5 }, "VALIDATION", "analysisId"],
      [{ strategy: "STRATIFIED", perClass: 5, stratifyColumn: "nope" }, "VALIDATION", "stratifyColumn"],
      [{ strategy: "RANDOM", perClass: 5, datasetVersionId: gid("DatasetVersion", other.versionId) }, "NOT_FOUND", "datasetVersionId"],
      [{ strategy: "RANDOM", perClass: 5, embeddingSetId: "not-an-id" }, "NOT_FOUND", "embeddingSetId"],
    ];
    for (const [extra, code, field] of cases) {
      const r = await c.curator.mutate(START, { input: { ...base(), ...extra } });
      expect(r.errors).toEqual([]);
      const errors = r.data.selectionRunStart.errors;
      expect(errors.map((e: any) => e.code), JSON.stringify(extra)).toContain(code);
      expect(errors.find((e: any) => e.code === code)!.field).toEqual(["input", field]);
      expect(r.data.selectionRunStart.run).toBeNull();
    }
    // The closed sets are GraphQL enums: an unknown value is refused while the request is parsed.
    for (const extra of [{ strategy: "best-guess" }, { strategy: "random" }, { strategy: "RANDOM", kernel: "linear" }]) {
      // Deliberately outside the schema's enums.
      const r = await c.curator.mutate(START, { input: { ...base(), perClass: 5, ...(extra as unknown as { strategy: SelectionRunStartInput["strategy"] }) } });
      expect(r.errors[0]?.extensions?.code, JSON.stringify(extra)).toBe("BAD_USER_INPUT");
    }
    expect(await counts()).toEqual(before);
  });

  it("compareRuns(2–4 ids) gives overlap, pairwise Jaccard, allocation beside the pool and metrics", async () => {
    const a = await startRun({ strategy: "RANDOM", perClass: 10, seed: 2 });
    const b = await startRun({ strategy: "STRATIFIED", perClass: 10, seed: 2, stratifyColumn: "scanner" });
    await waitJob(a.job.id);
    await waitJob(b.job.id);
    const q = graphql(`query WorkflowCompareRuns($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } overlap union pairwise { a b intersection jaccard } allocation { label group pool selected } metrics { name values } } }`);
    const r = await c.viewer.query(q, { ids: [a.run.id, b.run.id] });
    expect(r.errors).toEqual([]);
    const cmp = r.data.compareRuns;
    expect(cmp.runs.map((x: any) => x.id)).toEqual([a.run.id, b.run.id]);
    const p = cmp.pairwise[0]!;
    expect(p.jaccard).toBeCloseTo(p.intersection / (40 - p.intersection), 10);
    expect(cmp.union).toBe(40 - p.intersection);
    expect(cmp.allocation.map((x: any) => x.pool)).toEqual([80, 80]);
    expect(cmp.allocation.map((x: any) => x.selected)).toEqual([[10, 10], [10, 10]]);
    expect(cmp.metrics.find((m: any) => m.name === "selected")!.values).toEqual([20, 20]);
    const bad = await c.viewer.query(q, { ids: [a.run.id] });
    expect(bad.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const hidden = await c.outsider.query(q, { ids: [a.run.id, b.run.id] });
    expect(hidden.data.compareRuns).toBeNull();
  });
});

describe("run list", () => {
  it("DatasetVersion.runs pages newest first with stable cursors and a total", async () => {
    const q = graphql(`query WorkflowDatasetVersion($id: ID!, $after: String) { datasetVersion(id: $id) { runs(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id createdAt } } } }`);
    const id = gid("DatasetVersion", seeded.versionId);
    const seen: any[] = [];
    let after: string | null = null;
    const totals = new Set<number>();
    for (let page = 0; page < 20; page++) {
      const r: any = await c.viewer.query(q, { id, after });
      expect(r.errors).toEqual([]);
      const runs = r.data.datasetVersion.runs;
      totals.add(runs.totalCount);
      seen.push(...runs.nodes);
      if (!runs.pageInfo.hasNextPage) break;
      after = runs.pageInfo.endCursor;
    }
    const rows = await server.store.prisma.selectionRun.findMany({ where: { datasetVersionId: seeded.versionId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect([...totals]).toEqual([rows.length]); // every page counts the whole list, not what follows the cursor
    expect(seen.map((n) => n.id)).toEqual(rows.map((r) => gid("SelectionRun", r.id)));
    // An empty page carries no rows to count with: the total comes from a query of its own.
    const none: any = await c.viewer.query(graphql(`query WorkflowDatasetVersion2($id: ID!) { datasetVersion(id: $id) { runs(first: 0) { totalCount nodes { id } } } }`), { id });
    expect(none.data.datasetVersion.runs).toEqual({ totalCount: rows.length, nodes: [] });
    const bad = await c.viewer.query(q, { id, after: "bm90LWEtY3Vyc29y" });
    expect(bad.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("analyses", () => {
  let analysisGid: string;
  it("analysisStart → groups per class with associations, paginated layout, verdicts with author", async () => {
    const r = await c.curator.mutate(
      graphql(`mutation WorkflowAnalysisStart($input: AnalysisStartInput!) { analysisStart(input: $input) { analysis { id status } job { id } errors { code field message } } }`),
      { input: { ...base(), params: { reduce: "PCA", seed: 3 } } },
    );
    expect(r.data.analysisStart.errors).toEqual([]);
    await waitJob(r.data.analysisStart.job.id);
    analysisGid = r.data.analysisStart.analysis.id;
    const q = graphql(`query WorkflowAnalysis($id: ID!, $after: String) { analysis(id: $id) { status groups { id label name size isNoise associations verdict }
      layout(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { x y sample { id } group { id } } } } }`);
    const a = (await c.viewer.query(q, { id: r.data.analysisStart.analysis.id })).data.analysis;
    expect(a.status).toBe("SUCCEEDED");
    expect(new Set(a.groups.map((g: any) => g.label))).toEqual(new Set(["normal", "pneumonia"]));
    expect(a.layout.totalCount).toBe(160);
    expect(a.layout.nodes).toHaveLength(100);
    const page2 = (await c.viewer.query(q, { id: r.data.analysisStart.analysis.id, after: a.layout.pageInfo.endCursor })).data.analysis.layout;
    expect(page2.nodes).toHaveLength(60);
    const group = a.groups.find((g: any) => !g.isNoise)!;
    const set = graphql(`mutation WorkflowConfounderGroupSetVerdict($input: ConfounderGroupSetVerdictInput!) { confounderGroupSetVerdict(input: $input) { group { verdict name verdictBy { id } } errors { code field } } }`);
    const denied = await c.reviewer1.mutate(set, { input: { groupId: group.id, verdict: "CONFIRMED" } });
    expect(denied.data.confounderGroupSetVerdict.errors[0]!.code).toBe("FORBIDDEN");
    const renamed = await c.curator.mutate(set, { input: { groupId: group.id, verdict: "RENAMED", name: "scanner 0" } });
    expect(renamed.data.confounderGroupSetVerdict).toMatchObject({ group: { verdict: "RENAMED", name: "scanner 0", verdictBy: { id: gid("User", names.curator) } }, errors: [] });
    const noName = await c.curator.mutate(set, { input: { groupId: group.id, verdict: "RENAMED" } });
    expect(noName.data.confounderGroupSetVerdict.errors[0]).toMatchObject({ code: "VALIDATION", field: ["input", "name"] });
  });

  it("SelectionRun.allocation counts the whole selection per class × group beside the pool, beyond the first page of items", async () => {
    const Q = graphql(`query WorkflowSelectionRun3($id: ID!) { selectionRun(id: $id) { items(first: 100) { totalCount } allocation { label group groupId pool selected } } }`);
    const aware = await startRun({ strategy: "CONFOUNDER_AWARE", perClass: 60, seed: 4, analysisId: analysisGid });
    const random = await startRun({ strategy: "RANDOM", perClass: 55, seed: 4 });
    await waitJob(aware.job.id);
    await waitJob(random.job.id);
    const runDb = async (gidOfRun: string) => server.store.prisma.selectionRun.findFirstOrThrow({ where: { id: Number(Buffer.from(gidOfRun, "base64url").toString().split(":")[1]) } });

    // With an analysis: one row per group of it; selected = the run's items that are members of the group.
    const a = (await c.viewer.query(Q, { id: aware.run.id })).data.selectionRun;
    expect(a.items.totalCount).toBe(120); // more than one page: the chart must not count a page only
    const groups = await server.store.prisma.confounderGroup.findMany({ where: { analysisId: (await runDb(aware.run.id)).analysisId! } });
    expect(a.allocation).toHaveLength(groups.length);
    const items = await server.store.prisma.selectionItem.findMany({ where: { runId: (await runDb(aware.run.id)).id } });
    for (const g of groups) {
      const members = new Set((await server.store.prisma.confounderGroupMember.findMany({ where: { groupId: g.id } })).map((m) => m.sampleId));
      const row = a.allocation.find((x: any) => x.groupId === gid("ConfounderGroup", g.id));
      expect(row).toMatchObject({ label: g.label, pool: g.size, selected: items.filter((it) => members.has(it.sampleId)).length });
    }
    expect(a.allocation.reduce((sum: number, x: any) => sum + x.selected, 0)).toBe(120);

    // Without one: per class, the pool being the class in the version.
    const r = (await c.viewer.query(Q, { id: random.run.id })).data.selectionRun;
    expect(r.items.totalCount).toBe(110);
    expect(r.allocation).toEqual([
      { label: "normal", group: "normal", groupId: null, pool: 80, selected: 55 },
      { label: "pneumonia", group: "pneumonia", groupId: null, pool: 80, selected: 55 },
    ]);
  });

  it("GET /analyses/:id/layout gives the whole layout in one binary frame (11 bytes a point), equal to the GraphQL connection; a column on request; others get 404, no auth 401", async () => {
    const res = await c.viewer.get(`/analyses/${analysisGid}/layout`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, max-age=60");
    expect(res.headers.get("content-type")).toBe(LAYOUT_CONTENT_TYPE);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const { header: body, points } = decodeLayoutFrame(bytes);
    expect(body).toMatchObject({ analysisId: analysisGid, count: 160, sampleIdType: "Sample", columns: ["age", "scanner"] });
    const headerBytes = 8 + new TextEncoder().encode(JSON.stringify(body)).length + 3;
    expect(bytes.byteLength).toBeLessThanOrEqual(11 * 160 + headerBytes);
    const { sampleIds: ids, x: xs, y: ys, group, site } = points;
    const [minX, minY, maxX, maxY] = body.bounds;
    // Every point of the GraphQL connection, in the same order.
    const q = graphql(`query WorkflowAnalysis2($id: ID!, $after: String) { analysis(id: $id) { groups { id name size }
      layout(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { x y sample { id externalId site { code } } group { id name } } } } }`);
    const nodes: any[] = [];
    let after: string | null = null;
    let groups: any[] = [];
    for (;;) {
      const a: any = (await c.viewer.query(q, { id: analysisGid, after })).data.analysis;
      groups = a.groups;
      nodes.push(...a.layout.nodes);
      if (!a.layout.pageInfo.hasNextPage) break;
      after = a.layout.pageInfo.endCursor;
    }
    expect(nodes).toHaveLength(160);
    expect(body.groups.map((g: any) => g.id).sort()).toEqual(groups.map((g: any) => g.id).sort());
    expect(body.groups.reduce((s: number, g: any) => s + g.size, 0)).toBe(160);
    nodes.forEach((p, i) => {
      expect(gid(body.sampleIdType, ids[i]!)).toBe(p.sample.id);
      // Quantised to 65,536 steps over the bounds: within half a step.
      expect(Math.abs(xs[i]! - p.x)).toBeLessThanOrEqual((maxX - minX) / 131_070 + 1e-6);
      expect(Math.abs(ys[i]! - p.y)).toBeLessThanOrEqual((maxY - minY) / 131_070 + 1e-6);
      const g = body.groups[group[i]!]!;
      expect({ id: g.id, name: g.name }).toEqual(p.group);
      expect(site[i]! < 0 ? null : body.sites[site[i]!]).toBe(p.sample.site?.code ?? null);
    });
    // A column, in the same order: the fixtures' scanner is a category, age (50 distinct) numbers.
    const scannerRes = await c.viewer.get(`/analyses/${analysisGid}/layout/columns/scanner`);
    expect(scannerRes.headers.get("content-type")).toBe(LAYOUT_COLUMN_CONTENT_TYPE);
    const scanner = decodeLayoutColumn(new Uint8Array(await scannerRes.arrayBuffer()));
    const age = decodeLayoutColumn(new Uint8Array(await (await c.viewer.get(`/analyses/${analysisGid}/layout/columns/age`)).arrayBuffer()));
    if (scanner.kind !== "category" || age.kind !== "number") throw new Error(`scanner ${scanner.kind}, age ${age.kind}`);
    const byId = new Map((await server.store.prisma.sample.findMany({ select: { id: true, metadata: true } })).map((r) => [r.id, r.metadata as Record<string, string>]));
    ids.forEach((id, i) => {
      expect(scanner.values[scanner.codes[i]!]).toBe(byId.get(id)!.scanner);
      expect(age.numbers[i]).toBe(Number(byId.get(id)!.age));
    });
    // An unknown column, and a hostile name (only ever a bound parameter), are all-missing.
    for (const name of ["nope", encodeURIComponent("x'); DROP TABLE \"Sample\"; --")]) {
      const col = decodeLayoutColumn(new Uint8Array(await (await c.viewer.get(`/analyses/${analysisGid}/layout/columns/${name}`)).arrayBuffer()));
      expect(col.kind === "category" && col.values.length === 0 && col.codes.every((k) => k === MISSING_CODE)).toBe(true);
    }
    expect((await c.outsider.get(`/analyses/${analysisGid}/layout/columns/scanner`)).status).toBe(404);
    // Bearer token works too; another consortium's user, a malformed ID and a non-analysis ID get 404.
    const bearer = await fetch(`${server.base}/analyses/${analysisGid}/layout`, { headers: { authorization: `Bearer ${curatorToken}` } });
    expect(bearer.status).toBe(200);
    expect(decodeLayoutFrame(new Uint8Array(await bearer.arrayBuffer())).header.count).toBe(160);
    const denied = await c.outsider.get(`/analyses/${analysisGid}/layout`);
    expect(denied.status).toBe(404);
    expect(((await denied.json()) as any).error.code).toBe("NOT_FOUND");
    expect((await c.viewer.get(`/analyses/not-an-id/layout`)).status).toBe(404);
    expect((await c.viewer.get(`/analyses/${gid("ConfounderAnalysis", 999_999)}/layout`)).status).toBe(404);
    expect((await c.viewer.get(`/analyses/${gid("SelectionRun", 1)}/layout`)).status).toBe(404);
    expect((await new TestClient(server).get(`/analyses/${analysisGid}/layout`)).status).toBe(401);
  });
});

describe("reviews and export", () => {
  let runId: string;
  let sampleId: string;
  const DECIDE = graphql(`mutation WorkflowReviewDecide($input: ReviewDecideInput!) { reviewDecide(input: $input) { item { reviewDecision reviewVersion } decision { applied version decision } errors { code field message } } }`);
  const ACTIVITY = `subscription ($runId: ID!, $afterSeq: Int) { reviewActivity(runId: $runId, afterSeq: $afterSeq) { kind seq sampleId reviewerName decision { decision applied version } present { name } } }`;

  beforeAll(async () => {
    const run = await startRun({ strategy: "RANDOM", perClass: 6, seed: 11 });
    await waitJob(run.job.id);
    runId = run.run.id;
    sampleId = (await c.viewer.query(RUN, { id: runId })).data.selectionRun.items.nodes[0]!.sample.id;
  });

  it("two reviewers deciding one item at once: one wins, the other gets CONFLICT with the current state; both are logged and streamed", async () => {
    const watcher = ws(c.reviewer2);
    const activity = collect<any>(watcher, ACTIVITY, { runId }, (all) => all.filter((e) => e.reviewActivity.kind === "DECISION").length >= 2);
    await new Promise((r) => setTimeout(r, 300)); // let the subscription register
    const [a, b] = await Promise.all([
      c.reviewer1.mutate(DECIDE, { input: { runId, sampleId, decision: "ACCEPT", comment: "clear", expectedVersion: 0 } }),
      c.reviewer2.mutate(DECIDE, { input: { runId, sampleId, decision: "REJECT", expectedVersion: 0 } }),
    ]);
    const results = [a.data.reviewDecide, b.data.reviewDecide];
    const winners = results.filter((x) => x.errors.length === 0);
    const losers = results.filter((x) => x.errors.length > 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.errors[0]).toMatchObject({ code: "CONFLICT", field: ["input", "expectedVersion"] });
    expect(losers[0]!.item).toEqual(winners[0]!.item); // the current state
    expect(losers[0]!.decision.applied).toBe(false);
    const log = await server.store.prisma.reviewDecision.findMany({ where: { runId: Number(Buffer.from(runId, "base64url").toString().split(":")[1]) } });
    expect(log).toHaveLength(2);
    expect(log.filter((d) => d.applied)).toHaveLength(1);
    const streamed = (await activity).events.map((e) => e.reviewActivity);
    const decisions = streamed.filter((e) => e.kind === "DECISION");
    expect(decisions.map((d) => d.decision.applied).sort()).toEqual([false, true]);
    expect(streamed.some((e) => e.kind === "PRESENCE" && e.present.some((p: any) => p.name === "reviewer2"))).toBe(true);
    // Resume: from the first decision's seq, only the second comes back.
    const resumed = await collect<any>(ws(c.viewer), ACTIVITY, { runId, afterSeq: decisions[0].seq }, (all) => all.some((e) => e.reviewActivity.kind === "DECISION"), 5_000);
    expect(resumed.events.filter((e) => e.reviewActivity.kind === "DECISION").map((e) => e.reviewActivity.seq)).toEqual([decisions[1].seq]);
    // A viewer may watch but not decide.
    const viewerTry = await c.viewer.mutate(DECIDE, { input: { runId, sampleId, decision: "FLAG", expectedVersion: 1 } });
    expect(viewerTry.data.reviewDecide.errors[0]!.code).toBe("FORBIDDEN");
  });

  it("reviewDecide takes the item's global ID instead of runId + sampleId; exactly one of sampleId and itemId", async () => {
    const ITEMS = graphql(`query WorkflowSelectionRun4($id: ID!) { selectionRun(id: $id) { items(first: 3) { nodes { id reviewVersion sample { id } } } } }`);
    const items = (await c.reviewer1.query(ITEMS, { id: runId })).data.selectionRun.items.nodes;
    const item = items[1]!; // items[0] was decided above
    const byItem = await c.reviewer1.mutate(DECIDE, { input: { itemId: item.id, decision: "FLAG", comment: "blurry", expectedVersion: item.reviewVersion } });
    expect(byItem.data.reviewDecide.errors).toEqual([]);
    expect(byItem.data.reviewDecide.item).toEqual({ reviewDecision: "FLAG", reviewVersion: item.reviewVersion + 1 });
    // The same item by runId + sampleId sees the version the itemId decision made.
    const bySample = await c.reviewer1.mutate(DECIDE, { input: { runId, sampleId: item.sample.id, decision: "ACCEPT", expectedVersion: item.reviewVersion + 1 } });
    expect(bySample.data.reviewDecide.errors).toEqual([]);
    // With itemId, runId may be given only as the item's own run.
    const sameRun = await c.reviewer1.mutate(DECIDE, { input: { runId, itemId: item.id, decision: "REJECT", expectedVersion: item.reviewVersion + 2 } });
    expect(sameRun.data.reviewDecide.errors).toEqual([]);

    const before = await counts();
    const otherRun = await startRun({ strategy: "RANDOM", perClass: 2, seed: 12 });
    const afterStart = await counts();
    const bad = async (input: Record<string, unknown>) => (await c.reviewer1.mutate(DECIDE, { input: { decision: "ACCEPT", expectedVersion: 0, ...input } })).data.reviewDecide.errors;
    expect(await bad({ runId, sampleId: item.sample.id, itemId: item.id })).toMatchObject([{ code: "VALIDATION", field: ["input", "itemId"] }]);
    expect(await bad({ runId })).toMatchObject([{ code: "VALIDATION", field: ["input", "sampleId"] }]);
    expect(await bad({ sampleId: item.sample.id })).toMatchObject([{ code: "VALIDATION", field: ["input", "runId"] }]);
    expect(await bad({ runId: otherRun.run.id, itemId: item.id })).toMatchObject([{ code: "VALIDATION", field: ["input", "runId"] }]);
    expect(await bad({ itemId: item.sample.id })).toMatchObject([{ code: "NOT_FOUND", field: ["input", "itemId"] }]); // a Sample ID is not an item ID
    expect(await bad({ itemId: gid("SelectionItem", "1") })).toMatchObject([{ code: "NOT_FOUND", field: ["input", "itemId"] }]);
    // Another consortium's member cannot decide on the item by its ID.
    const outsider = await c.outsider.mutate(DECIDE, { input: { itemId: item.id, decision: "ACCEPT", expectedVersion: item.reviewVersion + 3 } });
    expect(outsider.data.reviewDecide.errors).toMatchObject([{ code: "NOT_FOUND", field: ["input", "itemId"] }]);
    expect(await counts()).toEqual(afterStart);
    expect(afterStart).not.toEqual(before); // the extra run is the only change
    await waitJob(otherRun.job.id);
  });

  it("the manifest streams as JSONL (cookie) and CSV (bearer) with its hash, ≥ every row; others get 404", async () => {
    const hash = (await c.viewer.query(RUN, { id: runId })).data.selectionRun.manifestHash;
    const jsonl = await c.viewer.get(`/runs/${runId}/manifest.jsonl`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("x-stratum-manifest-hash")).toBe(hash);
    const lines = (await jsonl.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: "stratum.manifest/1", manifestHash: hash, count: 12 });
    expect(lines.slice(1).map((l) => l.rank)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(lines[1].uri).toMatch(/^s3:\/\/bucket\//);
    const csv = await fetch(`${server.base}/runs/${runId}/manifest.csv`, { headers: { authorization: `Bearer ${curatorToken}` } });
    const text = (await csv.text()).trim().split("\n");
    expect(text[0]).toBe(`# manifestHash=${hash} run=${runId} count=12`);
    expect(text[1]).toBe("rank,id,uri,label,sha256");
    expect(text).toHaveLength(14);
    expect((await c.outsider.get(`/runs/${runId}/manifest.jsonl`)).status).toBe(404);
    // A member scoped to one site sees the URIs of that site's samples only, in the stream and the connection.
    const scoped = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER", siteId: seeded.siteIds[0] }], "scoped");
    const scopedClient = await signIn(server, scoped.email);
    const scopedLines = (await (await scopedClient.get(`/runs/${runId}/manifest.jsonl`)).text()).trim().split("\n").slice(1).map((l) => JSON.parse(l));
    const samples = await server.store.prisma.sample.findMany({ where: { externalId: { in: scopedLines.map((l) => l.id) }, datasetId: seeded.datasetId } });
    const siteOf = new Map(samples.map((s) => [s.externalId, s.siteId]));
    expect(scopedLines.every((l) => (siteOf.get(l.id) === seeded.siteIds[0]) === (l.uri !== null))).toBe(true);
    expect(scopedLines.some((l) => l.uri === null)).toBe(true);
    const conn = await scopedClient.query(graphql(`query WorkflowSelectionRun5($id: ID!) { selectionRun(id: $id) { manifest(first: 50) { totalCount nodes { id uri } } } }`), { id: runId });
    expect(conn.data.selectionRun.manifest.totalCount).toBe(12);
    expect(conn.data.selectionRun.manifest.nodes.map((n: any) => n.uri)).toEqual(scopedLines.map((l) => l.uri));
    expect((await new TestClient(server).get(`/runs/${runId}/manifest.jsonl`)).status).toBe(401);
  });

  it("evaluationReport with an API token, then reviewFinalize makes a new version of the accepted items", async () => {
    const machine = new TestClient(server, curatorToken);
    const rep = await machine.mutate(
      graphql(`mutation WorkflowEvaluationReport($input: EvaluationReportInput!) { evaluationReport(input: $input) { evaluation { metric value source } errors { code field } } }`),
      { input: { runId, metric: "finetune.accuracy", value: 0.91, split: "test" } },
    );
    expect(rep.data.evaluationReport).toMatchObject({ evaluation: { metric: "finetune.accuracy", value: 0.91, source: "REPORTED" }, errors: [] });
    const bad = await machine.mutate(
      graphql(`mutation WorkflowEvaluationReport2($input: EvaluationReportInput!) { evaluationReport(input: $input) { evaluation { metric } errors { code field } } }`),
      { input: { runId, metric: "9 bad name", value: 1 } },
    );
    expect(bad.data.evaluationReport.errors[0]).toMatchObject({ code: "VALIDATION", field: ["input", "metric"] });
    const FIN = graphql(`mutation WorkflowReviewFinalize($input: ReviewFinalizeInput!) { reviewFinalize(input: $input) { datasetVersion { id number sampleCount sourceRun { id } } errors { code field message } } }`);
    const denied = await c.reviewer1.mutate(FIN, { input: { runId } });
    expect(denied.data.reviewFinalize.errors[0]!.code).toBe("FORBIDDEN");
    // Whoever won the race above, accept that item now on its current version.
    const current = (await c.viewer.query(RUN, { id: runId })).data.selectionRun.items.nodes[0]!;
    const ok = await c.reviewer1.mutate(DECIDE, { input: { runId, sampleId, decision: "ACCEPT", expectedVersion: current.reviewVersion } });
    expect(ok.data.reviewDecide.errors).toEqual([]);
    const fin = await c.curator.mutate(FIN, { input: { runId, message: "reviewed" } });
    expect(fin.data.reviewFinalize.errors).toEqual([]);
    const v = fin.data.reviewFinalize.datasetVersion;
    expect(v).toMatchObject({ number: 2, sampleCount: 1, sourceRun: { id: runId } });
    const again = await c.curator.mutate(FIN, { input: { runId } });
    expect(again.data.reviewFinalize.errors[0]!.code).toBe("CONFLICT");
  });
});

describe("job list", () => {
  const JOBS = graphql(`
    query WorkflowConsortium($id: ID!, $first: Int, $after: String, $status: [RunStatus!], $kind: [JobKind!]) {
      consortium(id: $id) {
        jobs(first: $first, after: $after, status: $status, kind: $kind) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { id kind status createdAt selectionRun { id } analysis { id } }
        }
      }
    }
  `);
  async function allPages(client: TestClient, consortiumId: number, vars: Record<string, unknown> = {}) {
    const seen: any[] = [];
    let after: string | null = null;
    let total = -1;
    for (let page = 0; page < 50; page++) {
      const r: any = await client.query(JOBS, { id: gid("Consortium", consortiumId), first: 2, after, ...vars });
      expect(r.errors).toEqual([]);
      const jobs = r.data.consortium.jobs;
      if (total >= 0) expect(jobs.totalCount).toBe(total); // the total does not move between pages
      total = jobs.totalCount;
      expect(jobs.nodes.length).toBeLessThanOrEqual(2);
      seen.push(...jobs.nodes);
      if (!jobs.pageInfo.hasNextPage) break;
      after = jobs.pageInfo.endCursor;
    }
    return { seen, total };
  }

  it("Consortium.jobs pages newest first (2 a page), filters by status and kind, and links each job to what it computes", async () => {
    const rows = await server.store.prisma.job.findMany({ where: { consortiumId: seeded.consortiumId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(rows.length).toBeGreaterThan(4); // earlier tests ran selections and an analysis: several pages
    const { seen, total } = await allPages(c.viewer, seeded.consortiumId);
    expect(total).toBe(rows.length);
    expect(seen.map((j) => j.id)).toEqual(rows.map((r) => gid("Job", r.id)));
    const runs = await server.store.prisma.selectionRun.findMany({ where: { jobId: { not: null } } });
    for (const job of seen.filter((j) => j.kind === "SELECT")) {
      const run = runs.find((r) => gid("Job", r.jobId!) === job.id);
      expect(job.selectionRun).toEqual({ id: gid("SelectionRun", run!.id) });
      expect(job.analysis).toBeNull();
    }
    expect(seen.some((j) => j.kind === "ANALYZE" && j.analysis !== null)).toBe(true);

    const filtered = await allPages(c.viewer, seeded.consortiumId, { status: ["SUCCEEDED", "CANCELLED"], kind: ["SELECT"] });
    const expected = rows.filter((r) => ["SUCCEEDED", "CANCELLED"].includes(r.status) && r.kind === "SELECT");
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(rows.length);
    expect(filtered.total).toBe(expected.length);
    expect(filtered.seen.map((j) => j.id)).toEqual(expected.map((r) => gid("Job", r.id)));
    const bad = await c.viewer.query(JOBS, { id: gid("Consortium", seeded.consortiumId), first: 101 });
    expect(bad.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("another consortium's member sees none of them: not through the consortium, nor in their own list", async () => {
    const outsiderJob = await c.outsider.mutate(START, {
      input: { datasetVersionId: gid("DatasetVersion", other.versionId), embeddingSetId: gid("EmbeddingSet", other.setId), strategy: "RANDOM", perClass: 2, seed: 1 },
    });
    expect(outsiderJob.data.selectionRunStart.errors).toEqual([]);
    await waitJob(outsiderJob.data.selectionRunStart.job.id);
    const theirs = await c.outsider.query(JOBS, { id: gid("Consortium", seeded.consortiumId) });
    expect(theirs.errors).toEqual([]);
    expect(theirs.data.consortium).toBeNull();
    const own = await allPages(c.outsider, other.consortiumId);
    expect(own.seen.map((j) => j.id)).toEqual([outsiderJob.data.selectionRunStart.job.id]);
    // …and the first consortium's list does not show the outsider's job.
    const ours = await allPages(c.curator, seeded.consortiumId);
    expect(ours.seen.map((j) => j.id)).not.toContain(outsiderJob.data.selectionRunStart.job.id);
  });
});
