"use client";
// The audit log: every mutation, who made it (person or token) and when.
import { useParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { graphql } from "@/gql";
import { AppShell } from "@/components/shell/AppShell";
import { Avatar, Badge, Card, Empty, PageHead, SkeletonRows, fmtWhen } from "@/components/ui";

const AuditDoc = graphql(`
  query AuditLog($id: ID!, $after: String) {
    consortium(id: $id) { id name }
    auditEvents(consortiumId: $id, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id action targetType targetId details createdAt tokenPrefix actor { id name } }
    }
  }
`);

export default function AuditPage() {
  const { id } = useParams<{ id: string }>();
  const { data, loading, error, fetchMore } = useQuery(AuditDoc, { variables: { id } });
  const c = data?.consortium ?? null;
  const ev = data?.auditEvents ?? null;
  return (
    <AppShell scope={{ consortiumId: id }} crumbs={[{ label: c?.name ?? "Consortium", href: `/c/${id}` }, { label: "Audit log" }]}>
      <PageHead title="Audit log" sub={ev ? `${ev.totalCount.toLocaleString("en-US")} events, newest first` : undefined} />
      {error && !c && <div className="alert bad">{error.message}</div>}
      <Card flush testId="audit">
        {loading && !c ? <SkeletonRows rows={10} /> : !ev || ev.nodes.length === 0 ? <Empty title="No events yet">Every change made through the API is recorded here.</Empty> : (
          <>
            <table className="table">
              <thead><tr><th>when</th><th>who</th><th>action</th><th>target</th><th>details</th></tr></thead>
              <tbody>
                {ev.nodes.map((e) => (
                  <tr key={e.id}>
                    <td className="muted nowrap" title={e.createdAt}>{fmtWhen(e.createdAt)}</td>
                    <td>{e.actor ? <span className="row" style={{ flexWrap: "nowrap" }}><Avatar name={e.actor.name} />{e.actor.name}</span> : <span className="muted">{e.tokenPrefix ? <>token <code>{e.tokenPrefix}…</code></> : "system"}</span>}</td>
                    <td><Badge tone="accent">{e.action}</Badge></td>
                    <td className="small">{e.targetType} <code className="muted">{e.targetId?.slice(0, 16)}</code></td>
                    <td className="mono small" style={{ maxWidth: 420, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={JSON.stringify(e.details)}>{JSON.stringify(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {ev.pageInfo.hasNextPage && (
              <div style={{ padding: 10, textAlign: "center" }}>
                {/* the page is appended by the cache's type policy (lib/pagination.ts) */}
                <button className="btn" onClick={() => void fetchMore({ variables: { after: ev.pageInfo.endCursor } })}>Older events</button>
              </div>
            )}
          </>
        )}
      </Card>
    </AppShell>
  );
}
