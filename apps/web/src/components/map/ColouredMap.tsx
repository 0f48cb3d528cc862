"use client";
// The embedding map wired to a layout: colour-by control, tooltip with thumbnail and metadata, and
// the lasso's inspection panel.
import { useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";
import { graphql } from "@/gql";
import { EmbeddingMap, type MapCategory } from "./EmbeddingMap";
import { categorise, useLayoutColumn, type Layout } from "./useLayout";
import { OTHER } from "./palette";
import { sampleImageUrl, Thumb, fmtInt } from "@/components/ui";
import { SaveSubset } from "@/components/subset/Subsets";
import { lassoPolygon } from "@/lib/subsetDefinition";

export type ColourBy = { kind: "label" } | { kind: "group" } | { kind: "site" } | { kind: "meta"; column: string } | { kind: "run"; runId: string; name: string };

// The hovered sample's external ID and metadata: not in the layout frame, asked for per point (the
// Apollo cache keeps what was already seen).
const PointTipQuery = graphql(`
  query MapPointTip($id: ID!) { node(id: $id) { ... on Sample { id externalId metadata } } }
`);

/** `metaValues`: the column's values per point for `by.kind === "meta"`, null while they load. */
export function colouring(layout: Layout, by: ColourBy, runSets: Map<string, Set<string>>, metaValues: string[] | null = null): { category: Uint8Array; categories: MapCategory[] } {
  switch (by.kind) {
    case "label": return categorise(layout.labels);
    case "group": return categorise(layout.groups, 40);
    case "site": return categorise(layout.sites);
    case "meta": return metaValues ? categorise(metaValues) : { category: new Uint8Array(layout.xs.length), categories: [{ name: `loading ${by.column}…`, colour: OTHER }] };
    case "run": {
      const ids = runSets.get(by.runId) ?? new Set<string>();
      const category = new Uint8Array(layout.sampleIds.length);
      layout.sampleIds.forEach((s, i) => { category[i] = ids.has(s) ? 0 : 1; });
      return { category, categories: [{ name: `selected in ${by.name}`, colour: "#ffd43b" }, { name: "not selected", colour: OTHER }] };
    }
  }
}

/** `saveToVersionId`: a curator may save the lasso as a subset of this version (issue 14). */
export function ColouredMap({ layout, by, runSets, height, onFirstFrame, testId, saveToVersionId }: { layout: Layout; by: ColourBy; runSets: Map<string, Set<string>>; height?: number | string; onFirstFrame?: (ms: number) => void; testId?: string; saveToVersionId?: string }) {
  const column = useLayoutColumn(by.kind === "meta" ? layout.analysisId : null, by.kind === "meta" ? by.column : null);
  const { category, categories } = useMemo(() => colouring(layout, by, runSets, column.values), [layout, by, runSets, column.values]);
  const [lasso, setLasso] = useState<{ ids: Int32Array; polygon: number[] }>({ ids: new Int32Array(0), polygon: [] });
  const annotations = useMemo(() => layout.classes.map((c) => ({ x: c.x0 + c.width / 2, y: 0.5 + c.height / 2 + 0.05, text: c.label })), [layout]);
  return (
    <div className="stack" style={{ gap: 10 }}>
      <EmbeddingMap
        xs={layout.xs}
        ys={layout.ys}
        category={category}
        categories={categories}
        height={height}
        testId={testId}
        onFirstFrame={onFirstFrame}
        onLasso={(ids, polygon) => setLasso({ ids, polygon })}
        annotations={annotations}
        imageUrl={(i) => sampleImageUrl(layout.sampleIds[i]!)}
        renderTip={(i) => <PointTip layout={layout} i={i} />}
      />
      {column.error && <div className="alert bad">Cannot load the column {by.kind === "meta" ? by.column : ""}: {column.error}</div>}
      {lasso.ids.length > 0 && <LassoPanel layout={layout} ids={lasso.ids} polygon={lasso.polygon} saveToVersionId={saveToVersionId} />}
    </div>
  );
}

function PointTip({ layout, i }: { layout: Layout; i: number }) {
  const { data } = useQuery(PointTipQuery, { variables: { id: layout.sampleIds[i]! } });
  const sample = data?.node?.__typename === "Sample" ? data.node : null;
  return (
    <div>
      <div style={{ fontWeight: 600, overflow: "hidden", textOverflow: "ellipsis" }}>{sample?.externalId ?? "…"}</div>
      <div>label <b>{layout.labels[i]}</b></div>
      <div>site <b>{layout.sites[i]}</b></div>
      <div className="muted">{layout.groups[i]}</div>
      {Object.entries((sample?.metadata ?? {}) as Record<string, unknown>).slice(0, 4).map(([k, v]) => (
        <div key={k} className="muted small" style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>{k}: {String(v)}</div>
      ))}
    </div>
  );
}

function LassoPanel({ layout, ids, polygon, saveToVersionId }: { layout: Layout; ids: Int32Array; polygon: number[]; saveToVersionId?: string }) {
  const summary = (values: string[]) => {
    const m = new Map<string, number>();
    for (const i of ids) m.set(values[i]!, (m.get(values[i]!) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  };
  return (
    <section className="card" data-testid="lasso-panel">
      <div className="card-head">
        <h2>{fmtInt(ids.length)} points in the lasso</h2>
        {saveToVersionId && (
          <SaveSubset
            versionId={saveToVersionId}
            kind="LASSO"
            source={{ sampleIds: Array.from(ids, (i) => layout.sampleIds[i]!), lasso: { analysisId: layout.analysisId, polygon: lassoPolygon(polygon) } }}
            definition={{ points: ids.length, coordinates: "arranged" }}
            testId="save-lasso"
          />
        )}
      </div>
      <div className="card-body grid cols-4" style={{ gap: 12 }}>
        {([["label", layout.labels], ["site", layout.sites], ["group", layout.groups]] as const).map(([name, vals]) => (
          <div key={name}>
            <h3 style={{ marginBottom: 4 }}>{name}</h3>
            {summary(vals).map(([v, c]) => (
              <div key={v} className="row small" style={{ justifyContent: "space-between", flexWrap: "nowrap" }}>
                <span style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{v}</span>
                <span className="muted">{c} · {Math.round((100 * c) / ids.length)}%</span>
              </div>
            ))}
          </div>
        ))}
        <div>
          <h3 style={{ marginBottom: 4 }}>samples</h3>
          <div className="thumbs" style={{ gridTemplateColumns: "repeat(4, 1fr)", gap: 4 }}>
            {Array.from(ids.slice(0, 12), (i) => <Thumb key={i} sampleId={layout.sampleIds[i]!} />)}
          </div>
        </div>
      </div>
    </section>
  );
}
