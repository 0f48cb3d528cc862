// reviewActivity: stored review events (decisions, finalisation) of one run, resumable by seq, merged
// with ephemeral presence (who is subscribed to this run's review right now, from any process).
// The subscriber itself joins the presence list while its subscription is open.
import { randomUUID } from "node:crypto";
import type { Context } from "../../context.js";
import { canRead } from "../../auth/access.js";
import { Channel, pump, topics, type PresenceEntry } from "../../events/index.js";
import { toGlobalId } from "../../graphql/ids.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { consortiumOfRun } from "../run/run.service.js";
import { ReviewActivityEvent, ReviewActivityKind, ReviewDecision, ReviewPresence, ReviewRelabel } from "./review.type.js";
import type { ReviewEvent } from "./review.service.js";

function presenceEvent(runId: number, list: PresenceEntry[]): ReviewActivityEvent {
  return Object.assign(new ReviewActivityEvent(), {
    kind: ReviewActivityKind.PRESENCE,
    seq: null,
    runId: toGlobalId("SelectionRun", runId),
    decision: null,
    relabel: null,
    sampleId: null,
    reviewerName: null,
    datasetVersionId: null,
    itemRunId: null,
    itemSampleId: null,
    present: list.map((e) => Object.assign(new ReviewPresence(), { userId: toGlobalId("User", e.userId), name: e.name, seenAt: new Date(e.seenAt) })),
  });
}

function storedEvent(seq: number, e: ReviewEvent): ReviewActivityEvent {
  const d = e.decision;
  const l = e.relabel;
  const sampleId = d?.sampleId ?? l?.sampleId;
  return Object.assign(new ReviewActivityEvent(), {
    kind: e.kind === "DECISION" ? ReviewActivityKind.DECISION : e.kind === "RELABEL" ? ReviewActivityKind.RELABEL : ReviewActivityKind.FINALIZED,
    seq,
    runId: toGlobalId("SelectionRun", e.runId),
    decision: d ? ReviewDecision.from({ ...d, createdAt: new Date(d.createdAt) }) : null,
    relabel: l ? ReviewRelabel.from({ ...l, createdAt: new Date(l.createdAt) }) : null,
    sampleId: sampleId !== undefined ? toGlobalId("Sample", sampleId) : null,
    reviewerName: e.reviewerName ?? null,
    datasetVersionId: e.datasetVersionId ? toGlobalId("DatasetVersion", e.datasetVersionId) : null,
    itemRunId: sampleId !== undefined ? e.runId : null,
    itemSampleId: sampleId ?? null,
    present: [],
  });
}

export async function reviewActivityStream(ctx: Context, runId: number | null, afterSeq: number | null): Promise<AsyncIterable<ReviewActivityEvent>> {
  const channel = new Channel<ReviewActivityEvent>();
  const viewer = ctx.viewer;
  const consortiumId = runId === null ? null : await consortiumOfRun(ctx, runId);
  if (runId === null || consortiumId === null || !viewer || !(await canRead(ctx, consortiumId))) {
    channel.end();
    return channel;
  }
  const runtime = runtimeOf(ctx.app);
  const who = { userId: viewer.userId, tokenId: viewer.token?.id ?? null, sessionId: viewer.sessionId };
  const stopWatching = runtime.presence.watch(runId, (list) => {
    void runtime.authorizer.allows(who, consortiumId).then((ok) => (ok ? channel.push(presenceEvent(runId, list)) : channel.end()));
  });
  const leave = runtime.presence.join(runId, { id: viewer.userId, name: viewer.name }, randomUUID());
  channel.onClose(stopWatching);
  channel.onClose(leave);
  // Revocation ends the stream within a second even while no event arrives.
  channel.onClose(runtime.authorizer.watch(who, consortiumId, () => channel.end()));
  pump(channel, runtime.bus.subscribe<ReviewEvent>(topics.review(runId), { afterSeq: afterSeq ?? undefined }), async (event) => {
    if (!(await runtime.authorizer.allows(who, event.payload.consortiumId))) return "end";
    return { value: storedEvent(event.seq, event.payload) };
  });
  return channel;
}
