"use client";
// Compare 2–4 runs: the site/metadata mix per class (pool, then each run: does balancing change the
// site mix?), overlap (Venn for 2–3, UpSet for 4) with Jaccard, allocation per group side by side,
// metrics with differences highlighted, and the same map coloured by each run.
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";
import { graphql } from "@/gql";
import { AppShell, useViewerScope } from "@/components/shell/AppShell";
import { Card, Empty, ErrorText, PageHead, SkeletonRows, StatusBadge, fmtInt, fmtNum } from "@/components/ui";
import { AllocationChart, MetricsTable, OverlapChart } from "@/components/charts/Charts";
import { CompositionChart, POOL_COLOUR } from "@/components/charts/Composition";
import { ColouredMap } from "@/components/map/ColouredMap";
import { useLayout, useRunSampleIds } from "@/components/map/useLayout";
import { colourAt } from "@/components/map/palette";
import { strategyLabel } from "@/lib/runForm";

const CompareDoc = graphql(`
  query CompareRuns($ids: [ID!]!) {
    compareRuns(ids: $ids) {
      runs {
        id name strategy status perClass seed metrics
        analysis { id }
        datasetVersion { id number dataset { id name project { id name consortium { id } } } analyses(first: 5) { nodes { id status } } }
      }
      overlap union
      pairwise { a b intersection jaccard }
      allocation { group label pool selected }
      metrics { name split values }
      evaluations { name split values }
      composition { column associated declared poolCramersV cramersV labels levels poolTotals poolCounts poolLargestShares selectionTotals selectionCounts largestShares }
    }
  }
`);

const PickerDoc = graphql(`
  query ComparePicker($projectId: ID!) {
    node(id: $projectId) { ... on Project { id datasets(first: 20) { nodes { id latestVersion { id runs(first: 30) { nodes { id name strategy status createdAt } } } } } } }
  }
`);

const HIGHER_IS_BETTER: Record<string, boolean> = { coverage: true, accuracy: true, auroc: true, balancedAccuracy: true, mmd: false, groupEntropy: true };
// probe.accuracy, probe.worstGroupAccuracy.site…: every probe figure is an accuracy
const higherIsBetter = (name: string) => HIGHER_IS_BETTER[name] ?? (name.startsWith("probe.") ? true : undefined);

export default function ComparePage() {
  const search = useSearchParams();
  const ids = (search.get("ids") ?? "").split(",").filter(Boolean).slice(0, 4);
  return ids.length >= 2 ? <Comparison ids={ids} /> : <Picker initial={ids} />;
}

function Picker({ initial }: { initial: string[] }) {
  const { projectId } = useViewerScope();
  const router = useRouter();
  const [chosen, setChosen] = useState<string[]>(initial);
  const { data, loading } = useQuery(PickerDoc, { variables: { projectId: projectId ?? "" }, skip: !projectId });
  const runs = data?.node?.__typename === "Project" ? data.node.datasets.nodes.flatMap((d) => d.latestVersion?.runs.nodes ?? []).filter((r) => r.status === "SUCCEEDED") : [];
  return (
    <AppShell crumbs={[{ label: "Compare runs" }]}>
      <PageHead title="Compare runs" sub="Choose 2 to 4 finished runs of the same dataset version." />
      <Card flush>
        {loading ? <SkeletonRows /> : runs.length < 2 ? <Empty title="Fewer than two finished runs">Start runs from a dataset version, then compare them here.</Empty> : (
          <table className="table">
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td style={{ width: 30 }}><input type="checkbox" checked={chosen.includes(r.id)} disabled={!chosen.includes(r.id) && chosen.length >= 4} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, r.id] : c.filter((x) => x !== r.id)))} aria-label={`compare ${r.name}`} /></td>
                  <td><b>{r.name || strategyLabel(r.strategy)}</b></td><td>{strategyLabel(r.strategy)}</td><td><StatusBadge status={r.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <div style={{ marginTop: 12 }}>
        <button className="btn primary" disabled={chosen.length < 2} onClick={() => router.push(`/compare?ids=${chosen.join(",")}`)}>Compare {chosen.length} runs</button>
      </div>
    </AppShell>
  );
}

