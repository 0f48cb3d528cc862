"use client";
// Run detail: live progress (jobProgress subscription), selected items with thumbnails grouped by
// confounder group, allocation per group beside the pool, the site/metadata mix per class (pool vs run,
// with largest share and Cramér's V), metrics and evaluations, the linear probe (on the pool's rest or a
// test version), manifest download.
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import type { RunDoneFragment } from "@/gql/graphql";
import { AppShell, atLeast, useShell } from "@/components/shell/AppShell";
import { Alert, Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, StatusBadge, Thumb, fmtInt, fmtNum, fmtWhen, useToast } from "@/components/ui";
import { AllocationChart, ProgressBar } from "@/components/charts/Charts";
import { CompositionChart, POOL_COLOUR } from "@/components/charts/Composition";
import { colourAt } from "@/components/map/palette";
import { useJobProgress } from "@/lib/live";
import { useOnReconnect } from "@/lib/apollo";
import { describeError, errorsByField } from "@/lib/errors";
import { RunGroupingCard } from "@/components/run/RunGroupingCard";
import { RunConstraintsCard } from "@/components/subset/Subsets";
import { strategyLabel } from "@/lib/runForm";

// What the page itself reads (title line, progress, crumbs); each component below reads its own fragment.
const RunDetailDoc = graphql(`
  query RunDetail($id: ID!) {
    node(id: $id) {
      ... on SelectionRun {
        id name strategy status phase seed perClass params warnings error
        createdAt createdBy { id name }
        job { id status phase done total rate etaSeconds }
        datasetVersion { id number dataset { id name project { id name consortium { id } } } }
        ...RunActions
        ...RunDone
      }
    }
  }
`);

/** What the actions bar reads: the run's status, and what the probe's test picker needs. */
const RunActionsDoc = graphql(`
  fragment RunActions on SelectionRun { id status ...RunProbeTarget }
`);

/** The probe's candidates: versions of the run's consortium embedded with the run's model. */
const RunProbeTargetDoc = graphql(`
  fragment RunProbeTarget on SelectionRun {
    id
    embeddingSet { id model { id } }
    datasetVersion { id dataset { id project { id consortium { id } } } }
  }
`);

/** What a finished run shows: counts, hash, review, allocation, metrics, evaluations, mix, items. */
const RunDoneDoc = graphql(`
  fragment RunDone on SelectionRun {
    id name strategy manifestHash reproducible metrics
    parent { id name }
    reviewSummary { accepted rejected flagged undecided }
    evaluations { id metric value split source createdAt }
    items(first: 100) { totalCount nodes { id rank label groupKey reason reviewDecision sample { id externalId } group { id name } } }
    allocation { label group groupId pool selected }
    composition {
      column associated declared cramersV poolCramersV levels
      classes { label poolCount selectionCount largestShare poolLargestShare poolCounts selectionCounts }
    }
  }
`);

const RunCancel = graphql(`
  mutation RunCancel($input: SelectionRunRefInput!) { selectionRunCancel(input: $input) { run { id status } errors { code field message } } }
`);

const RunReproduce = graphql(`
  mutation RunReproduce($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } errors { code field message } } }
`);

const RunProbe = graphql(`
  mutation RunProbe($input: EvaluationProbeRunInput!) { evaluationProbeRun(input: $input) { job { id status } errors { code field message } } }
`);

// Candidate test versions for the probe: the consortium's datasets' latest versions (a test set is
// usually one version). Read only when the probe can be started.
const ProbeTestVersionsDoc = graphql(`
  query ProbeTestVersions($consortiumId: ID!) {
    node(id: $consortiumId) {
      ... on Consortium {
        id
        projects(first: 10) { nodes { id datasets(first: 20) { nodes { id name latestVersion { id number embeddingSets(first: 5) { nodes { id status model { id } } } } } } } }
      }
    }
  }
`);

