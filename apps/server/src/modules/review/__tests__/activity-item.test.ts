/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// reviewActivity events carry the item they changed (issue 15): `item` is the SelectionItem with its
// id and __typename, read when the event is delivered, so a client's normalised cache updates the item
// by itself. A replayed event carries the item's current state, not the state at the time of the event
// (a replay after a page load must not roll the cache back). The old fields stay for other clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken, seedUser, TestClient } from "../../../test/harness.js";
import { toCompositeGlobalId, toGlobalId } from "../../../graphql/ids.js";
import { collect, startLiveServer, wsClient, type LiveServer } from "../../../test/live-harness.js";
import { createReviewableRun, seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let live: LiveServer;
let seeded: SeededDataset;
let reviewer: TestClient;
let watcherToken = "";
let runId = 0;
const N = 4;

const ITEM = "item { __typename id reviewDecision reviewComment reviewLabel reviewVersion }";
const ACTIVITY = `subscription ($runId: ID!, $afterSeq: Int) {
  reviewActivity(runId: $runId, afterSeq: $afterSeq) { kind seq sampleId reviewerName decision { decision applied version } relabel { label } ${ITEM} }
}`;
const DECIDE = `mutation ($input: ReviewDecideInput!) { reviewDecide(input: $input) { ${ITEM} errors { code } } }`;
const RELABEL = `mutation ($input: ReviewRelabelInput!) { reviewRelabel(input: $input) { ${ITEM} errors { code } } }`;

const itemId = (i: number) => toCompositeGlobalId("SelectionItem", [runId, seeded.sampleIds[i]!]);
type Event = { reviewActivity: any };
const stored = (all: Event[]) => all.map((e) => e.reviewActivity).filter((e) => e.kind !== "PRESENCE");

beforeAll(async () => {
  live = await startLiveServer();
  seeded = await seedDataset(live.store, { n: 12, groups: 2, slug: "activity-item" });
  const r = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "REVIEWER" }], "activity-reviewer");
  const v = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "VIEWER" }], "activity-viewer");
  reviewer = new TestClient(live, (await seedToken(live.store, r.id, seeded.consortiumId, "REVIEWER")).secret);
  watcherToken = (await seedToken(live.store, v.id, seeded.consortiumId, "VIEWER")).secret;
  runId = await createReviewableRun(live.store, seeded, { n: N, perClass: 2, manifestHash: "f".repeat(64) });
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe("reviewActivity carries the changed item", () => {
  it("DECISION and RELABEL events carry the SelectionItem (id, __typename, current review state) beside the old fields", async () => {
    const runGid = toGlobalId("SelectionRun", runId);
    const ws = wsClient(live, { token: watcherToken });
    const activity = collect<Event>(ws, ACTIVITY, { runId: runGid }, (all) => stored(all).length >= 2);
    await new Promise((r) => setTimeout(r, 300)); // let the subscription register
    const decided = await reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId: itemId(0), decision: "ACCEPT", comment: "clear", expectedVersion: 0 } } });
    expect(decided.json.data.reviewDecide.errors).toEqual([]);
    const relabelled = await reviewer.raw<any>({ query: RELABEL, variables: { input: { itemId: itemId(1), label: "effusion", allowNewLabel: true, expectedVersion: 0 } } });
    expect(relabelled.json.data.reviewRelabel.errors).toEqual([]);
    const got = await activity;
    await ws.dispose();
    expect(got.errors).toEqual([]);
    const [d, l] = stored(got.events);
    expect(d).toMatchObject({ kind: "DECISION", sampleId: toGlobalId("Sample", seeded.sampleIds[0]!), reviewerName: "activity-reviewer", decision: { decision: "ACCEPT", applied: true, version: 1 } });
    // the same object the mutation returned: a cache keyed by __typename + id merges the two
    expect(d.item).toEqual(decided.json.data.reviewDecide.item);
    expect(d.item).toEqual({ __typename: "SelectionItem", id: itemId(0), reviewDecision: "ACCEPT", reviewComment: "clear", reviewLabel: null, reviewVersion: 1 });
    expect(l).toMatchObject({ kind: "RELABEL", sampleId: toGlobalId("Sample", seeded.sampleIds[1]!), relabel: { label: "effusion" } });
    expect(l.item).toEqual({ __typename: "SelectionItem", id: itemId(1), reviewDecision: null, reviewComment: null, reviewLabel: "effusion", reviewVersion: 1 });
  });

  it("a replayed event carries the item as it is now, so a replay after a page load does not roll the cache back", async () => {
    const again = await reviewer.raw<any>({ query: DECIDE, variables: { input: { itemId: itemId(0), decision: "REJECT", expectedVersion: 1 } } });
    expect(again.json.data.reviewDecide.item).toMatchObject({ reviewDecision: "REJECT", reviewVersion: 2 });
    const ws = wsClient(live, { token: watcherToken });
    const replay = await collect<Event>(ws, ACTIVITY, { runId: toGlobalId("SelectionRun", runId), afterSeq: 0 }, (all) => stored(all).length >= 3);
    await ws.dispose();
    const events = stored(replay.events);
    expect(events.map((e) => e.kind)).toEqual(["DECISION", "RELABEL", "DECISION"]);
    // the first event was the ACCEPT at version 1; its item is the item now (REJECT, version 2)
    expect(events[0].decision).toMatchObject({ decision: "ACCEPT", version: 1 });
    expect(events[0].item).toMatchObject({ id: itemId(0), reviewDecision: "REJECT", reviewVersion: 2 });
    expect(events[2].item).toEqual(events[0].item);
  });
});
