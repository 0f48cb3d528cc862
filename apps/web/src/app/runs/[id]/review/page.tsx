"use client";
// The review queue: keyboard driven (A accept, R reject, F flag, C comment, L take the data-quality
// report's suggested label, J/→ next, K/← previous), ordered by rank or by label-error / outlier score,
// shows who else is reviewing, applies others' decisions live, and shows a conflict with the server's
// current state instead of swallowing it. Curators finalise the accepted subset into a new version.
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { getFragmentData, graphql } from "@/gql";
import { ReviewItemStateDoc } from "@/components/review/reviewItem";
import type { ReviewDecisionKind, ReviewQueueOrder, ReviewQueueQuery } from "@/gql/graphql";
import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { Alert, Avatar, Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, StatusBadge, fmtInt, fmtWhen, sampleImageUrl, useToast } from "@/components/ui";
import { reviewerOf, sampleOf, useReviewActivity, type ReviewDecisionEvent } from "@/lib/live";
import { SimilarCard } from "@/components/quality/DataQuality";
import { describeError, errorsByField } from "@/lib/errors";
import { strategyLabel } from "@/lib/runForm";

const ReviewQueueDoc = graphql(`
  query ReviewQueue($id: ID!, $after: String, $order: ReviewQueueOrder) {
    node(id: $id) {
      ... on SelectionRun {
        id name strategy status reviewFinalizedAt
        embeddingSet { id }
        reviewedVersion { id number }
        datasetVersion { id number labelCounts { label } dataset { id name project { id name consortium { id } } } }
        reviewQueueOrders { order available reason }
        reviewQueue(order: $order, first: 100, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id rank label groupKey reason ...ReviewItemState group { id name } sample { id externalId site { code } metadata }
            quality { labelErrorScore suggestedLabel labelIssue outlierRatio outlierRank }
          }
        }
      }
    }
  }
`);

const Decide = graphql(`
  mutation ReviewDecide($input: ReviewDecideInput!) {
    reviewDecide(input: $input) {
      item { id ...ReviewItemState }
      decision { id applied decision comment version }
      errors { code field message }
    }
  }
`);

const Relabel = graphql(`
  mutation ReviewRelabel($input: ReviewRelabelInput!) {
    reviewRelabel(input: $input) {
      item { id ...ReviewItemState }
      relabel { id label applied version }
      errors { code field message }
    }
  }
`);

const ORDER_NAMES: Record<string, string> = { RANK: "run order", LABEL_ERROR: "likely label errors first", OUTLIER: "outliers first" };

const Finalize = graphql(`
  mutation ReviewFinalize($input: ReviewFinalizeInput!) {
    reviewFinalize(input: $input) { datasetVersion { id number } errors { code field message } }
  }
`);

type Run = Extract<NonNullable<ReviewQueueQuery["node"]>, { __typename: "SelectionRun" }>;
type RawItem = Run["reviewQueue"]["nodes"][number];
type Item = RawItem & { sample: NonNullable<RawItem["sample"]> };
type Decision = ReviewDecisionKind;
interface ItemState { decision: string | null; comment: string | null; version: number; by?: string | null; label?: string | null }
interface Conflict { sampleId: string; mine: Decision; myComment: string | null; current: ItemState; message: string }

const MARK: Record<string, string> = { ACCEPT: "#40c057", REJECT: "#fa5252", FLAG: "#fab005" };

