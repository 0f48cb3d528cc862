// Fetches and decodes the server's binary layout frames (GET /api/analyses/:id/layout and
// …/layout/columns/:name; the format and its codec live in @stratum/formats/layout) into the flat
// arrays the map takes. External IDs and metadata are not in the layout: the tooltip asks for the hovered
// sample, and colouring by a column fetches that column.
import { decodeLayoutColumn, decodeLayoutFrame, type DecodedColumn } from "@stratum/formats/layout";
import { arrangeByClass, type ClassBox } from "./arrange";

export interface DecodedLayout {
  analysisId: string;
  xs: Float32Array;
  ys: Float32Array;
  classes: ClassBox[];
  sampleIds: string[];
  labels: string[];
  sites: string[];
  groups: string[];
  metadataColumns: string[];
}

/** The GraphQL global ID of a node: base64url("Type:id"), as the server forms it. */
export function globalId(type: string, id: number): string {
  return btoa(`${type}:${id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeLayout(bytes: Uint8Array): DecodedLayout {
  const { header, points } = decodeLayoutFrame(bytes);
  const n = header.count;
  const sampleIds = new Array<string>(n), labels = new Array<string>(n), sites = new Array<string>(n), groups = new Array<string>(n);
  const groupName = header.groups.map((g) => (g.isNoise ? `${g.label} · noise` : g.name));
  for (let i = 0; i < n; i++) {
    const g = points.group[i]!;
    sampleIds[i] = globalId(header.sampleIdType, points.sampleIds[i]!);
    labels[i] = header.groups[g]!.label;
    groups[i] = groupName[g]!;
    const s = points.site[i]!;
    sites[i] = s >= 0 ? header.sites[s]! : "—";
  }
  const classes = arrangeByClass(points.x, points.y, labels);
  return { analysisId: header.analysisId, xs: points.x, ys: points.y, classes, sampleIds, labels, sites, groups, metadataColumns: header.columns };
}

async function get(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  const res = await fetch(url, { credentials: "same-origin", signal });
  if (res.status === 404) throw new Error("analysis not found");
  if (!res.ok) throw new Error(`layout: expected 200, got ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Fetches and decodes an analysis's layout through the same-origin API proxy (cookies ride along). */
export async function fetchLayout(analysisId: string, signal?: AbortSignal): Promise<DecodedLayout> {
  return decodeLayout(await get(`/api/analyses/${encodeURIComponent(analysisId)}/layout`, signal));
}

/** One metadata column over the layout's points, in the layout's order. */
export async function fetchLayoutColumn(analysisId: string, column: string, signal?: AbortSignal): Promise<DecodedColumn> {
  return decodeLayoutColumn(await get(`/api/analyses/${encodeURIComponent(analysisId)}/layout/columns/${encodeURIComponent(column)}`, signal));
}

/** One string per point for colouring: numbers binned into quantiles (so they colour like a category). */
export function columnValues(col: DecodedColumn, bins = 6): string[] {
  if (col.kind === "category") return Array.from(col.codes, (k) => col.values[k] ?? "missing");
  const nums = col.numbers;
  const sorted = Array.from(nums).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Array.from(nums, () => "missing");
  const edges = Array.from({ length: bins + 1 }, (_, k) => sorted[Math.min(sorted.length - 1, Math.floor((k / bins) * (sorted.length - 1)))]!);
  const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());
  return Array.from(nums, (n) => {
    if (!Number.isFinite(n)) return "missing";
    let b = 0;
    while (b < bins - 1 && n > edges[b + 1]!) b++;
    return `${fmt(edges[b]!)}–${fmt(edges[b + 1]!)}`;
  });
}
