"use client";
// Every job of the consortium, newest first, filtered by status and kind, a page at a time
// (Consortium.jobs); queued and running rows follow their jobProgress subscription live. Not polled:
// jobActivity announces new jobs (the page is re-read) and status changes (the Job node it carries
// updates the row in the cache); after a reconnect the page is read once more.
import { useParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "@/gql";
import type { JobKind, RunStatus } from "@/gql/graphql";
import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { ApiGap } from "@/components/ApiGap";
import { JobsTable } from "@/components/JobsTable";
import { Card, PageHead } from "@/components/ui";
import { useJobActivity } from "@/lib/live";

const PAGE = 25;

const JobsDoc = graphql(`
  query ConsortiumJobs($id: ID!, $first: Int, $after: String, $status: [RunStatus!], $kind: [JobKind!]) {
    consortium(id: $id) {
      id name
      jobs(first: $first, after: $after, status: $status, kind: $kind) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id ...JobRow }
      }
    }
  }
`);

const STATUS_FILTERS: Record<string, RunStatus[] | null> = {
  all: null,
  active: ["QUEUED", "RUNNING"],
  succeeded: ["SUCCEEDED"],
  failed: ["FAILED", "CANCELLED"],
};
const KINDS: JobKind[] = ["EMBED", "ANALYZE", "SELECT", "PROBE", "IMPORT", "QUALITY"];

export default function JobsPage() {
  const { id } = useParams<{ id: string }>();
  const [statusFilter, setStatusFilter] = useState("all");
  const [kind, setKind] = useState<JobKind | "">("");
  // Cursors of the pages before the current one: "Newer" pops, "Older" pushes the current endCursor.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const { data, error, refetch } = useQuery(JobsDoc, {
    variables: { id, first: PAGE, after, status: STATUS_FILTERS[statusFilter], kind: kind ? [kind] : null },
  });
  const reread = () => void refetch();
  // A new job may belong on this page; a status change may move a job out of the status filter.
  useJobActivity(id, (e) => (e.kind === "CREATED" || (e.statusChanged && STATUS_FILTERS[statusFilter] !== null)) && reread(), reread);
  const c = data?.consortium ?? null;
  const { role } = useViewerScope(id);
  const jobs = c?.jobs ?? null;
  const resetPaging = () => setCursors([null]);
  return (
    <AppShell scope={{ consortiumId: id }} crumbs={[{ label: c?.name ?? "Consortium", href: `/c/${id}` }, { label: "Jobs" }]}>
      <PageHead title="Jobs" sub={jobs ? `${jobs.totalCount.toLocaleString("en-US")} jobs, newest first` : undefined} />
      <div className="row" style={{ marginBottom: 12, gap: 8 }}>
        <label className="small">status{" "}
          <select value={statusFilter} data-testid="jobs-status" onChange={(e) => { setStatusFilter(e.target.value); resetPaging(); }}>
            {Object.keys(STATUS_FILTERS).map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label className="small">kind{" "}
          <select value={kind} data-testid="jobs-kind" onChange={(e) => { setKind(e.target.value as JobKind | ""); resetPaging(); }}>
            <option value="">all</option>
            {KINDS.map((k) => <option key={k} value={k}>{k.toLowerCase()}</option>)}
          </select>
        </label>
      </div>
      <Card flush testId="jobs-list">
        {!jobs ? <ApiGap error={error ?? (data && !c ? new Error("This consortium does not exist, or you are not a member.") : undefined)} /> : (
          <>
            <JobsTable jobs={jobs.nodes} onFinished={() => void refetch()} canCancel={atLeast(role, "CURATOR")} withWhen empty={{ title: "No jobs", text: "No job matches these filters." }} />
            <div className="row" style={{ padding: 10, justifyContent: "center", gap: 8 }}>
              <button className="btn sm" disabled={cursors.length <= 1} onClick={() => setCursors((s) => s.slice(0, -1))}>Newer</button>
              <span className="muted small">page {cursors.length}</span>
              <button className="btn sm" data-testid="jobs-older" disabled={!jobs.pageInfo.hasNextPage} onClick={() => setCursors((s) => [...s, jobs.pageInfo.endCursor])}>Older</button>
            </div>
          </>
        )}
      </Card>
    </AppShell>
  );
}