export default function ReviewPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const toast = useToast();
  const [order, setOrder] = useState<ReviewQueueOrder>("RANK");
  const { data, loading, error, fetchMore } = useQuery(ReviewQueueDoc, { variables: { id, order } });
  const run = data?.node?.__typename === "SelectionRun" ? data.node : null;
  const { role, userId } = useViewerScope(run?.datasetVersion?.dataset.project.consortium.id);
  const items = useMemo(() => (run?.reviewQueue.nodes ?? []).filter((it): it is Item => it.sample != null), [run]);
  const [index, setIndex] = useState(0);
  const [fresh, setFresh] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [commenting, setCommenting] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [similar, setSimilar] = useState(false);
  const [decide, { loading: deciding }] = useMutation(Decide);
  const [finalize, { loading: finalizing }] = useMutation(Finalize);
  const [finalMsg, setFinalMsg] = useState("");
  const commentRef = useRef<HTMLTextAreaElement>(null);

  // Load every page of the queue (runs are budget-sized: hundreds of items).
  useEffect(() => {
    if (run?.reviewQueue.pageInfo.hasNextPage) {
      // appended to run.reviewQueue by the cache's type policy (lib/pagination.ts)
      void fetchMore({ variables: { after: run.reviewQueue.pageInfo.endCursor, order } });
    }
  }, [run, fetchMore, order]);

  // Items are updated by the cache: our mutations and others' reviewActivity events carry the item
  // (…ReviewItemState with its id). Only "by whom" comes from the live feed: the newest applied decision
  // of someone else on that sample.
  const onLive = useCallback((e: ReviewDecisionEvent) => {
    if (sampleOf(e) && e.decision.applied && reviewerOf(e)?.id !== userId) setFresh(e.seq);
  }, [userId]);
  const { events, present } = useReviewActivity(run ? id : null, onLive);
  const byOf = useMemo(() => {
    const m = new Map<string, string | null>();
    for (const e of events) {
      const sampleId = sampleOf(e);
      const reviewer = reviewerOf(e);
      if (sampleId && e.decision.applied && !m.has(sampleId)) m.set(sampleId, reviewer && reviewer.id !== userId ? reviewer.name : null);
    }
    return m;
  }, [events, userId]);
  const stateOf = useCallback((it: Item): ItemState => {
    const s = getFragmentData(ReviewItemStateDoc, it);
    return { decision: s.reviewDecision ?? null, comment: s.reviewComment ?? null, version: s.reviewVersion, label: s.reviewLabel ?? null, by: byOf.get(it.sample.id) ?? null };
  }, [byOf]);

  const current = items[index];
  const go = useCallback((d: number) => {
    setIndex((i) => Math.max(0, Math.min(items.length - 1, i + d)));
    setConflict(null);
    setErr(null);
  }, [items.length]);

  // One decision at a time. A ref, not the mutation's loading state: that reaches the key handler only
  // after a re-render, so a key pressed right after the queue moved on was dropped.
  const sending = useRef(false);
  const send = useCallback(async (decision: Decision, expectedVersion?: number, note?: string | null) => {
    if (!current || !run || sending.current) return;
    sending.current = true;
    const st = stateOf(current);
    const text = note !== undefined ? note : comment.trim() || null;
    setErr(null);
    try {
      const { data } = await decide({ variables: { input: { itemId: current.id, decision, comment: text, expectedVersion: expectedVersion ?? st.version } } });
      const p = data?.reviewDecide;
      if (!p) return;
      const conflictErr = p.errors.find((e) => e.code === "CONFLICT");
      if (conflictErr) {
        // On CONFLICT the payload's item is the server's current state (already in the cache, by its id);
        // our decision is logged, not applied.
        const cur = p.item ? getFragmentData(ReviewItemStateDoc, p.item) : null;
        setConflict({
          sampleId: current.sample.id, mine: decision, myComment: text, message: conflictErr.message,
          current: cur ? { decision: cur.reviewDecision ?? null, comment: cur.reviewComment ?? null, version: cur.reviewVersion } : st,
        });
        return;
      }
      if (p.errors.length) {
        setErr(Object.values(errorsByField(p.errors)).join(" "));
        return;
      }
      if (p.item) {
        setComment("");
        setCommenting(false);
        setConflict(null);
        go(1);
      }
    } catch (e) {
      setErr(describeError(e));
    } finally {
      sending.current = false;
    }
  }, [current, run, stateOf, comment, decide, go]);

  // A corrected label (null withdraws it); a label the version lacks needs allowNewLabel, which the form
  // asks for explicitly. Same optimistic version as decisions.
  const [relabelMut, { loading: relabelling }] = useMutation(Relabel);
  const [newLabel, setNewLabel] = useState("");
  const relabel = useCallback(async (label: string | null, allowNewLabel = false) => {
    if (!current || !run || sending.current) return;
    sending.current = true;
    const st = stateOf(current);
    setErr(null);
    try {
      const { data } = await relabelMut({ variables: { input: { itemId: current.id, label, allowNewLabel, expectedVersion: st.version } } });
      const p = data?.reviewRelabel;
      if (!p) return;
      if (p.errors.length) setErr(p.errors.map((e) => e.message).join(" "));
      else setNewLabel("");
    } catch (e) {
      setErr(describeError(e));
    } finally {
      sending.current = false;
    }
  }, [current, run, stateOf, relabelMut]);

  const canReview = atLeast(role, "REVIEWER") && !run?.reviewFinalizedAt;

  // The key handler reads the latest render's callbacks, updated before the browser paints: a key pressed
  // as soon as the new item shows acts on that item.
  const suggestion = current?.quality && current.quality.suggestedLabel !== current.label ? current.quality.suggestedLabel : null;
  const keys = useRef({ go, send, canReview, relabel, suggestion });
  useLayoutEffect(() => {
    keys.current = { go, send, canReview, relabel, suggestion };
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { go, send, canReview, relabel, suggestion } = keys.current;
      if (e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement) {
        if (e.key === "Escape") { (e.target as HTMLElement).blur(); setCommenting(false); }
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === "j" || e.key === "ArrowRight") { e.preventDefault(); go(1); }
      else if (k === "k" || e.key === "ArrowLeft") { e.preventDefault(); go(-1); }
      else if (!canReview || sending.current) return;
      else if (k === "a") { e.preventDefault(); void send("ACCEPT"); }
      else if (k === "r") { e.preventDefault(); void send("REJECT"); }
      else if (k === "f") { e.preventDefault(); void send("FLAG"); }
      else if (k === "l" && suggestion) { e.preventDefault(); void relabel(suggestion); }
      else if (k === "c") { e.preventDefault(); setCommenting(true); setTimeout(() => commentRef.current?.focus(), 0); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const counts = useMemo(() => {
    const c = { ACCEPT: 0, REJECT: 0, FLAG: 0, pending: 0 };
    for (const it of items) {
      const d = stateOf(it).decision;
      if (d === "ACCEPT" || d === "REJECT" || d === "FLAG") c[d]++;
      else c.pending++;
    }
    return c;
  }, [items, stateOf]);

  const v = run?.datasetVersion;
  const st = current ? stateOf(current) : null;
  const others = present.filter((p) => p.id !== userId);
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: run?.name || "Run", href: run ? `/runs/${run.id}` : undefined }, { label: "Review" }]}
    >
      {error && !run && <div className="alert bad">{error.message}</div>}
      {loading && !run ? <SkeletonRows rows={10} /> : !run ? <Empty title="Run not found" /> : items.length === 0 ? <Empty title="Nothing to review">This run selected no items, or it has not finished.</Empty> : (
        <>
          <PageHead
            title={<>Review · {run.name || strategyLabel(run.strategy)}</>}
            sub={<span data-testid="review-counts"><Badge tone="ok">{counts.ACCEPT} accepted</Badge> <Badge tone="bad">{counts.REJECT} rejected</Badge> <Badge tone="warn">{counts.FLAG} flagged</Badge> <span className="muted">{counts.pending} pending of {fmtInt(run.reviewQueue.totalCount)}</span></span>}
            actions={
              <div className="row" data-testid="presence">
                <label className="muted small" htmlFor="review-order">Order</label>
                <select id="review-order" className="input" data-testid="review-order" value={order} onChange={(e) => { setOrder(e.target.value as ReviewQueueOrder); setIndex(0); }}>
                  {run.reviewQueueOrders.map((o) => (
                    <option key={o.order} value={o.order} disabled={!o.available} title={o.reason ?? undefined}>{ORDER_NAMES[o.order] ?? o.order}{o.available ? "" : " — needs a data-quality report"}</option>
                  ))}
                </select>
                <span className="muted small">{present.length ? `reviewing now:` : ""}</span>
                <div className="avatars">{present.map((p) => <Avatar key={p.id} name={p.name} title={`${p.name}${p.id === userId ? " (you)" : ""}`} />)}</div>
                {others.length > 0 && <span className="small" data-testid="others-present">{others.map((o) => o.name).join(", ")}</span>}
              </div>
            }
          />
          {run.reviewFinalizedAt && <Alert tone="info">This review was finalised {fmtWhen(run.reviewFinalizedAt)}{run.reviewedVersion && <> into <Link href={`/versions/${run.reviewedVersion.id}`}>v{run.reviewedVersion.number}</Link></>}. Decisions are read-only.</Alert>}
          <div className="review" style={{ marginTop: 8 }}>
            <div className="stack">
              <Card testId="review-stage">
                {current && st && (
                  <div className="review-stage">
                    <img src={sampleImageUrl(current.sample.id)} alt={current.sample.externalId} />
                    <div className="stack" style={{ gap: 10 }}>
                      <div className="row" style={{ justifyContent: "space-between" }}>
                        <h2 data-testid="current-item">#{current.rank} · {current.sample.externalId}</h2>
                        <span className="muted" data-testid="position">{index + 1} / {items.length}</span>
                      </div>
                      <dl className="kv">
                        <dt>label</dt>
                        <dd data-testid="current-label">
                          {st.label ? <><s className="muted">{current.label}</s> → <b>{st.label}</b> <span className="muted small">(corrected; written into the finalised version)</span></> : <b>{current.label}</b>}
                        </dd>
                        {current.quality && (
                          <>
                            <dt>quality</dt>
                            <dd className="small" data-testid="current-quality">
                              label-error {current.quality.labelErrorScore.toFixed(2)}{current.quality.labelIssue && <> <Badge tone="warn">likely mislabelled</Badge></>}
                              {current.quality.suggestedLabel !== current.label && <> · suggests <b>{current.quality.suggestedLabel}</b></>}
                              {current.quality.outlierRatio != null && <> · outlier {current.quality.outlierRatio.toFixed(1)}× class median</>}
                            </dd>
                          </>
                        )}
                        <dt>group</dt><dd>{current.group?.name ?? current.groupKey ?? "—"}</dd>
                        <dt>site</dt><dd>{current.sample.site?.code ?? "—"}</dd>
                        <dt>why</dt><dd className="small">{current.reason}</dd>
                        {Object.entries((current.sample.metadata ?? {}) as Record<string, unknown>).slice(0, 5).map(([k, val]) => <Fragment key={k}><dt>{k}</dt><dd>{String(val)}</dd></Fragment>)}
                        <dt>decision</dt>
                        <dd data-testid="current-decision">{st.decision ? <StatusBadge status={st.decision} /> : <span className="muted">pending</span>}{st.by && <span className="muted small"> by {st.by}</span>}{st.comment && <div className="small">“{st.comment}”</div>}</dd>
                      </dl>
                      {conflict && conflict.sampleId === current.sample.id && (
                        <div className="alert warn" data-testid="conflict">
                          <b>Someone else decided this item first.</b> {conflict.message}
                          <div style={{ marginTop: 4 }}>Server now says: <StatusBadge status={conflict.current.decision} />{conflict.current.comment && <> “{conflict.current.comment}”</>} (version {conflict.current.version}). Yours: <StatusBadge status={conflict.mine} />.</div>
                          <div className="row" style={{ marginTop: 6 }}>
                            <button className="btn sm" onClick={() => void send(conflict.mine, conflict.current.version, conflict.myComment)}>Apply mine over theirs</button>
                            <button className="btn sm ghost" onClick={() => { setConflict(null); go(1); }}>Keep theirs, next</button>
                          </div>
                        </div>
                      )}
                      {canReview ? (
                        <>
                          {(commenting || comment) && (
                            <textarea ref={commentRef} className="input" rows={2} placeholder="Comment (sent with your next decision; Esc to leave)" value={comment} onChange={(e) => setComment(e.target.value)} data-testid="comment" />
                          )}
                          <div className="row" data-testid="relabel">
                            <span className="muted small">Relabel:</span>
                            {suggestion && st.label !== suggestion && <button className="btn sm" disabled={relabelling} onClick={() => void relabel(suggestion)} data-testid="relabel-suggested">Use suggestion “{suggestion}” <kbd>L</kbd></button>}
                            <select className="input" aria-label="Corrected label" value="" disabled={relabelling} onChange={(e) => { if (e.target.value) void relabel(e.target.value); }} data-testid="relabel-select">
                              <option value="">another label…</option>
                              {(run.datasetVersion?.labelCounts ?? []).filter((l) => l.label !== current.label && l.label !== st.label).map((l) => <option key={l.label} value={l.label}>{l.label}</option>)}
                            </select>
                            <input className="input" style={{ width: 130 }} placeholder="new label" value={newLabel} onChange={(e) => setNewLabel(e.target.value)} aria-label="New label" data-testid="relabel-new" />
                            <button className="btn sm ghost" disabled={relabelling || !newLabel.trim()} onClick={() => void relabel(newLabel.trim(), true)} title="A label no sample of this version has: said explicitly (allowNewLabel)">Add as new label</button>
                            {st.label && <button className="btn sm ghost" disabled={relabelling} onClick={() => void relabel(null)} data-testid="relabel-undo">Keep “{current.label}”</button>}
                          </div>
                          <div className="row">
                            <button className="btn" style={{ color: "var(--ok)" }} disabled={deciding} onClick={() => void send("ACCEPT")}>Accept <kbd>A</kbd></button>
                            <button className="btn" style={{ color: "var(--bad)" }} disabled={deciding} onClick={() => void send("REJECT")}>Reject <kbd>R</kbd></button>
                            <button className="btn" style={{ color: "var(--warn)" }} disabled={deciding} onClick={() => void send("FLAG")}>Flag <kbd>F</kbd></button>
                            <button className="btn ghost" onClick={() => { setCommenting(true); setTimeout(() => commentRef.current?.focus(), 0); }}>Comment <kbd>C</kbd></button>
                            {run.embeddingSet && <button className="btn ghost" data-testid="more-like-this" onClick={() => setSimilar((on) => !on)}>{similar ? "Hide similar" : "More like this"}</button>}
                            <span className="muted small" style={{ marginLeft: "auto" }}><kbd>K</kbd>/<kbd>←</kbd> prev · <kbd>J</kbd>/<kbd>→</kbd> next</span>
                          </div>
                        </>
                      ) : <div className="muted small">{run.reviewFinalizedAt ? "" : "Your role can look but not decide."} <kbd>K</kbd>/<kbd>J</kbd> to move.</div>}
                      <ErrorText testId="review-error">{err}</ErrorText>
                    </div>
                  </div>
                )}
              </Card>
              {similar && run.embeddingSet && current && (
                <SimilarCard sampleId={current.sample.id} externalId={current.sample.externalId} embeddingSetId={run.embeddingSet.id} mapHref={run.datasetVersion ? `/versions/${run.datasetVersion.id}/map?colour=${encodeURIComponent(`meta:similar:${current.sample.id}`)}` : undefined} onClose={() => setSimilar(false)} />
              )}
              <Card title="Queue">
                <div className="strip" data-testid="review-strip">
                  {items.map((it, i) => {
                    const d = stateOf(it).decision;
                    return (
                      <button key={it.sample.id} className={i === index ? "cur" : ""} onClick={() => { setIndex(i); setConflict(null); }} title={`#${it.rank} ${it.sample.externalId}${d ? ` · ${d.toLowerCase()}` : ""}`} data-decision={d ?? ""}>
                        <img src={sampleImageUrl(it.sample.id)} alt="" loading="lazy" />
                        {d && <span className="mk" style={{ background: MARK[d] }} />}
                      </button>
                    );
                  })}
                </div>
              </Card>
            </div>
            <div className="stack">
              <Card title="Live activity" flush testId="activity">
                <div className="feed">
                  {events.length === 0 ? <Empty title="No decisions yet">Decisions by everyone reviewing this run appear here as they happen.</Empty> : events.map((e) => (
                    <div key={e.seq} className={`feed-item ${e.seq === fresh ? "fresh" : ""}`} data-testid="activity-item">
                      {reviewerOf(e) && <Avatar name={reviewerOf(e)!.name} />}
                      <div style={{ minWidth: 0 }}>
                        <b>{reviewerOf(e)?.name ?? "someone"}</b> <StatusBadge status={e.decision.decision} /> <span className="mono small">{e.decision.sample?.externalId}</span>
                        {e.decision.comment && <div className="muted small">“{e.decision.comment}”</div>}
                      </div>
                      <span className="muted small" style={{ marginLeft: "auto" }}>{fmtWhen(e.decision.createdAt)}</span>
                    </div>
                  ))}
                </div>
              </Card>
              {atLeast(role, "CURATOR") && !run.reviewFinalizedAt && (
                <Card title="Finalise">
                  <p className="muted small" style={{ marginTop: 0 }}>Creates a new dataset version holding the {counts.ACCEPT} accepted items, linked to this run.</p>
                  <input className="input" style={{ width: "100%", marginBottom: 8 }} placeholder="Version message" value={finalMsg} onChange={(e) => setFinalMsg(e.target.value)} aria-label="Version message" />
                  <button className="btn primary" disabled={finalizing || counts.ACCEPT === 0} onClick={async () => {
                    setErr(null);
                    try {
                      const { data } = await finalize({ variables: { input: { runId: run.id, message: finalMsg || `Reviewed subset of ${run.name || strategyLabel(run.strategy)}` } } });
                      const p = data?.reviewFinalize;
                      if (p?.datasetVersion) { toast(`Created v${p.datasetVersion.number}`, "ok"); router.push(`/versions/${p.datasetVersion.id}`); }
                      else setErr(Object.values(errorsByField(p?.errors)).join(" "));
                    } catch (e) { setErr(describeError(e)); }
                  }}>Finalise into a new version</button>
                </Card>
              )}
            </div>
          </div>
        </>
      )}
    </AppShell>
  );
}
