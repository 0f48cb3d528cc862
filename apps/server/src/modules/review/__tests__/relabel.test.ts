/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Issue 14 in review: the queue ordered by label-error / outlier score of the version's latest
// data-quality report (typed error and a disabled option without one), relabel (label the version lacks
// refused naming `label` unless allowNewLabel, nothing written; optimistic concurrency; role; refused
// after finalize), and finalize writing a corrected copy of the sample into the new version, which the
// version diff lists as a relabel (from → to, who).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken, seedUser, TestClient } from "../../../test/harness.js";
import { toCompositeGlobalId, toGlobalId } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { createReviewableRun, seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let live: LiveServer;
let seeded: SeededDataset;
let curator: TestClient;
let reviewer: TestClient;
let viewer: TestClient;
let runId = 0;
const N = 6;

const QUEUE = `query ($id: ID!, $order: ReviewQueueOrder, $first: Int, $after: String) {
  node(id: $id) { ... on SelectionRun {
    reviewQueueOrders { order available reason }
    reviewQueue(order: $order, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id rank reviewLabel sample { id externalId } quality { labelErrorScore suggestedLabel labelIssue outlierRatio } }
    }
  } }
}`;
const ORDERS = `query ($id: ID!) { node(id: $id) { ... on SelectionRun { reviewQueueOrders { order available reason } } } }`;
const RELABEL = `mutation ($input: ReviewRelabelInput!) {
  reviewRelabel(input: $input) {
    item { reviewLabel reviewVersion reviewDecision }
    relabel { label previous newLabel suggested applied version reviewer { name } }
    errors { code field message }
  }
}`;
const DECIDE = `mutation ($input: ReviewDecideInput!) { reviewDecide(input: $input) { item { reviewVersion } errors { code field message } } }`;
const FINALIZE = `mutation ($input: ReviewFinalizeInput!) { reviewFinalize(input: $input) { datasetVersion { id number sampleCount } errors { code field message } } }`;
const DIFF = `query ($id: ID!) { node(id: $id) { ... on DatasetVersion {
  labelCounts { label count }
  diff { added removed changed unchanged relabelled
    relabels(first: 10) { totalCount nodes { externalId fromLabel toLabel reviewer { name } run { id } before { id label } after { id label } } } }
} } }`;

const item = (i: number) => toCompositeGlobalId("SelectionItem", [runId, seeded.sampleIds[i]!]);
const ext = (i: number) => `img-${String(i).padStart(6, "0")}`;

async function written() {
  const p = live.store.prisma;
  return [await p.reviewRelabel.count(), await p.auditEvent.count(), (await p.selectionItem.findMany({ where: { runId }, orderBy: { rank: "asc" } })).map((i) => [i.reviewVersion, i.reviewLabel])];
}

beforeAll(async () => {
  live = await startLiveServer();
  // labels alternate normal / pneumonia
  seeded = await seedDataset(live.store, { n: 20, groups: 2, slug: "relabel-a" });
  const c = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "relabel-curator");
  const r = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "REVIEWER" }], "relabel-reviewer");
  const v = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "relabel-viewer");
  curator = new TestClient(live, (await seedToken(live.store, c.id, seeded.consortiumId, "CURATOR")).secret);
  reviewer = new TestClient(live, (await seedToken(live.store, r.id, seeded.consortiumId, "REVIEWER")).secret);
  viewer = new TestClient(live, (await seedToken(live.store, v.id, seeded.consortiumId, "VIEWER")).secret);
  runId = await createReviewableRun(live.store, seeded, { n: N, perClass: 3, manifestHash: "e".repeat(64) });
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe("review queue order", () => {
  it("without a data-quality report: the score orders are unavailable with a reason, and asking for one is INVALID_STATE naming order", async () => {
    const runGid = toGlobalId("SelectionRun", runId);
    const o = await reviewer.raw<any>({ query: ORDERS, variables: { id: runGid } });
    const orders = o.json.data.node.reviewQueueOrders;
    expect(orders.map((x: any) => [x.order, x.available])).toEqual([["RANK", true], ["LABEL_ERROR", false], ["OUTLIER", false]]);
    expect(orders[1].reason).toMatch(/data-quality/);
    const q = await reviewer.raw<any>({ query: QUEUE, variables: { id: runGid, order: "LABEL_ERROR" } });
    expect(q.status).toBe(200);
    expect(q.json.errors[0].extensions).toMatchObject({ code: "INVALID_STATE", argumentName: "order" });
    const byRank = await reviewer.raw<any>({ query: QUEUE.replace("reviewQueueOrders { order available reason }", ""), variables: { id: runGid, order: "RANK" } });
    expect(byRank.json.errors).toBeUndefined();
    expect(byRank.json.data.node.reviewQueue.nodes.map((n: any) => n.rank)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(byRank.json.data.node.reviewQueue.nodes[0].quality).toBeNull();
  });

  it("with a report: LABEL_ERROR puts the most likely mislabelled first, OUTLIER the most outlying; pages follow the same order", async () => {
    const p = live.store.prisma;
    const job = await p.job.create({ data: { consortiumId: seeded.consortiumId, kind: "QUALITY", payload: {}, status: "SUCCEEDED" } });
    const report = await p.dataQualityReport.create({
      data: { datasetVersionId: seeded.versionId, embeddingSetId: seeded.setId, params: {}, status: "SUCCEEDED", results: {}, jobId: job.id, completedAt: new Date() },
    });
    // label-error scores: item 3 highest, then 0, 5; 1, 2, 4 tied low (rank breaks the tie). Outlier ratios: item 4 first.
    const scores = [0.6, 0.1, 0.1, 0.9, 0.1, 0.5];
    const ratios = [1, 1.2, 0.8, 1.1, 4, null];
    const rows = await p.sample.findMany({ where: { id: { in: seeded.sampleIds } } });
    const labelOf = new Map(rows.map((s) => [s.id, s.label]));
    await p.dataQualitySample.createMany({
      data: seeded.sampleIds.map((sampleId, i) => {
        const label = labelOf.get(sampleId)!;
        return {
          reportId: report.id,
          sampleId,
          label,
          outlierScore: i < N && ratios[i] === null ? null : 1,
          outlierRatio: i < N ? ratios[i]! : 1,
          outlierRank: i,
          labelErrorScore: i < N ? scores[i]! : 0,
          suggestedLabel: label === "normal" ? "pneumonia" : "normal",
          labelIssue: i === 3,
        };
      }),
    });
    const runGid = toGlobalId("SelectionRun", runId);
    const o = await reviewer.raw<any>({ query: ORDERS, variables: { id: runGid } });
    expect(o.json.data.node.reviewQueueOrders.every((x: any) => x.available)).toBe(true);
    const q = await reviewer.raw<any>({ query: QUEUE, variables: { id: runGid, order: "LABEL_ERROR" } });
    expect(q.json.errors).toBeUndefined();
    const nodes = q.json.data.node.reviewQueue.nodes;
    expect(nodes.map((n: any) => n.rank)).toEqual([3, 0, 5, 1, 2, 4]);
    expect(nodes[0].quality).toMatchObject({ labelErrorScore: 0.9, labelIssue: true });
    expect(q.json.data.node.reviewQueue.totalCount).toBe(N);
    // two at a time, following the cursors: the same order
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const r: any = await reviewer.raw<any>({ query: QUEUE, variables: { id: runGid, order: "LABEL_ERROR", first: 2, after } });
      seen.push(...r.json.data.node.reviewQueue.nodes.map((n: any) => n.rank));
      if (!r.json.data.node.reviewQueue.pageInfo.hasNextPage) break;
      after = r.json.data.node.reviewQueue.pageInfo.endCursor;
    }
    expect(seen).toEqual([3, 0, 5, 1, 2, 4]);
    const out = await reviewer.raw<any>({ query: QUEUE, variables: { id: runGid, order: "OUTLIER" } });
    // 4 (ratio 4) first; 5 has neither score nor ratio → last
    expect(out.json.data.node.reviewQueue.nodes.map((n: any) => n.rank)).toEqual([4, 1, 3, 0, 2, 5]);
  });
});