function Comparison({ ids }: { ids: string[] }) {
  const { data, loading, error } = useQuery(CompareDoc, { variables: { ids } });
  const c = data?.compareRuns;
  const runs = c?.runs ?? [];
  const names = runs.map((r) => r.name || strategyLabel(r.strategy));
  const runIds = useMemo(() => runs.map((r) => r.id), [runs]);
  const sets = useRunSampleIds(runIds);
  const v = runs[0]?.datasetVersion ?? null;
  const analysisId = runs.find((r) => r.analysis)?.analysis?.id ?? v?.analyses.nodes.find((a) => a.status === "SUCCEEDED")?.id ?? null;
  const { layout } = useLayout(analysisId);
  const metricRows = [
    ...(c?.metrics ?? []).map((m) => ({ name: m.split ? `${m.name} (${m.split})` : m.name, values: m.values.map((x) => x ?? null), higherIsBetter: higherIsBetter(m.name) })),
    ...(c?.evaluations ?? []).map((m) => ({ name: `${m.name} (${m.split?.startsWith("test-version:") ? "test version" : m.split ?? "test"})`, values: m.values.map((x) => x ?? null), higherIsBetter: true })),
  ];
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: v ? `${v.dataset.name} v${v.number}` : "…", href: v ? `/versions/${v.id}` : undefined }, { label: "Compare runs" }]}
    >
      <PageHead title={<>Compare {ids.length} runs</>} sub={names.length ? names.map((n, k) => <span key={n}><span className="swatch" style={{ background: colourAt(k), margin: "0 4px 0 8px" }} />{n}</span>) : undefined} actions={<Link className="btn" href="/compare">Change runs</Link>} />
      {error && <ErrorText>{error.message}</ErrorText>}
      {loading && !c ? <SkeletonRows rows={10} /> : !c ? <Empty title="Cannot compare these runs">Check that they exist, are finished, and belong to the same dataset version.</Empty> : (
        <div className="stack" data-testid="comparison">
          <Card title={<>Mix per class: the pool and each run <span className="muted">· largest share per class (even mix = 1 / levels) and Cramér&apos;s V of label × column</span></>} testId="compare-composition">
            {c.composition.length === 0 ? <Empty title="No metadata to compare">The samples have no site and no column an analysis found associated.</Empty> : (
              <div className="stack">
                {c.composition.map((col) => (
                  <CompositionChart key={col.column} c={{
                    column: col.column,
                    associated: col.associated,
                    declaredBy: names.filter((_, k) => col.declared[k]),
                    labels: col.labels,
                    levels: col.levels,
                    series: [
                      { name: "pool", colour: POOL_COLOUR, cramersV: col.poolCramersV, totals: col.poolTotals, counts: col.poolCounts, largestShares: col.poolLargestShares },
                      ...names.map((name, k) => ({ name, colour: colourAt(k), cramersV: col.cramersV[k] ?? 0, totals: col.selectionTotals[k] ?? [], counts: col.selectionCounts[k] ?? [], largestShares: col.largestShares[k] ?? [] })),
                    ],
                  }} />
                ))}
              </div>
            )}
          </Card>
          <div className="grid cols-2">
            <Card title="Overlap" testId="overlap">
              {sets.size === runs.length ? <OverlapChart sets={runs.map((r, k) => ({ name: names[k]!, ids: sets.get(r.id) ?? [] }))} /> : <SkeletonRows rows={4} />}
              <table className="table" style={{ marginTop: 10 }}>
                <thead><tr><th>pair</th><th className="num">shared</th><th className="num">Jaccard</th></tr></thead>
                <tbody>
                  {c.pairwise.map((o) => {
                    const a = runs.findIndex((r) => r.id === o.a), b = runs.findIndex((r) => r.id === o.b);
                    return <tr key={`${o.a}-${o.b}`}><td>{names[a]} ∩ {names[b]}</td><td className="num">{fmtInt(o.intersection)}</td><td className="num"><b>{fmtNum(o.jaccard, 3)}</b></td></tr>;
                  })}
                  <tr><td className="muted">in all {runs.length} / in any</td><td className="num">{fmtInt(c.overlap)}</td><td className="num muted">{fmtInt(c.union)} total</td></tr>
                </tbody>
              </table>
            </Card>
            <Card title="Metrics" flush>
              <MetricsTable runs={names} rows={metricRows} />
              <div className="muted small" style={{ padding: "6px 10px" }}>Highlighted: differs from the first run by more than 1%. Green: best.</div>
            </Card>
          </div>
          <Card title="Allocation per group beside the pool">
            <AllocationChart series={names} rows={c.allocation.map((a) => ({ key: `${a.label}/${a.group}`, label: `${a.group}`, pool: a.pool, selected: a.selected }))} />
          </Card>
          <Card title="The map, coloured by each run">
            {!analysisId ? <Empty title="No layout">Run a confounder analysis of this version to see the map.</Empty> : !layout || sets.size < runs.length ? <SkeletonRows rows={6} /> : (
              <div className={`grid ${runs.length > 2 ? "cols-2" : "cols-2"}`}>
                {runs.map((r, k) => (
                  <div key={r.id}>
                    <h3 style={{ marginBottom: 6 }}><span className="swatch" style={{ background: colourAt(k), marginRight: 6 }} />{names[k]} <span className="muted">· {fmtInt(sets.get(r.id)?.size ?? 0)} selected</span></h3>
                    <ColouredMap layout={layout} by={{ kind: "run", runId: r.id, name: names[k]! }} runSets={sets} height={340} testId={`compare-map-${k}`} />
                  </div>
                ))}
              </div>
            )}
          </Card>
        </div>
      )}
    </AppShell>
  );
}
