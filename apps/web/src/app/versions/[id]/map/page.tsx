"use client";
// The embedding map of a dataset version: the 2-D layout of an analysis, coloured by label, confounder
// group, site, a metadata column, a data-quality score (meta:quality:labelError|outlier|duplicate, or
// meta:similar:<Sample ID> from "More like this"), or "selected in run X".
// URL: ?analysis=<id>&colour=label|group|site|meta:<col>|run:<id>
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { useMemo } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { Empty, PageHead, Skeleton, fmtInt } from "@/components/ui";
import { ColouredMap, type ColourBy } from "@/components/map/ColouredMap";
import { useLayout, useRunSampleIds } from "@/components/map/useLayout";
import { strategyLabel } from "@/lib/runForm";

// The page reads what its frame shows (crumbs, the viewer's scope); the map and its pickers read the
// MapView fragment.
const MapVersionQuery = graphql(`
  query MapVersion($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id number
        dataset { id name project { id name consortium { id } } }
        ...MapView
      }
    }
  }
`);

/** What the pickers and the map read: the finished analyses (layouts), the runs to colour by, whether a data-quality pass exists. */
const MapViewDoc = graphql(`
  fragment MapView on DatasetVersion {
    id
    analyses(first: 20) { nodes { id status createdAt embeddingSet { id model { id name } } } }
    runs(first: 50) { nodes { id name strategy status } }
    latestDataQuality { id }
  }
`);

const QUALITY_COLOURS = [
  ["meta:quality:labelError", "label-error score"],
  ["meta:quality:outlier", "outlier score (× class median)"],
  ["meta:quality:duplicate", "duplicate membership"],
] as const;

export default function MapPage() {
  const { id } = useParams<{ id: string }>();
  const { data, loading } = useQuery(MapVersionQuery, { variables: { id } });
  const v = data?.node?.__typename === "DatasetVersion" ? data.node : null;
  const { role } = useViewerScope(v?.dataset.project.consortium.id);
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: v ? `${v.dataset.name} v${v.number}` : "…", href: `/versions/${id}` }, { label: "Map" }]}
    >
      {loading && !v ? (
        <>
          <PageHead title="Embedding map" sub="2-D layout of a confounder analysis" />
          <Skeleton h={560} />
        </>
      ) : !v ? (
        <>
          <PageHead title="Embedding map" sub="2-D layout of a confounder analysis" />
          <Empty title="Version not found" />
        </>
      ) : (
        <MapView v={v} saveToVersionId={atLeast(role, "CURATOR") ? v.id : undefined} />
      )}
    </AppShell>
  );
}

function MapView({ v: ref, saveToVersionId }: { v: FragmentType<typeof MapViewDoc>; saveToVersionId?: string }) {
  const v = getFragmentData(MapViewDoc, ref);
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const done = v.analyses.nodes.filter((a) => a.status === "SUCCEEDED");
  const analysisId = search.get("analysis") ?? done[0]?.id ?? null;
  const colourParam = search.get("colour") ?? "group";
  const runs = useMemo(() => v.runs.nodes.filter((r) => r.status === "SUCCEEDED"), [v.runs.nodes]);
  const runIds = useMemo(() => runs.map((r) => r.id), [runs]);
  const runSets = useRunSampleIds(colourParam.startsWith("run:") ? runIds : []);
  const { layout, loaded, total, error } = useLayout(analysisId);
  const by: ColourBy = useMemo(() => {
    if (colourParam.startsWith("meta:")) return { kind: "meta", column: colourParam.slice(5) };
    if (colourParam.startsWith("run:")) {
      const r = runs.find((x) => x.id === colourParam.slice(4));
      return { kind: "run", runId: colourParam.slice(4), name: r?.name || (r && strategyLabel(r.strategy)) || "run" };
    }
    if (colourParam === "label" || colourParam === "site") return { kind: colourParam };
    return { kind: "group" };
  }, [colourParam, runs]);
  const setParam = (k: string, value: string) => {
    const q = new URLSearchParams(search.toString());
    q.set(k, value);
    router.replace(`${pathname}?${q.toString()}`);
  };

  return (
    <>
      <PageHead
        title="Embedding map"
        sub={layout ? `${fmtInt(layout.xs.length)} samples · each class has its own 2-D layout; shown side by side: ${layout.classes.map((c) => c.label).join(" | ")}` : "2-D layout of a confounder analysis"}
        actions={
          <div className="row">
            <select className="input" aria-label="Analysis" value={analysisId ?? ""} onChange={(e) => setParam("analysis", e.target.value)}>
              {done.length === 0 && <option value="">no finished analysis</option>}
              {done.map((a) => <option key={a.id} value={a.id}>{a.embeddingSet?.model?.name ?? "—"} · {a.createdAt.slice(0, 16).replace("T", " ")}</option>)}
            </select>
            <label className="muted small">Colour by</label>
            <select className="input" aria-label="Colour by" data-testid="colour-by" value={colourParam} onChange={(e) => setParam("colour", e.target.value)}>
              <option value="group">confounder group</option>
              <option value="label">label</option>
              <option value="site">site</option>
              {layout && layout.metadataColumns.length > 0 && (
                <optgroup label="metadata">
                  {layout.metadataColumns.map((c) => <option key={c} value={`meta:${c}`}>{c}</option>)}
                </optgroup>
              )}
              {/* data-quality scores: served as layout columns under reserved names (docs/api.md, map score columns) */}
              <optgroup label="data quality">
                {QUALITY_COLOURS.map(([value, name]) => <option key={value} value={value} disabled={!v.latestDataQuality}>{name}{v.latestDataQuality ? "" : " (run a data-quality pass first)"}</option>)}
                {colourParam.startsWith("meta:similar:") && <option value={colourParam}>similarity to the chosen sample</option>}
              </optgroup>
              {runs.length > 0 && (
                <optgroup label="selected in run">
                  {runs.map((r) => <option key={r.id} value={`run:${r.id}`}>{r.name || strategyLabel(r.strategy)}</option>)}
                </optgroup>
              )}
            </select>
            {analysisId && <Link className="btn" href={`/analyses/${analysisId}`}>Findings</Link>}
          </div>
        }
      />
      {!analysisId ? (
        <Empty title="No layout yet">Run a confounder analysis on this version; its 2-D layout is what the map shows.</Empty>
      ) : error ? (
        <div className="alert bad">Cannot load the layout: {error}</div>
      ) : !layout ? (
        <div className="card card-body">
          <div className="muted small" style={{ marginBottom: 8 }}>Loading layout… {fmtInt(loaded)} / {total ? fmtInt(total) : "?"}</div>
          <div className="progress"><div style={{ width: `${total ? (100 * loaded) / total : 5}%` }} /></div>
        </div>
      ) : (
        <ColouredMap layout={layout} by={by} runSets={runSets} height="calc(100vh - 190px)" saveToVersionId={saveToVersionId} />
      )}
    </>
  );
}
