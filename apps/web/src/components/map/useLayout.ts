"use client";
// Loads an analysis's whole 2-D layout into flat arrays for the map in one request (GET
// /api/analyses/:id/layout, decoded in layoutPayload.ts), and builds the colourings: label, confounder
// group, site, a metadata column (fetched when asked for: useLayoutColumn), or "selected in run X".
import { useApolloClient } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { graphql } from "@/gql";
import type { RunItemIdsQuery } from "@/gql/graphql";
import type { MapCategory } from "./EmbeddingMap";
import { OTHER } from "./palette";
import { columnValues, fetchLayout, fetchLayoutColumn, type DecodedLayout } from "./layoutPayload";

const RunItemsPage = graphql(`
  query RunItemIds($id: ID!, $after: String) {
    node(id: $id) {
      ... on SelectionRun { id items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { sample { id } } } }
    }
  }
`);

/** An analysis layout, classes placed side by side (see arrange.ts); decoded by layoutPayload.ts. */
export type Layout = DecodedLayout;

export function useLayout(analysisId: string | null): { layout: Layout | null; loaded: number; total: number; error: string | null } {
  const [state, setState] = useState<{ layout: Layout | null; loaded: number; total: number; error: string | null }>({ layout: null, loaded: 0, total: 0, error: null });
  useEffect(() => {
    if (!analysisId) return;
    const abort = new AbortController();
    fetchLayout(analysisId, abort.signal).then(
      (layout) => {
        if (!abort.signal.aborted) setState({ layout, loaded: layout.xs.length, total: layout.xs.length, error: null });
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e) }));
      },
    );
    return () => abort.abort();
  }, [analysisId]);
  return state;
}

/** One metadata column's colouring values, one per point, once fetched (null while loading). */
export function useLayoutColumn(analysisId: string | null, column: string | null): { values: string[] | null; error: string | null } {
  const [state, setState] = useState<{ key: string; values: string[] | null; error: string | null }>({ key: "", values: null, error: null });
  const key = analysisId && column ? `${analysisId}\u0000${column}` : "";
  useEffect(() => {
    if (!analysisId || !column) return;
    const abort = new AbortController();
    fetchLayoutColumn(analysisId, column, abort.signal).then(
      (col) => { if (!abort.signal.aborted) setState({ key, values: columnValues(col), error: null }); },
      (e: unknown) => { if (!abort.signal.aborted) setState({ key, values: null, error: e instanceof Error ? e.message : String(e) }); },
    );
    return () => abort.abort();
  }, [analysisId, column, key]);
  return state.key === key ? { values: state.values, error: state.error } : { values: null, error: null };
}

/** Sample ids selected by a run (all pages). */
export function useRunSampleIds(runIds: string[]): Map<string, Set<string>> {
  const client = useApolloClient();
  const key = runIds.join(",");
  const [sets, setSets] = useState<Map<string, Set<string>>>(new Map());
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const out = new Map<string, Set<string>>();
      for (const id of key ? key.split(",") : []) {
        const ids = new Set<string>();
        let after: string | null = null;
        for (;;) {
          // no-cache: these id-only pages must not enter SelectionRun.items, which the cache's type
          // policy (lib/pagination.ts) keeps as the pages' full list (review queue, run page).
          const res: { data?: RunItemIdsQuery } | null = await client.query({ query: RunItemsPage, variables: { id, after }, fetchPolicy: "no-cache" }).catch(() => null);
          const node: RunItemIdsQuery["node"] | undefined = res?.data?.node;
          if (!node || node.__typename !== "SelectionRun") break;
          for (const it of node.items.nodes) if (it.sample) ids.add(it.sample.id);
          if (!node.items.pageInfo.hasNextPage) break;
          after = node.items.pageInfo.endCursor;
        }
        out.set(id, ids);
      }
      if (!cancelled) setSets(out);
    })();
    return () => {
      cancelled = true;
    };
  }, [key, client]);
  return sets;
}

/** Categorical colouring from one string per point; the most frequent values get the first colours. */
export function categorise(values: string[], maxCategories = 24): { category: Uint8Array; categories: MapCategory[] } {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
  const kept = ordered.slice(0, maxCategories - (ordered.length > maxCategories ? 1 : 0));
  const index = new Map(kept.map((v, i) => [v, i]));
  const otherIdx = kept.length;
  const category = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) category[i] = index.get(values[i]!) ?? otherIdx;
  const categories: MapCategory[] = kept.map((name) => ({ name }));
  if (ordered.length > kept.length) categories.push({ name: `other (${ordered.length - kept.length})`, colour: OTHER });
  return { category, categories };
}
