"use client";
// Review queues of the current project: finished runs, with how far their review has come.
import Link from "next/link";
import { useQuery } from "@apollo/client/react";
import { graphql } from "@/gql";
import { AppShell, useViewerScope } from "@/components/shell/AppShell";
import { Badge, Card, Empty, PageHead, SkeletonRows, fmtWhen } from "@/components/ui";
import { strategyLabel } from "@/lib/runForm";

const ReviewIndexDoc = graphql(`
  query ReviewIndex($projectId: ID!) {
    node(id: $projectId) {
      ... on Project { id name datasets(first: 20) { nodes { id latestVersion { id runs(first: 50) { nodes { id name strategy status createdAt reviewFinalizedAt reviewSummary { accepted rejected flagged undecided } } } } } } }
    }
  }
`);

export default function ReviewIndex() {
  const { projectId } = useViewerScope();
  const { data, loading } = useQuery(ReviewIndexDoc, { variables: { projectId: projectId ?? "" }, skip: !projectId });
  const runs = data?.node?.__typename === "Project" ? data.node.datasets.nodes.flatMap((d) => d.latestVersion?.runs.nodes ?? []).filter((r) => r.status === "SUCCEEDED") : [];
  return (
    <AppShell crumbs={[{ label: "Review queue" }]}>
      <PageHead title="Review queue" sub="Accept, reject or flag what a selection run proposes; everyone's decisions appear live." />
      <Card flush>
        {!projectId ? <Empty title="Choose a project">Use the project switcher on the left.</Empty> : loading ? <SkeletonRows /> : runs.length === 0 ? <Empty title="No finished runs to review" /> : (
          <table className="table">
            <thead><tr><th>run</th><th>strategy</th><th>progress</th><th>started</th><th /></tr></thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td><b>{r.name || strategyLabel(r.strategy)}</b></td>
                  <td>{strategyLabel(r.strategy)}</td>
                  <td><Badge tone="ok">{r.reviewSummary.accepted}</Badge> <Badge tone="bad">{r.reviewSummary.rejected}</Badge> <Badge tone="warn">{r.reviewSummary.flagged}</Badge> <span className="muted small">{r.reviewSummary.undecided} pending</span></td>
                  <td className="muted">{fmtWhen(r.createdAt)}</td>
                  <td>{r.reviewFinalizedAt ? <Badge>finalised</Badge> : <Link className="btn sm" href={`/runs/${r.id}/review`}>Open</Link>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </AppShell>
  );
}
