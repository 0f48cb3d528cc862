// Decodes GET /api/analyses/:id/layout (the server's bulk layout route, one request for the whole
// analysis) into the flat arrays the map takes. Typed arrays arrive as base64 of little-endian bytes.
import { arrangeByClass, type ClassBox } from "./arrange";

export interface LayoutPayloadGroup {
  id: string;
  label: string;
  index: number;
  isNoise: boolean;
  name: string;
  size: number;
}

export interface LayoutPayload {
  analysisId: string;
  count: number;
  sampleIdType: string;
  groups: LayoutPayloadGroup[];
  sampleIds: string;
  xy: string;
  group: string;
  externalIds: string[];
  sites: string[];
  site: string;
  metadata: Array<Record<string, unknown> | null>;
}

export interface DecodedLayout {
  xs: Float32Array;
  ys: Float32Array;
  classes: ClassBox[];
  sampleIds: string[];
  externalIds: string[];
  labels: string[];
  sites: string[];
  groups: string[];
  metadata: Array<Record<string, unknown>>;
  metadataColumns: string[];
}

/** base64 → bytes, copied into a fresh (aligned) buffer. */
export function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function typed<T extends Int32Array | Float32Array>(b64: string, make: (buf: ArrayBuffer, n: number) => T, expected: number, field: string): T {
  const bytes = base64Bytes(b64);
  if (bytes.byteLength !== expected * 4) throw new Error(`layout: expected ${expected * 4} bytes in ${field}, got ${bytes.byteLength}`);
  return make(bytes.buffer as ArrayBuffer, expected);
}

/** The GraphQL global ID of a node: base64url("Type:id"), as the server forms it. */
export function globalId(type: string, id: number): string {
  return btoa(`${type}:${id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeLayout(p: LayoutPayload): DecodedLayout {
  const n = p.count;
  const ids = typed(p.sampleIds, (b, k) => new Int32Array(b, 0, k), n, "sampleIds");
  const xy = typed(p.xy, (b, k) => new Float32Array(b, 0, k), 2 * n, "xy");
  const group = typed(p.group, (b, k) => new Int32Array(b, 0, k), n, "group");
  const site = typed(p.site, (b, k) => new Int32Array(b, 0, k), n, "site");
  if (p.externalIds.length !== n || p.metadata.length !== n) {
    throw new Error(`layout: expected ${n} externalIds and metadata, got ${p.externalIds.length} and ${p.metadata.length}`);
  }
  const xs = new Float32Array(n), ys = new Float32Array(n);
  const sampleIds = new Array<string>(n), labels = new Array<string>(n), sites = new Array<string>(n), groups = new Array<string>(n);
  const metadata = new Array<Record<string, unknown>>(n);
  const cols = new Set<string>();
  for (let i = 0; i < n; i++) {
    xs[i] = xy[2 * i]!;
    ys[i] = xy[2 * i + 1]!;
    const g = p.groups[group[i]!];
    if (!g) throw new Error(`layout: point ${i} has group index ${group[i]}, expected 0…${p.groups.length - 1}`);
    sampleIds[i] = globalId(p.sampleIdType, ids[i]!);
    labels[i] = g.label;
    groups[i] = g.isNoise ? `${g.label} · noise` : g.name;
    const s = site[i]!;
    sites[i] = s >= 0 ? (p.sites[s] ?? "—") : "—";
    const md = p.metadata[i] ?? {};
    metadata[i] = md;
    for (const k of Object.keys(md)) cols.add(k);
  }
  const classes = arrangeByClass(xs, ys, labels);
  return { xs, ys, classes, sampleIds, externalIds: p.externalIds, labels, sites, groups, metadata, metadataColumns: [...cols].sort() };
}

/** Fetches and decodes an analysis's layout through the same-origin API proxy (cookies ride along). */
export async function fetchLayout(analysisId: string, signal?: AbortSignal): Promise<DecodedLayout> {
  const res = await fetch(`/api/analyses/${encodeURIComponent(analysisId)}/layout`, { credentials: "same-origin", signal });
  if (res.status === 404) throw new Error("analysis not found");
  if (!res.ok) throw new Error(`layout: expected 200, got ${res.status}`);
  return decodeLayout((await res.json()) as LayoutPayload);
}
