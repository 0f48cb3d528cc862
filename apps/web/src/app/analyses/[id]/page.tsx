"use client";
// Confounder findings: the groups of each class with size and metadata associations
// ("group 3 of pneumonia: 92% site B, Cramér's V 0.81"); confirm, reject or rename each group.
import Link from "next/link";
import { useParams } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import type { FindingsQuery, GroupVerdict } from "@/gql/graphql";
import { AppShell, atLeast, useShell } from "@/components/shell/AppShell";
import { Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, StatusBadge, fmtInt, fmtNum, fmtPct, fmtWhen, useToast } from "@/components/ui";
import { ProgressBar } from "@/components/charts/Charts";
import { useJobProgress } from "@/lib/live";
import { describeError, errorsByField } from "@/lib/errors";

/** What a group's row reads (GroupRow); the page itself reads only what it groups and sorts by. */
const GroupRowDoc = graphql(`
  fragment AnalysisGroupRow on ConfounderGroup {
    id label index isNoise size name verdict verdictAt verdictBy { id name } associations modes { mode size } mergeConfidence
  }
`);

const FindingsQueryDoc = graphql(`
  query Findings($id: ID!) {
    node(id: $id) {
      ... on ConfounderAnalysis {
        id status params results error createdAt createdBy { id name }
        job { id status phase done total rate etaSeconds }
        embeddingSet { id model { id name } }
        datasetVersion { id number dataset { id name project { id name consortium { id } } } }
        groups { id label index isNoise size ...AnalysisGroupRow }
      }
    }
  }
`);

const GroupVerdictDoc = graphql(`
  mutation GroupVerdict($input: ConfounderGroupSetVerdictInput!) {
    confounderGroupSetVerdict(input: $input) { group { id name verdict verdictAt verdictBy { id name } } errors { code field message } }
  }
`);
const GroupRenameDoc = graphql(`
  mutation GroupRename($input: ConfounderGroupRenameInput!) {
    confounderGroupRename(input: $input) { group { id name verdict verdictAt verdictBy { id name } } errors { code field message } }
  }
`);

/** One metadata column's association with a group, as the server stores it (GroupAssociation JSON). */
interface Assoc { column: string; dominantValue: string | null; share: number; cramersV: number; pValue?: number }
function parseAssociations(raw: unknown): Assoc[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((a): a is Assoc => a != null && typeof a === "object" && typeof (a as Assoc).column === "string" && typeof (a as Assoc).cramersV === "number");
}

type Analysis = Extract<NonNullable<FindingsQuery["node"]>, { __typename: "ConfounderAnalysis" }>;
type Group = Analysis["groups"][number];

export default function FindingsPage() {
  const { id } = useParams<{ id: string }>();
  const { data, loading, error, refetch } = useQuery(FindingsQueryDoc, { variables: { id } });
  const a = data?.node?.__typename === "ConfounderAnalysis" ? data.node : null;
  const running = a?.status === "QUEUED" || a?.status === "RUNNING";
  // Not polled while it runs: jobProgress moves the bar and its final event re-reads the findings.
  const progress = useJobProgress(running ? a?.job?.id ?? null : null, () => void refetch());
  const byClass = new Map<string, Group[]>();
  for (const g of a?.groups ?? []) byClass.set(g.label, [...(byClass.get(g.label) ?? []), g]);
  const steeredBy = mergeColumns(a?.results);
  const v = a?.datasetVersion;
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: v ? `${v.dataset.name} v${v.number}` : "…", href: v ? `/versions/${v.id}` : undefined }, { label: "Confounder findings" }]}
    >
      {error && !a && <div className="alert bad">{error.message}</div>}
      {loading && !a ? <SkeletonRows rows={10} /> : !a ? <Empty title="Analysis not found" /> : (
        <>
          <PageHead
            title={<>Confounder findings <StatusBadge status={a.status} /></>}
            sub={<>{a.embeddingSet?.model?.name ?? "—"} embeddings · by {a.createdBy?.name ?? "—"} · {fmtWhen(a.createdAt)} · {fmtInt(a.groups.filter((g) => !g.isNoise).length)} groups</>}
            actions={v ? <><Link className="btn" href={`/versions/${v.id}/map?analysis=${a.id}&colour=group`}>Open map</Link><Link className="btn primary" href={`/versions/${v.id}/runs/new?analysis=${a.id}`}>New selection run</Link></> : null}
          />
          {running && (
            <Card title="Analysing"><ProgressBar p={progress ?? { phase: a.job?.phase ?? "queued", done: a.job?.done ?? 0, total: a.job?.total ?? 0, etaSeconds: a.job?.etaSeconds, status: a.status }} /></Card>
          )}
          {a.status === "FAILED" && <div className="alert bad">The analysis failed: {a.error}</div>}
          {a.status === "SUCCEEDED" && byClass.size === 0 && <Empty title="No groups found">Every class formed a single cluster.</Empty>}
          <div className="stack">
            {[...byClass.entries()].map(([label, groups]) => (
              <Card key={label} title={<>Class <b>{label}</b> <span className="muted">· {groups.filter((g) => !g.isNoise).length} groups · {fmtInt(groups.reduce((s, g) => s + g.size, 0))} samples{steeredBy.get(label) ? <> · fragments merged by their <b>{steeredBy.get(label)}</b> column</> : null}</span></>} flush testId={`class-${label}`}>
                <table className="table">
                  <thead><tr><th>group</th><th className="num">size</th><th>strongest associations</th><th>verdict</th><th style={{ width: 300 }} /></tr></thead>
                  <tbody>{groups.sort((x, y) => x.index - y.index).map((g) => <GroupRow key={g.id} g={g} />)}</tbody>
                </table>
              </Card>
            ))}
          </div>
        </>
      )}
    </AppShell>
  );
}

