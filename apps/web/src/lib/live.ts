"use client";
// Live data over graphql-ws: job progress and review activity. Each subscription starts at afterSeq 0,
// so the server first replays what the topic already holds (a job that finished before the page opened
// still reports its end) and then streams live; events are applied in sequence order, duplicates
// (a replay after a reconnect) ignored.
import { useSubscription } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";
import { graphql } from "@/gql";
import type { ProgressState } from "@/components/charts/Charts";

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

const ReviewActivitySub = graphql(`
  subscription ReviewActivity($runId: ID!, $afterSeq: Int) {
    reviewActivity(runId: $runId, afterSeq: $afterSeq) {
      seq kind sampleId reviewerName
      present { userId name }
      item { id ...ReviewItemState }
      decision { id applied decision comment version createdAt reviewer { id name } sample { id externalId } }
    }
  }
`);

export interface ReviewEventView {
  seq: number;
  kind: string;
  at: string;
  decision: string | null;
  comment: string | null;
  reviewer: { id: string; name: string } | null;
  sampleId: string | null;
  externalId: string | null;
  /** False when the decision lost an optimistic-concurrency conflict (kept in the log, not applied). */
  applied: boolean;
  version: number;
}

/** Decisions as they happen and who is reviewing the run right now. */
export function useReviewActivity(runId: string | null, onItem?: (e: ReviewEventView) => void) {
  const lastSeq = useRef<number | undefined>(undefined);
  const [events, setEvents] = useState<ReviewEventView[]>([]);
  const [present, setPresent] = useState<Array<{ id: string; name: string }>>([]);
  useSubscription(ReviewActivitySub, {
    variables: { runId: runId ?? "", afterSeq: 0 },
    skip: !runId,
    onData: ({ data }) => {
      const e = data.data?.reviewActivity;
      if (!e) return;
      if (e.seq != null) lastSeq.current = e.seq;
      if (e.kind === "PRESENCE") setPresent(e.present.map((p) => ({ id: p.userId, name: p.name })));
      const d = e.decision;
      if (e.kind === "DECISION" && d && e.seq != null) {
        const view: ReviewEventView = {
          seq: e.seq, kind: e.kind, at: d.createdAt, decision: d.decision, comment: d.comment ?? null,
          reviewer: d.reviewer ?? (e.reviewerName ? { id: "", name: e.reviewerName } : null),
          sampleId: d.sample?.id ?? e.sampleId ?? null, externalId: d.sample?.externalId ?? null, applied: d.applied, version: d.version,
        };
        setEvents((xs) => (xs.some((x) => x.seq === e.seq) ? xs : [view, ...xs].slice(0, 200)));
        onItem?.(view);
      }
    },
  });
  return { events, present };
}
