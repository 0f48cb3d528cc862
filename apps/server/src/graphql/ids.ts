// Opaque global IDs: base64url("Type:id"). Clients treat them as strings; the server decodes them
// once, at the edge, and checks the type. Only the canonical spelling (unpadded base64url, as
// toGlobalId writes it) is accepted: Node's decoder also takes `=` padding and stray low bits in the
// last character, so one object had several IDs and "distinct IDs" checks could be fooled (compareRuns
// took the same run twice through a padded ID).
import { AppError } from "./errors.js";

export function toGlobalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

/** Returns { type, id } or null when the string is not one of our IDs. */
export function parseGlobalId(globalId: string): { type: string; id: number } | null {
  if (typeof globalId !== "string" || globalId.length === 0 || globalId.length > 200) return null;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(globalId)) return null;
  const text = Buffer.from(globalId, "base64url").toString("utf8");
  const match = /^([A-Za-z][A-Za-z0-9]*):([1-9][0-9]{0,14})$/.exec(text);
  if (!match) return null;
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id)) return null;
  if (toGlobalId(match[1]!, id) !== globalId) return null; // not the canonical spelling
  return { type: match[1]!, id };
}

/** Decodes an ID of the expected type or returns null (for reads: unknown resolves to null). */
export function decodeIdOrNull(globalId: string, type: string): number | null {
  const parsed = parseGlobalId(globalId);
  return parsed && parsed.type === type ? parsed.id : null;
}

/**
 * Decodes an ID of the expected type or throws AppError NOT_FOUND naming the input field
 * (for mutations: the error ends up in the payload).
 */
export function decodeId(globalId: string, type: string, field: string[]): number {
  const id = decodeIdOrNull(globalId, type);
  if (id === null) {
    throw new AppError("NOT_FOUND", `expected the ID of a ${type}, got "${String(globalId).slice(0, 60)}"`, field);
  }
  return id;
}

// Objects keyed by several columns (a run's item: run × sample) get "Type:a:b" under the same base64url.
export function toCompositeGlobalId(type: string, ids: readonly number[]): string {
  return toGlobalId(type, ids.join(":"));
}

/** Decodes "Type:a:b…" with exactly `arity` positive integer parts, or throws NOT_FOUND on `field`. */
export function decodeCompositeId(globalId: string, type: string, arity: number, field: string[]): number[] {
  const wrong = () => new AppError("NOT_FOUND", `expected the ID of a ${type}, got "${String(globalId).slice(0, 60)}"`, field);
  if (typeof globalId !== "string" || globalId.length === 0 || globalId.length > 200 || !/^[A-Za-z0-9_-]+={0,2}$/.test(globalId)) throw wrong();
  const [name, ...parts] = Buffer.from(globalId, "base64url").toString("utf8").split(":");
  if (name !== type || parts.length !== arity || !parts.every((p) => /^[1-9][0-9]{0,14}$/.test(p))) throw wrong();
  const ids = parts.map(Number);
  if (!ids.every(Number.isSafeInteger)) throw wrong();
  if (toCompositeGlobalId(type, ids) !== globalId) throw wrong(); // not the canonical spelling
  return ids;
}