export default function RunPage() {
  const { id } = useParams<{ id: string }>();
  const { data, loading, error, refetch } = useQuery(RunDetailDoc, { variables: { id } });
  const r = data?.node?.__typename === "SelectionRun" ? data.node : null;
  const active = r?.status === "QUEUED" || r?.status === "RUNNING";
  // Not polled: jobProgress (replayed from seq 0, so a job that ended before the page opened still
  // reports its end) moves the bar, and its final event, published after the handler's transaction
  // committed the run, re-reads the run once. Events sent while the socket was down are not all
  // replayed, so the run is re-read once when it comes back.
  const live = useJobProgress(active ? r?.job?.id ?? null : null, () => void refetch());
  useOnReconnect(() => void refetch(), active);
  const v = r?.datasetVersion ?? null;
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: v ? `${v.dataset.name} v${v.number}` : "…", href: v ? `/versions/${v.id}` : undefined }, { label: r?.name || "Run" }]}
    >
      {error && !r && <div className="alert bad">{error.message}</div>}
      {loading && !r ? <SkeletonRows rows={10} /> : !r ? <Empty title="Run not found">It does not exist, or you cannot see it.</Empty> : (
        <>
          <PageHead
            title={<>{r.name || strategyLabel(r.strategy)} <StatusBadge status={live?.status ?? r.status} /></>}
            sub={<>{strategyLabel(r.strategy)} · {r.perClass} per class · seed {r.seed}{typeof (r.params as Record<string, unknown>).allocation === "string" ? <> · {String((r.params as Record<string, unknown>).allocation)} allocation</> : null} · by {r.createdBy?.name ?? "—"} · {fmtWhen(r.createdAt)}</>}
            actions={<RunActions r={r} onChanged={() => void refetch()} />}
          />
          {(active || live) && (
            <Card title="Progress" testId="run-progress">
              <ProgressBar p={live ?? { phase: r.job?.phase ?? r.phase, done: r.job?.done ?? 0, total: r.job?.total ?? 0, etaSeconds: r.job?.etaSeconds, rate: r.job?.rate, status: r.status }} />
            </Card>
          )}
          {r.status === "FAILED" && <Alert>The run failed: {r.error}</Alert>}
          {r.warnings.length > 0 && <div style={{ margin: "12px 0" }}><Alert tone="warn">{r.warnings.join(" · ")}</Alert></div>}
          <RunGroupingCard runId={r.id} />
          <RunConstraintsCard runId={r.id} />
          {r.status === "SUCCEEDED" && <Done r={r} />}
        </>
      )}
    </AppShell>
  );
}

function RunActions({ r: ref, onChanged }: { r: FragmentType<typeof RunActionsDoc>; onChanged: () => void }) {
  const r = getFragmentData(RunActionsDoc, ref);
  const { role } = useShell();
  const toast = useToast();
  const router = useRouter();
  const [cancel, { loading }] = useMutation(RunCancel);
  const [reproduce, { loading: reproducing }] = useMutation(RunReproduce);
  const [probe, { loading: probing }] = useMutation(RunProbe);
  const [err, setErr] = useState<string | null>(null);
  const [probeJob, setProbeJob] = useState<string | null>(null);
  // "" = test on the rest of the pool; else a DatasetVersion id (the picker defaults to a "*-test" dataset)
  const [testVersion, setTestVersion] = useState<string | null>(null);
  // The PROBE job's evaluations land on the run when it finishes: re-read the run then.
  const probeLive = useJobProgress(probeJob, (status) => {
    setProbeJob(null);
    if (status === "SUCCEEDED") toast("Linear probe finished");
    else setErr(`The linear probe ended ${status.toLowerCase()}.`);
    onChanged();
  });
  const active = r.status === "QUEUED" || r.status === "RUNNING";
  return (
    <div className="stack" style={{ gap: 4, alignItems: "flex-end" }}>
      <div className="row">
        {active && atLeast(role, "CURATOR") && (
          <button className="btn danger" disabled={loading} onClick={async () => {
            setErr(null);
            try {
              const { data } = await cancel({ variables: { input: { runId: r.id } } });
              const p = data?.selectionRunCancel;
              if (p?.errors.length) setErr(Object.values(errorsByField(p.errors)).join(" "));
              else toast("Run cancelled");
            } catch (e) { setErr(describeError(e)); }
          }}>Cancel run</button>
        )}
        {r.status === "SUCCEEDED" && (
          <>
            <a className="btn" href={`/api/runs/${encodeURIComponent(r.id)}/manifest.jsonl`} download data-testid="manifest-jsonl">Manifest JSONL</a>
            <a className="btn" href={`/api/runs/${encodeURIComponent(r.id)}/manifest.csv`} download>CSV</a>
            <Link className="btn" href={`/compare?ids=${r.id}`}>Compare…</Link>
            {atLeast(role, "CURATOR") && (
              <button className="btn" data-testid="run-reproduce" disabled={reproducing} onClick={async () => {
                setErr(null);
                try {
                  const { data } = await reproduce({ variables: { input: { runId: r.id } } });
                  const p = data?.selectionRunReproduce;
                  if (p?.errors.length) setErr(Object.values(errorsByField(p.errors)).join(" "));
                  else if (p?.run) router.push(`/runs/${p.run.id}`);
                } catch (e) { setErr(describeError(e)); }
              }}>{reproducing ? "Starting…" : "Reproduce"}</button>
            )}
            {atLeast(role, "CURATOR") && (
              <>
                <ProbeTestPicker r={r} value={testVersion} onChange={setTestVersion} />
                <button className="btn" data-testid="run-probe" disabled={probing || probeJob !== null} onClick={async () => {
                  setErr(null);
                  try {
                    const { data } = await probe({ variables: { input: { runId: r.id, testVersionId: testVersion || null } } });
                    const p = data?.evaluationProbeRun;
                    if (p?.errors.length) setErr(Object.values(errorsByField(p.errors)).join(" "));
                    else if (p?.job) { setProbeJob(p.job.id); toast("Linear probe started"); }
                  } catch (e) { setErr(describeError(e)); }
                }}>{probeJob ? `Probing… ${probeLive && probeLive.total > 0 ? Math.round((100 * probeLive.done) / probeLive.total) + "%" : ""}` : "Run linear probe"}</button>
              </>
            )}
            {atLeast(role, "REVIEWER") && <Link className="btn primary" href={`/runs/${r.id}/review`} data-testid="open-review">Review</Link>}
          </>
        )}
      </div>
      <ErrorText>{err}</ErrorText>
    </div>
  );
}

