"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { useMemo, useRef } from "react";
import { graphql } from "@/gql";
import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { Card, Empty, PageHead, SkeletonRows, Stat, fmtInt, fmtWhen } from "@/components/ui";
import { JobsTable } from "@/components/JobsTable";
import { RunsTable } from "@/components/RunsTable";
import { ApiGap } from "@/components/ApiGap";
import { useJobActivity } from "@/lib/live";

const ProjectQuery = graphql(`
  query ProjectOverview($id: ID!) {
    node(id: $id) {
      ... on Project {
        id name description
        consortium { id name }
        datasets(first: 50) {
          nodes {
            id name description
            versionCount
            latestVersion { id number message sampleCount createdAt author { id name } }
          }
        }
      }
    }
  }
`);

// Recent runs from each dataset's latest version; asked separately so the rest of the page does not
// re-render while runs move. Progress is not read here (running jobs follow jobProgress below): the list
// is re-read when a selection job is created or changes status (jobActivity), not on a timer.
const ProjectActivityQuery = graphql(`
  query ProjectActivity($id: ID!) {
    node(id: $id) {
      ... on Project {
        id
        datasets(first: 20) {
          nodes {
            id
            latestVersion {
              id
              runs(first: 10) { nodes { id createdAt ...RunRow } }
            }
          }
        }
      }
    }
  }
`);

// The consortium's queued and running jobs (jobs belong to the consortium); rows move live through
// jobProgress, the list is re-read when one of them ends and when jobActivity announces a new one.
const RunningJobsQuery = graphql(`
  query RunningJobs($consortiumId: ID!) {
    consortium(id: $consortiumId) {
      id
      jobs(first: 10, status: [QUEUED, RUNNING]) {
        totalCount
        nodes { id ...JobRow }
      }
    }
  }
`);

const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

export default function ProjectPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const boxRef = useRef<HTMLDivElement>(null);
  // Not polled: a dataset or version appears when an import job ends (jobActivity, below).
  const { data, loading, error, refetch } = useQuery(ProjectQuery, { variables: { id } });
  const p = data?.node?.__typename === "Project" ? data.node : null;
  const { role } = useViewerScope(p?.consortium.id);
  const act = useQuery(ProjectActivityQuery, { variables: { id } });
  const a = useMemo(() => {
    const node = act.data?.node?.__typename === "Project" ? act.data.node : null;
    if (!node) return null;
    const versions = node.datasets.nodes.flatMap((d) => (d.latestVersion ? [d.latestVersion] : []));
    const runs = versions.flatMap((v) => v.runs.nodes).sort((x, y) => y.createdAt.localeCompare(x.createdAt)).slice(0, 10);
    return { recentRuns: { nodes: runs } };
  }, [act.data]);
  const running = useQuery(RunningJobsQuery, { variables: { consortiumId: p?.consortium.id ?? "" }, skip: !p });
  useJobActivity(
    p?.consortium.id,
    (e) => {
      if (e.kind === "CREATED" || (e.statusChanged && FINAL.has(e.status))) void running.refetch();
      if (e.statusChanged && e.jobKind === "SELECT") void act.refetch();
      if (e.statusChanged && e.jobKind === "IMPORT" && e.status === "SUCCEEDED") void refetch();
    },
    () => {
      void refetch();
      void act.refetch();
      void running.refetch();
    },
  );
  const jobs = running.data?.consortium?.jobs ?? null;
  const compare = () => {
    const ids = [...(boxRef.current?.querySelectorAll<HTMLInputElement>("input[name=compare]:checked") ?? [])].map((i) => i.value);
    router.push(`/compare?ids=${ids.map(encodeURIComponent).join(",")}`);
  };
  return (
    <AppShell scope={{ consortiumId: p?.consortium.id, projectId: id }} crumbs={[{ label: p?.consortium.name ?? "…", href: p ? `/c/${p.consortium.id}` : undefined }, { label: p?.name ?? "Project" }]}>
      {error && !p && <div className="alert bad">{error.message}</div>}
      {loading && !p ? <SkeletonRows rows={8} /> : !p ? <Empty title="Project not found">It does not exist, or you cannot see it.</Empty> : (
        <>
          <PageHead title={p.name} sub={p.description || "Project overview"} actions={atLeast(role, "CURATOR") ? <Link className="btn primary" href={`/p/${p.id}/import`} data-testid="import-link">Import version…</Link> : null} />
          <div className="grid cols-4" style={{ marginBottom: 16 }}>
            <Stat k="Datasets" v={fmtInt(p.datasets.nodes.length)} />
            <Stat k="Samples (latest)" v={fmtInt(p.datasets.nodes.reduce((s, d) => s + (d.latestVersion?.sampleCount ?? 0), 0))} />
            <Stat k="Recent runs" v={a ? fmtInt(a.recentRuns.nodes.length) : "—"} />
            <Stat k="Running jobs" v={jobs ? fmtInt(jobs.totalCount) : "—"} />
          </div>
          <div className="grid side">
            <div className="stack">
              <Card title="Datasets" flush testId="datasets">
                {p.datasets.nodes.length === 0 ? <Empty title="No datasets yet">Import one with <code>stratum import</code> or the demo seed.</Empty> : (
                  <table className="table">
                    <thead><tr><th>dataset</th><th>latest version</th><th className="num">samples</th><th>message</th><th>author</th><th>when</th></tr></thead>
                    <tbody>
                      {p.datasets.nodes.map((d) => (
                        <tr key={d.id}>
                          <td><b>{d.name}</b><div className="muted small">{d.versionCount} versions</div></td>
                          <td>{d.latestVersion ? <Link href={`/versions/${d.latestVersion.id}`} data-testid="latest-version">v{d.latestVersion.number}</Link> : "—"}</td>
                          <td className="num">{fmtInt(d.latestVersion?.sampleCount)}</td>
                          <td className="small">{d.latestVersion?.message}</td>
                          <td className="small">{d.latestVersion?.author?.name ?? "—"}</td>
                          <td className="muted small">{fmtWhen(d.latestVersion?.createdAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Card>
              <Card title="Recent runs" flush actions={a && a.recentRuns.nodes.length > 1 ? <button className="btn sm" onClick={compare}>Compare selected</button> : null}>
                <div ref={boxRef}>{a ? <RunsTable runs={a.recentRuns.nodes} compare /> : <ApiGap error={act.error} />}</div>
              </Card>
            </div>
            <Card title="Running jobs" flush testId="running-jobs" actions={<Link className="btn sm" href={`/c/${p.consortium.id}/jobs`} data-testid="all-jobs">All jobs</Link>}>
              {jobs ? <JobsTable jobs={jobs.nodes} onFinished={() => { void running.refetch(); void act.refetch(); }} canCancel={atLeast(role, "CURATOR")} /> : <ApiGap error={running.error} />}
            </Card>
          </div>
        </>
      )}
    </AppShell>
  );
}
