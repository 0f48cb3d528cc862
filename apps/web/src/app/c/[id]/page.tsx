"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { graphql } from "@/gql";
import { AppShell } from "@/components/shell/AppShell";
import { Card, Empty, PageHead, SkeletonRows, Stat, fmtInt, fmtWhen } from "@/components/ui";
import { useJobActivity } from "@/lib/live";

const ConsortiumQuery = graphql(`
  query ConsortiumOverview($id: ID!) {
    node(id: $id) {
      ... on Consortium {
        id name slug viewerRole
        sites(first: 100) { totalCount nodes { id code name } }
        projects(first: 50) { totalCount nodes { id name description datasets(first: 20) { totalCount nodes { id name latestVersion { id number sampleCount createdAt } } } } }
        members(first: 1) { totalCount }
      }
    }
  }
`);



export default function ConsortiumPage() {
  const { id } = useParams<{ id: string }>();
  // Not polled: datasets and versions appear when an import job ends, which jobActivity announces.
  const { data, loading, error, refetch } = useQuery(ConsortiumQuery, { variables: { id } });
  useJobActivity(id, (e) => e.jobKind === "IMPORT" && e.status === "SUCCEEDED" && void refetch(), () => void refetch());
  const c = data?.node?.__typename === "Consortium" ? data.node : null;
  return (
    <AppShell scope={{ consortiumId: id }} crumbs={[{ label: c?.name ?? "Consortium" }]}>
      {error && !c && <div className="alert bad">{error.message}</div>}
      {loading && !c ? (
        <SkeletonRows rows={8} />
      ) : !c ? (
        <Empty title="Consortium not found">It does not exist, or you are not a member.</Empty>
      ) : (
        <>
          <PageHead title={c.name} sub={<>Consortium <code>{c.slug}</code> · your role: <b>{c.viewerRole?.toLowerCase() ?? "—"}</b></>} />
          <div className="grid cols-4" style={{ marginBottom: 16 }}>
            <Stat k="Projects" v={fmtInt(c.projects.totalCount)} />
            <Stat k="Sites" v={fmtInt(c.sites.totalCount)} />
            <Stat k="Members" v={fmtInt(c.members.totalCount)} />
            <Stat k="Datasets" v={fmtInt(c.projects.nodes.reduce((s, p) => s + p.datasets.totalCount, 0))} />
          </div>
          <div className="grid side">
            <Card title="Projects" flush>
              {c.projects.nodes.length === 0 ? (
                <Empty title="No projects yet">Import a dataset with the CLI: <code>stratum import</code>.</Empty>
              ) : (
                <table className="table">
                  <thead><tr><th>project</th><th>datasets</th><th>latest versions</th></tr></thead>
                  <tbody>
                    {c.projects.nodes.map((p) => (
                      <tr key={p.id}>
                        <td><Link href={`/p/${p.id}`}><b>{p.name}</b></Link><div className="muted small">{p.description}</div></td>
                        <td className="num">{p.datasets.totalCount}</td>
                        <td>
                          {p.datasets.nodes.map((d) => (
                            <div key={d.id} className="small">
                              {d.name}{" "}
                              {d.latestVersion ? (
                                <Link href={`/versions/${d.latestVersion.id}`}>v{d.latestVersion.number}</Link>
                              ) : <span className="muted">no versions</span>}
                              <span className="muted"> · {fmtInt(d.latestVersion?.sampleCount)} samples · {fmtWhen(d.latestVersion?.createdAt)}</span>
                            </div>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <div className="stack">
                            <Card title="Sites" flush>
                {c.sites.nodes.length === 0 ? <Empty title="No sites" /> : (
                  <table className="table"><tbody>{c.sites.nodes.map((s) => <tr key={s.id}><td><code>{s.code}</code></td><td>{s.name}</td></tr>)}</tbody></table>
                )}
              </Card>
            </div>
          </div>
        </>
      )}
    </AppShell>
  );
}
