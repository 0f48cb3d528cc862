"use client";
// Live data over graphql-ws: job progress, a consortium's job activity and review activity. Each subscription starts at afterSeq 0,
// so the server first replays what the topic already holds (a job that finished before the page opened
// still reports its end) and then streams live; events are applied in sequence order, duplicates
// (a replay after a reconnect) ignored.
import { useSubscription } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";
import { getFragmentData, graphql } from "@/gql";
import type { ProgressState } from "@/components/charts/Charts";
import type { JobActivityKind, JobKind, ReviewDecisionEventFragment, RunStatus } from "@/gql/graphql";
import { useOnReconnect } from "./apollo";

const JobProgressSub = graphql(`
  subscription JobProgress($jobId: ID!, $afterSeq: Int) {
    jobProgress(jobId: $jobId, afterSeq: $afterSeq) { seq phase done total rate etaSeconds status final }
  }
`);

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** The latest progress of a job, or null before the first event. Calls onFinished once at the end. */
export function useJobProgress(jobId: string | null, onFinished?: (status: string) => void): ProgressState | null {
  const lastSeq = useRef<number | undefined>(undefined);
  const [state, setState] = useState<ProgressState | null>(null);
  const finished = useRef(false);
  useEffect(() => {
    lastSeq.current = undefined;
    finished.current = false;
    setState(null);
  }, [jobId]);
  useSubscription(JobProgressSub, {
    variables: { jobId: jobId ?? "", afterSeq: 0 },
    skip: !jobId,
    onData: ({ data }) => {
      const e = data.data?.jobProgress;
      if (!e || (lastSeq.current !== undefined && e.seq <= lastSeq.current)) return;
      lastSeq.current = e.seq;
      setState({ phase: e.phase, done: e.done, total: e.total, rate: e.rate, etaSeconds: e.etaSeconds, status: e.status });
      if ((e.final || TERMINAL.has(e.status)) && !finished.current) {
        finished.current = true;
        onFinished?.(e.status);
      }
    },
  });
  return state;
}

// `job` spreads the row fragment: the event's Job node lands in the normalised cache, so every list
// holding the job shows its new status without a query.
const JobActivitySub = graphql(`
  subscription JobActivity($consortiumId: ID!) {
    jobActivity(consortiumId: $consortiumId) { seq kind jobId status job { id kind status ...JobRow } }
  }
`);

export interface JobActivity {
  kind: JobActivityKind;
  jobId: string;
  /** What the job does (null when it is gone). */
  jobKind: JobKind | null;
  status: RunStatus;
  /** CREATED, or its status differs from the last event seen for it (an UPDATED that only moved the phase is false). */
  statusChanged: boolean;
}

/**
 * Follows the consortium's jobs (jobActivity): `onEvent` for each job created or changed, `onReconnect`
 * when the socket comes back (events sent while it was down are not replayed: re-read then). Pages
 * that listed jobs, runs, analyses or reports on a timer re-read on the events that concern them.
 */
export function useJobActivity(consortiumId: string | null | undefined, onEvent: (e: JobActivity) => void, onReconnect?: () => void): void {
  const statusOf = useRef(new Map<string, RunStatus>());
  const latest = useRef({ onEvent, onReconnect });
  useEffect(() => {
    latest.current = { onEvent, onReconnect };
  });
  useOnReconnect(() => latest.current.onReconnect?.(), !!consortiumId);
  useSubscription(JobActivitySub, {
    variables: { consortiumId: consortiumId ?? "" },
    skip: !consortiumId,
    onData: ({ data }) => {
      const e = data.data?.jobActivity;
      if (!e) return;
      const before = statusOf.current.get(e.jobId);
      statusOf.current.set(e.jobId, e.status);
      latest.current.onEvent({ kind: e.kind, jobId: e.jobId, jobKind: e.job?.kind ?? null, status: e.status, statusChanged: e.kind === "CREATED" || before !== e.status });
    },
  });
}

// What the review page's feed shows of a DECISION event (generated type ReviewDecisionEventFragment).
const ReviewDecisionEventDoc = graphql(`
  fragment ReviewDecisionEvent on ReviewActivityEvent {
    seq kind sampleId reviewerName
    decision { id applied decision comment version createdAt reviewer { id name } sample { id externalId } }
  }
`);

const ReviewActivitySub = graphql(`
  subscription ReviewActivity($runId: ID!, $afterSeq: Int) {
    reviewActivity(runId: $runId, afterSeq: $afterSeq) {
      seq kind
      present { userId name }
      item { id ...ReviewItemState }
      ...ReviewDecisionEvent
    }
  }
`);

/** A stored DECISION event: its seq and decision are there (PRESENCE events have neither). */
export type ReviewDecisionEvent = ReviewDecisionEventFragment & { seq: number; decision: NonNullable<ReviewDecisionEventFragment["decision"]> };

/** Who decided: the decision's reviewer, else the name the event carries (a reviewer you may not see). */
export function reviewerOf(e: ReviewDecisionEvent): { id: string; name: string } | null {
  return e.decision.reviewer ?? (e.reviewerName ? { id: "", name: e.reviewerName } : null);
}

/** The sample a decision is about. */
export function sampleOf(e: ReviewDecisionEvent): string | null {
  return e.decision.sample?.id ?? e.sampleId ?? null;
}

/** Decisions as they happen and who is reviewing the run right now. */
export function useReviewActivity(runId: string | null, onItem?: (e: ReviewDecisionEvent) => void) {
  const lastSeq = useRef<number | undefined>(undefined);
  const [events, setEvents] = useState<ReviewDecisionEvent[]>([]);
  const [present, setPresent] = useState<Array<{ id: string; name: string }>>([]);
  useSubscription(ReviewActivitySub, {
    variables: { runId: runId ?? "", afterSeq: 0 },
    skip: !runId,
    onData: ({ data }) => {
      const e = data.data?.reviewActivity;
      if (!e) return;
      if (e.seq != null) lastSeq.current = e.seq;
      if (e.kind === "PRESENCE") setPresent(e.present.map((p) => ({ id: p.userId, name: p.name })));
      const d = getFragmentData(ReviewDecisionEventDoc, e);
      if (d.kind === "DECISION" && d.decision && d.seq != null) {
        const view: ReviewDecisionEvent = { ...d, seq: d.seq, decision: d.decision };
        setEvents((xs) => (xs.some((x) => x.seq === view.seq) ? xs : [view, ...xs].slice(0, 200)));
        onItem?.(view);
      }
    },
  });
  return { events, present };
}