/** Per class, the metadata column that steered the merge of layout fragments (results.classes[].mergeColumn). */
function mergeColumns(results: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const classes = results && typeof results === "object" ? (results as { classes?: unknown }).classes : null;
  if (!Array.isArray(classes)) return out;
  for (const c of classes) {
    if (c && typeof c === "object" && typeof c.label === "string" && typeof c.mergeColumn === "string") out.set(c.label, c.mergeColumn);
  }
  return out;
}

/** "92% site B, Cramér's V 0.81" — the sentence a curator reads first. */
export function associationSentence(a: Assoc): string {
  return `${fmtPct(a.share)} ${a.column} ${a.dominantValue ?? "unknown"}, Cramér's V ${fmtNum(a.cramersV, 2)}`;
}

function GroupRow({ g: ref }: { g: FragmentType<typeof GroupRowDoc> }) {
  const g = getFragmentData(GroupRowDoc, ref);
  const { role } = useShell();
  const toast = useToast();
  const [setVerdict, { loading: l1 }] = useMutation(GroupVerdictDoc);
  const [rename, { loading: l2 }] = useMutation(GroupRenameDoc);
  // The analysis on screen: the API refuses a verdict on a group of another analysis (a stale ID).
  const { id: analysisId } = useParams<{ id: string }>();
  const loading = l1 || l2;
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(g.name);
  const [err, setErr] = useState<Record<string, string>>({});
  const canEdit = atLeast(role, "CURATOR");
  const assoc = parseAssociations(g.associations).sort((x, y) => y.cramersV - x.cramersV);
  const strong = assoc[0];
  async function act(input: { verdict?: GroupVerdict; name?: string }) {
    setErr({});
    try {
      const p = input.verdict === "RENAMED"
        ? (await rename({ variables: { input: { groupId: g.id, analysisId, name: input.name ?? "" } } })).data?.confounderGroupRename
        : (await setVerdict({ variables: { input: { groupId: g.id, analysisId, verdict: input.verdict! } } })).data?.confounderGroupSetVerdict;
      if (p?.errors.length) setErr(errorsByField(p.errors));
      else {
        toast(`${p?.group?.name ?? "Group"}: ${p?.group?.verdict.toLowerCase()}`, "ok");
        setRenaming(false);
      }
    } catch (e) {
      setErr({ "": describeError(e) });
    }
  }
  return (
    <tr data-testid="group-row" data-group={g.name}>
      <td>
        <b>{g.isNoise ? `noise (${g.label})` : g.name}</b>
        {!g.isNoise && <div className="muted small">group {g.index} of {g.label}</div>}
        {!g.isNoise && g.modes.length > 1 && (
          // merged layout fragments: their sizes, and how strongly the weakest merge was linked in PCA space
          <div className="muted small" data-testid="group-modes">
            {g.modes.length} modes ({g.modes.map((m) => fmtInt(m.size)).join(" + ")})
            {g.mergeConfidence != null && <>, weakest merge {fmtNum(g.mergeConfidence, 2)}× chance links</>}
          </div>
        )}
      </td>
      <td className="num">{fmtInt(g.size)}</td>
      <td>
        {g.isNoise ? <span className="muted">points DBSCAN left unclustered</span> : strong ? (
          <div>
            <span className={strong.cramersV >= 0.5 ? "" : "muted"} data-testid="association">{associationSentence(strong)}</span>
            {assoc.slice(1, 3).map((x) => <div key={x.column} className="muted small">{associationSentence(x)}</div>)}
          </div>
        ) : <span className="muted">no metadata association</span>}
      </td>
      <td>
        <StatusBadge status={g.verdict} />
        {g.verdictBy && <div className="muted small">{g.verdictBy.name}</div>}
      </td>
      <td>
        {canEdit && !g.isNoise && (
          renaming ? (
            <form className="row" onSubmit={(e) => { e.preventDefault(); void act({ verdict: "RENAMED", name }); }}>
              <input className={`input ${err.name ? "invalid" : ""}`} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Site B portable scanner" autoFocus aria-label="Group name" />
              <button className="btn sm primary" disabled={loading}>Save</button>
              <button type="button" className="btn sm ghost" onClick={() => setRenaming(false)}>Cancel</button>
            </form>
          ) : (
            <div className="row">
              <button className="btn sm" disabled={loading || g.verdict === "CONFIRMED"} onClick={() => act({ verdict: "CONFIRMED" })} data-testid="confirm-group">Confirm</button>
              <button className="btn sm" disabled={loading || g.verdict === "REJECTED"} onClick={() => act({ verdict: "REJECTED" })}>Reject</button>
              <button className="btn sm ghost" onClick={() => setRenaming(true)}>Rename</button>
            </div>
          )
        )}
        <ErrorText>{Object.values(err).join(" ")}</ErrorText>
        {g.verdict === "CONFIRMED" && <Badge tone="ok">confounder</Badge>}
      </td>
    </tr>
  );
}
