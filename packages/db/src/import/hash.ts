// Content hashes. A sample's hash covers everything the import stores about it, so the same row gives
// the same hash on any machine; a version's hash covers its samples' hashes, sorted, so the same set of
// samples gives the same version hash whatever the manifest's row order.
import { createHash } from "node:crypto";

export interface SampleContent {
  externalId: string;
  uri: string | null;
  label: string;
  /** The site code (not the database id, which differs between databases). */
  site: string | null;
  /** Canonical JSON text of the metadata (see canonicalJson). */
  metadataJson: string;
  sha256: string | null;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Hex sha256 over the sample's fields, as a JSON array (unambiguous: no separator tricks). */
export function sampleContentHash(s: SampleContent): string {
  const text = `[${JSON.stringify(s.externalId)},${JSON.stringify(s.uri)},${JSON.stringify(s.label)},${JSON.stringify(s.site)},${s.metadataJson},${JSON.stringify(s.sha256)}]`;
  return createHash("sha256").update(text).digest("hex");
}

/** Hex sha256 over the sorted sample hashes, one per line. */
export function versionContentHash(sampleHashes: readonly string[]): string {
  const sorted = [...sampleHashes].sort();
  const h = createHash("sha256");
  for (const s of sorted) h.update(s).update("\n");
  return h.digest("hex");
}