function Done({ r: ref }: { r: FragmentType<typeof RunDoneDoc> }) {
  const r = getFragmentData(RunDoneDoc, ref);
  const groups = new Map<string, RunDoneFragment["items"]["nodes"]>();
  for (const it of r.items.nodes) {
    const key = it.group?.name ?? it.groupKey ?? it.label;
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  const metrics = Object.entries((r.metrics ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === "number") as Array<[string, number]>;
  const s = r.reviewSummary;
  return (
    <div className="stack" style={{ marginTop: 12 }}>
      <div className="grid cols-4">
        <div className="card stat"><div className="k">Selected</div><div className="v">{fmtInt(r.items.totalCount)}</div></div>
        <div className="card stat"><div className="k">Manifest hash</div><div className="v mono" style={{ fontSize: 13 }} title={r.manifestHash ?? ""} data-testid="manifest-hash">{r.manifestHash?.slice(0, 23)}…</div></div>
        <div className="card stat"><div className="k">Reproducible</div><div className="v" style={{ fontSize: 14 }}>{r.reproducible == null ? (r.parent ? "checking…" : "original run") : r.reproducible ? <span data-testid="reproducible"><Badge tone="ok" title={`same manifest hash as ${r.parent?.name ?? "the original run"}`}>reproduced: same manifest hash</Badge></span> : <span data-testid="reproducible"><Badge tone="bad" title={`manifest hash differs from ${r.parent?.name ?? "the original run"}`}>differs from {r.parent?.name ?? "original"}</Badge></span>}</div></div>
        <div className="card stat"><div className="k">Review</div><div className="v" style={{ fontSize: 14 }}><Badge tone="ok">{s.accepted} accepted</Badge> <Badge tone="bad">{s.rejected} rejected</Badge> <Badge tone="warn">{s.flagged} flagged</Badge> <span className="muted small">{s.undecided} pending</span></div></div>
      </div>
      <div className="grid cols-2">
        <Card title="Allocation per group beside the pool">
          {/* Counted by the server over the whole selection: per analysis group, or per class without one. */}
          <AllocationChart series={[r.name || strategyLabel(r.strategy)]} rows={r.allocation.map((a) => ({ key: a.groupId ?? a.label, label: a.group, pool: a.pool, selected: [a.selected] }))} />
        </Card>
        <div className="stack">
          <Card title="Metrics" flush>
            {metrics.length === 0 ? <Empty title="No metrics" /> : (
              <table className="table" data-testid="run-metrics"><tbody>{metrics.map(([k, v]) => <tr key={k}><td>{k}</td><td className="num">{fmtNum(v)}</td></tr>)}</tbody></table>
            )}
          </Card>
          <Card title="Evaluations" flush>
            {r.evaluations.length === 0 ? <Empty title="No evaluations yet">Training pipelines report fine-tune accuracy here; the linear probe can be run on request.</Empty> : (
              <table className="table"><thead><tr><th>metric</th><th>split</th><th className="num">value</th><th>source</th><th>when</th></tr></thead>
                <tbody>{r.evaluations.map((e) => <tr key={e.id}><td>{e.metric}</td><td title={e.split}>{splitName(e.split)}</td><td className="num">{fmtNum(e.value)}</td><td><Badge>{e.source.toLowerCase()}</Badge></td><td className="muted">{fmtWhen(e.createdAt)}</td></tr>)}</tbody>
              </table>
            )}
          </Card>
        </div>
      </div>
      <Card title={<>Mix per class: pool beside this run <span className="muted">· per column the analysis found associated, each declared column, and site</span></>} testId="run-composition">
        {r.composition.length === 0 ? <Empty title="No metadata to compare">The samples have no site and no column the analysis found associated.</Empty> : (
          <div className="stack">
            {r.composition.map((c) => (
              <CompositionChart key={c.column} c={{
                column: c.column,
                associated: c.associated,
                declaredBy: c.declared ? [r.name || strategyLabel(r.strategy)] : [],
                labels: c.classes.map((k) => k.label),
                levels: c.levels,
                series: [
                  { name: "pool", colour: POOL_COLOUR, cramersV: c.poolCramersV, totals: c.classes.map((k) => k.poolCount), counts: c.classes.map((k) => k.poolCounts), largestShares: c.classes.map((k) => k.poolLargestShare) },
                  { name: r.name || strategyLabel(r.strategy), colour: colourAt(0), cramersV: c.cramersV, totals: c.classes.map((k) => k.selectionCount), counts: c.classes.map((k) => k.selectionCounts), largestShares: c.classes.map((k) => k.largestShare) },
                ],
              }} />
            ))}
          </div>
        )}
      </Card>
      <Card title={<>Selected items <span className="muted">· first {r.items.nodes.length} of {fmtInt(r.items.totalCount)}, by group</span></>} testId="selected-items">
        {[...groups.entries()].map(([g, items]) => (
          <div key={g} style={{ marginBottom: 14 }}>
            <h3 style={{ marginBottom: 6 }}>{g} <span className="muted">· {items.length}</span></h3>
            <div className="thumbs">
              {items.map((it) => it.sample && (
                <div key={it.sample.id} title={it.reason}>
                  <Thumb sampleId={it.sample.id} caption={`#${it.rank}`} right={it.label} state={it.reviewDecision} />
                </div>
              ))}
            </div>
          </div>
        ))}
      </Card>
    </div>
  );
}

/** "test-version:<id>" reads better as "test version"; the full split stays in the cell's title. */
function splitName(split: string): string {
  return split.startsWith("test-version:") ? "test version" : split;
}

/**
 * Where the probe tests: the rest of the pool, or a version of the consortium embedded with the run's
 * model. Defaults to a dataset named "*-test" when there is one (the demo's chest-xray-test).
 */
function ProbeTestPicker({ r: ref, value, onChange }: { r: FragmentType<typeof RunProbeTargetDoc>; value: string | null; onChange: (v: string) => void }) {
  const r = getFragmentData(RunProbeTargetDoc, ref);
  const consortiumId = r.datasetVersion?.dataset.project.consortium.id ?? null;
  const modelId = r.embeddingSet?.model?.id ?? null;
  const { data } = useQuery(ProbeTestVersionsDoc, { variables: { consortiumId: consortiumId ?? "" }, skip: !consortiumId });
  const node = data?.node?.__typename === "Consortium" ? data.node : null;
  const candidates = (node?.projects.nodes ?? []).flatMap((p) => p.datasets.nodes).flatMap((d) => {
    const v = d.latestVersion;
    if (!v || v.id === r.datasetVersion?.id) return [];
    const ok = v.embeddingSets.nodes.some((s) => s.status === "COMPLETE" && s.model?.id === modelId);
    return ok ? [{ id: v.id, label: `${d.name} v${v.number}`, isTest: /-test$/i.test(d.name) }] : [];
  });
  const preferred = candidates.find((c) => c.isTest)?.id ?? "";
  useEffect(() => {
    if (value === null && node) onChange(preferred);
  }, [value, node, preferred, onChange]);
  return (
    <select className="input" style={{ width: "auto" }} aria-label="probe test data" data-testid="probe-test-version" value={value ?? ""} onChange={(e) => onChange(e.target.value)}>
      <option value="">test on the rest of the pool</option>
      {candidates.map((c) => <option key={c.id} value={c.id}>test on {c.label}</option>)}
    </select>
  );
}