describe("reviewRelabel", () => {
  it("refuses a label the version lacks, naming label, with nothing written", async () => {
    const before = await written();
    const r = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(0), label: "covid", expectedVersion: 0 } } });
    expect(r.json.data.reviewRelabel.errors).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "label"] })]);
    expect(r.json.data.reviewRelabel.errors[0].message).toMatch(/allowNewLabel/);
    const empty = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(0), label: "  ", expectedVersion: 0 } } });
    expect(empty.json.data.reviewRelabel.errors[0]).toMatchObject({ code: "VALIDATION", field: ["input", "label"] });
    expect(await written()).toEqual(before);
  });

  it("refuses a VIEWER with nothing written", async () => {
    const before = await written();
    const r = await viewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(0), label: "pneumonia", expectedVersion: 0 } } });
    expect(r.json.data.reviewRelabel.errors[0].code).toBe("FORBIDDEN");
    expect(await written()).toEqual(before);
  });

  it("sets the suggested label, a new label when told so, and keeps a stale correction unapplied", async () => {
    // item 0 is "normal"; the report suggests "pneumonia"
    const a = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(0), label: "pneumonia", comment: "looks consolidated", expectedVersion: 0 } } });
    expect(a.json.data.reviewRelabel.errors).toEqual([]);
    expect(a.json.data.reviewRelabel.item).toMatchObject({ reviewLabel: "pneumonia", reviewVersion: 1 });
    expect(a.json.data.reviewRelabel.relabel).toMatchObject({ label: "pneumonia", previous: null, suggested: true, newLabel: false, applied: true, version: 1 });
    const stale = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(0), label: "normal", expectedVersion: 0 } } });
    expect(stale.json.data.reviewRelabel.errors[0]).toMatchObject({ code: "CONFLICT", field: ["input", "expectedVersion"] });
    expect(stale.json.data.reviewRelabel.item).toMatchObject({ reviewLabel: "pneumonia", reviewVersion: 1 });
    expect(stale.json.data.reviewRelabel.relabel).toMatchObject({ applied: false });
    const fresh = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(1), label: "covid", allowNewLabel: true, expectedVersion: 0 } } });
    expect(fresh.json.data.reviewRelabel.errors).toEqual([]);
    expect(fresh.json.data.reviewRelabel.relabel).toMatchObject({ label: "covid", newLabel: true, suggested: false });
    // withdrawn: the sample's own label (item 2 is "normal") clears a correction
    const set = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(2), label: "pneumonia", expectedVersion: 0 } } });
    expect(set.json.data.reviewRelabel.item.reviewLabel).toBe("pneumonia");
    const back = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(2), label: "normal", expectedVersion: 1 } } });
    expect(back.json.data.reviewRelabel.item).toMatchObject({ reviewLabel: null, reviewVersion: 2 });
    expect(back.json.data.reviewRelabel.relabel).toMatchObject({ label: null, previous: "pneumonia" });
    // decisions share the version counter
    const d = await reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId: item(0), decision: "ACCEPT", expectedVersion: 0 } } });
    expect(d.json.data.reviewDecide.errors[0].code).toBe("CONFLICT");
    expect(await live.store.prisma.reviewRelabel.count({ where: { runId } })).toBe(5);
  });

  it("finalize writes the corrected labels into the new version; the diff lists them; later relabels are refused", async () => {
    for (const i of [0, 1, 2, 3]) {
      const cur = await live.store.prisma.selectionItem.findUniqueOrThrow({ where: { runId_sampleId: { runId, sampleId: seeded.sampleIds[i]! } } });
      const d = await reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId: item(i), decision: "ACCEPT", expectedVersion: cur.reviewVersion } } });
      expect(d.json.data.reviewDecide.errors).toEqual([]);
    }
    // item 4 relabelled but rejected: not in the new version, so no relabel there
    await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(4), label: "pneumonia", expectedVersion: 0 } } });
    await reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId: item(4), decision: "REJECT", expectedVersion: 1 } } });
    const f = await curator.raw<any>({ query: FINALIZE, variables: { input: { runId: toGlobalId("SelectionRun", runId) } } });
    expect(f.json.data.reviewFinalize.errors).toEqual([]);
    const version = f.json.data.reviewFinalize.datasetVersion;
    expect(version.sampleCount).toBe(4);
    const d = await reviewer.raw<any>({ query: DIFF, variables: { id: version.id } });
    expect(d.json.errors).toBeUndefined();
    const v = d.json.data.node;
    expect(v.labelCounts).toEqual([{ label: "covid", count: 1 }, { label: "normal", count: 1 }, { label: "pneumonia", count: 2 }]);
    expect(v.diff).toMatchObject({ added: 0, removed: 20 - 4, changed: 2, unchanged: 2, relabelled: 2 });
    expect(v.diff.relabels.totalCount).toBe(2);
    const rows = v.diff.relabels.nodes;
    expect(rows.map((x: any) => [x.externalId, x.fromLabel, x.toLabel, x.reviewer?.name])).toEqual([
      [ext(0), "normal", "pneumonia", expect.any(String)],
      [ext(1), "pneumonia", "covid", expect.any(String)],
    ]);
    expect(rows[0].run.id).toBe(toGlobalId("SelectionRun", runId));
    expect(rows[0].before.label).toBe("normal");
    expect(rows[0].after.label).toBe("pneumonia");
    // the reviewed version's sample row is untouched: traceable both ways
    const original = await live.store.prisma.sample.findUniqueOrThrow({ where: { id: seeded.sampleIds[0]! } });
    expect(original.label).toBe("normal");
    const link = await live.store.prisma.versionRelabel.findFirstOrThrow({ where: { fromSampleId: seeded.sampleIds[0]! } });
    const copy = await live.store.prisma.sample.findUniqueOrThrow({ where: { id: link.sampleId } });
    expect(copy).toMatchObject({ externalId: ext(0), label: "pneumonia", uri: original.uri, sha256: original.sha256, siteId: original.siteId });
    expect(link.relabelId).not.toBeNull();
    const before = await written();
    const late = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: item(5), label: "normal", expectedVersion: 0 } } });
    expect(late.json.data.reviewRelabel.errors[0]).toMatchObject({ code: "INVALID_STATE", field: ["input", "runId"] });
    expect(await written()).toEqual(before);
  });
});
