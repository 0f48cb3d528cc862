"use client";
// What a confounder-aware run balanced: its declared columns and the verdicts and names of the
// analysis' groups as recorded when its job started (a later verdict changes neither the run nor a
// reproduction of it), beside each group's verdict today.
import Link from "next/link";
import { useQuery } from "@apollo/client/react";
import { graphql } from "@/gql";
import { Card } from "@/components/ui";
import { Strategy } from "@/gql/graphql";

const RunGroupingDoc = graphql(`
  query RunGrouping($id: ID!) {
    node(id: $id) {
      ... on SelectionRun {
        id strategy declaredConfounders
        groupVerdicts { groupId label index verdict name }
        analysis { id groups { id verdict name } }
      }
    }
  }
`);

const VERDICT_WORDS: Record<string, string> = {
  PENDING: "pending",
  CONFIRMED: "confirmed",
  REJECTED: "rejected: its rows were ordinary rows",
  RENAMED: "renamed",
};

export function RunGroupingCard({ runId }: { runId: string }) {
  const { data } = useQuery(RunGroupingDoc, { variables: { id: runId } });
  const r = data?.node?.__typename === "SelectionRun" ? data.node : null;
  if (!r || r.strategy !== Strategy.CONFOUNDER_AWARE) return null;
  const now = new Map((r.analysis?.groups ?? []).map((g) => [g.id, g]));
  const snapshot = r.groupVerdicts ?? null;
  const names = new Map<string, number>();
  for (const g of snapshot ?? []) {
    const k = g.verdict === "REJECTED" ? "" : (g.name ?? "").trim().toLowerCase();
    if (k) names.set(`${g.label}\u0000${k}`, (names.get(`${g.label}\u0000${k}`) ?? 0) + 1);
  }
  return (
    <Card title="What this run balanced" testId="run-grouping">
      <p className="small" data-testid="run-declared">
        Known confounders declared:{" "}
        {r.declaredConfounders.length ? <b>{r.declaredConfounders.join(", ")}</b> : <span className="muted">none (discovered groups only)</span>}
      </p>
      {snapshot === null ? (
        <p className="muted small">The verdicts are recorded when the run's job starts.</p>
      ) : snapshot.length === 0 ? (
        <p className="muted small">No verdicts were recorded: the groups were used as discovered.</p>
      ) : (
        <table className="table small" data-testid="run-verdicts">
          <thead>
            <tr><th>class</th><th>group</th><th>name then</th><th>verdict then</th><th>verdict now</th></tr>
          </thead>
          <tbody>
            {snapshot.map((g) => {
              const cur = now.get(g.groupId);
              const k = (g.name ?? "").trim().toLowerCase();
              const mergedWith = g.verdict !== "REJECTED" && k ? (names.get(`${g.label}\u0000${k}`) ?? 1) - 1 : 0;
              return (
                <tr key={g.groupId}>
                  <td>{g.label}</td>
                  <td>#{g.index}</td>
                  <td>{g.name ?? <span className="muted">—</span>}{mergedWith > 0 && <span className="muted"> (one group with {mergedWith} other{mergedWith === 1 ? "" : "s"} of this name)</span>}</td>
                  <td>{VERDICT_WORDS[g.verdict] ?? g.verdict}</td>
                  <td className={cur && cur.verdict !== g.verdict ? "warn" : "muted"}>{cur ? cur.verdict.toLowerCase() : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {r.analysis && <p className="small"><Link href={`/analyses/${r.analysis.id}`}>The analysis and its groups</Link></p>}
    </Card>
  );
}
