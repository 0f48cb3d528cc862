// Content hashes. A sample's hash covers everything the import stores about it, so the same row gives
// the same hash on any machine; a version's hash covers its samples' hashes, sorted, so the same set of
// samples gives the same version hash whatever the manifest's row order.
import { createHash, hash } from "node:crypto";

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

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level, so equal values give equal text.
 * Written out here rather than through JSON.stringify of a re-sorted object, because JS objects list
 * integer-like keys ("1", "20") first whatever the insertion order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined || typeof v === "function") continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

/** Hex sha256 over the sample's fields, as a JSON array (unambiguous: no separator tricks). */
export function sampleContentHash(s: SampleContent): string {
  const text = `[${JSON.stringify(s.externalId)},${JSON.stringify(s.uri)},${JSON.stringify(s.label)},${JSON.stringify(s.site)},${s.metadataJson},${JSON.stringify(s.sha256)}]`;
  return hash("sha256", text, "hex");
}

/** Hex sha256 over the sorted sample hashes, one per line. */
export function versionContentHash(sampleHashes: readonly string[]): string {
  const sorted = [...sampleHashes].sort();
  return createHash("sha256").update(sorted.join("\n")).update("\n").digest("hex");
}
