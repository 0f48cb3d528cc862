// Which files a consortium may read, and the one place a sample URI becomes a file: the image route,
// the EMBED job and the import check all call this module, so a URI resolves the same way everywhere.
//
// A consortium reads from
//   - its own folder <filesDir>/consortia/<slug>/ (always; the demo seed writes there),
//   - the storage roots an operator grants it (STRATUM_STORAGE_GRANTS, see env.ts),
//   - uploads attached to it (POST /uploads?consortium=<ID>), named `upload:<upload id>`.
// Relative URIs resolve against those roots in that order, never against the process's working
// directory. Import checks the URI's form (no `..`, absolute paths and file:// only inside a root,
// remote schemes only under a granted prefix); serving and embedding check again on the real path
// (symlinks resolved), so a link inside a root that points outside is refused.
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the resolver needs from the server's configuration. */
export interface StorageConfig {
  /** Server-side files; each consortium's own folder is <filesDir>/consortia/<slug>. */
  filesDir: string;
  /** Where POST /uploads keeps files (<uploadDir>/<id>/<name>, meta in <uploadDir>/<id>.json). */
  uploadDir: string;
  /** Consortium slug → granted roots: absolute folders, or remote prefixes (https://host/x/, s3://bucket/x/). */
  storageGrants: Readonly<Record<string, readonly string[]>>;
}

export interface ConsortiumRef {
  id: number;
  slug: string;
}

export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCHEME = /^([a-z][a-z0-9+.-]+):/i; // 2+ characters, so a Windows drive letter is not a scheme
const ARRAY_URI = /^(npz|npy):(.+?)(?:#([^[\]]+))?\[(\d+)\]$/;

/** A grant entry that names a remote location rather than a folder. */
export function isRemoteRoot(root: string): boolean {
  return SCHEME.test(root) && !root.toLowerCase().startsWith("file:");
}

/** The consortium's own folder, always readable by it. */
export function consortiumDir(storage: StorageConfig, slug: string): string {
  return path.join(storage.filesDir, "consortia", slug);
}

/** Local roots of a consortium, in the order relative URIs are tried. */
export function localRoots(storage: StorageConfig, c: ConsortiumRef): string[] {
  return [consortiumDir(storage, c.slug), ...(storage.storageGrants[c.slug] ?? []).filter((r) => !isRemoteRoot(r))];
}

function remoteRoots(storage: StorageConfig, c: ConsortiumRef): string[] {
  return (storage.storageGrants[c.slug] ?? []).filter(isRemoteRoot);
}

type Location =
  | { kind: "relative"; path: string }
  | { kind: "absolute"; path: string }
  | { kind: "upload"; id: string }
  | { kind: "remote"; url: string };

export type ParsedUri = Location | { kind: "array"; format: "npz" | "npy"; file: Location; array?: string; index: number };

/** Thrown for a URI that names a place the consortium may not read, or that is malformed. */
export class UriNotAllowed extends Error {
  override name = "UriNotAllowed";
  readonly code = "URI_NOT_ALLOWED";
}

const hasDotDot = (p: string) => p.split(/[\\/]+/).some((s) => s === "..");

function parseLocation(uri: string): Location {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f]/.test(uri)) throw new UriNotAllowed("control characters are not allowed in a uri");
  if (uri.startsWith("upload:")) {
    const id = uri.slice("upload:".length).replace(/^\/\//, "");
    if (!UPLOAD_ID.test(id)) throw new UriNotAllowed("expected upload:<the id returned by POST /uploads>");
    return { kind: "upload", id };
  }
  if (/^file:/i.test(uri)) {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      throw new UriNotAllowed("expected a file:// URL without a host");
    }
    // A `..` in the URL is already folded by the URL parser; refuse it in the raw text too.
    if (hasDotDot(decodeURIComponent(uri.replace(/^file:\/*/i, "/")))) throw new UriNotAllowed("`..` segments are not allowed");
    return { kind: "absolute", path: path.normalize(file) };
  }
  if (SCHEME.test(uri)) {
    if (hasDotDot(safeDecode(uri))) throw new UriNotAllowed("`..` segments are not allowed");
    return { kind: "remote", url: uri };
  }
  if (hasDotDot(uri)) throw new UriNotAllowed("`..` segments are not allowed");
  if (path.isAbsolute(uri)) return { kind: "absolute", path: path.normalize(uri) };
  if (uri.trim() === "") throw new UriNotAllowed("expected a path, got an empty uri");
  return { kind: "relative", path: path.normalize(uri) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses a sample URI (no file system access). Throws UriNotAllowed for malformed ones. */
export function parseUri(uri: string): ParsedUri {
  const arr = ARRAY_URI.exec(uri);
  if (arr) {
    const file = parseLocation(arr[2] as string);
    if (file.kind === "remote") throw new UriNotAllowed(`${arr[1]}: arrays are read from local files or uploads only`);
    return { kind: "array", format: arr[1] as "npz" | "npy", file, ...(arr[3] ? { array: arr[3] } : {}), index: Number(arr[4]) };
  }
  return parseLocation(uri);
}

const inside = (file: string, root: string) => file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

function checkLocation(storage: StorageConfig, c: ConsortiumRef, loc: Location): void {
  if (loc.kind === "absolute") {
    if (!localRoots(storage, c).some((root) => inside(loc.path, root))) {
      throw new UriNotAllowed("absolute paths and file:// URIs must lie in a storage root granted to this consortium");
    }
  } else if (loc.kind === "remote") {
    if (!remoteRoots(storage, c).some((prefix) => loc.url.startsWith(prefix))) {
      throw new UriNotAllowed(`${SCHEME.exec(loc.url)![1]}: URIs must start with a remote root granted to this consortium`);
    }
  }
  // relative: resolved against the consortium's roots when read; upload: its attachment is checked when read.
}

/**
 * The import-time check of one URI: returns why this consortium may not reference it, or null.
 * Synchronous and lexical (a manifest has many rows); the real path is checked again when read.
 */
export function uriProblem(storage: StorageConfig, c: ConsortiumRef, uri: string): string | null {
  try {
    const parsed = parseUri(uri);
    checkLocation(storage, c, parsed.kind === "array" ? parsed.file : parsed);
    return null;
  } catch (error) {
    if (error instanceof UriNotAllowed) return error.message;
    throw error;
  }
}

/** Why a URI could not be read. `reason` is for users (no server paths); `detail` for the server log. */
export interface Unreadable {
  ok: false;
  code: "URI_NOT_ALLOWED" | "FILE_NOT_FOUND" | "REMOTE_NOT_READ";
  reason: string;
  detail: string;
}

export type Resolved =
  | { ok: true; path: string; array?: { format: "npz" | "npy"; array?: string; index: number } }
  | Unreadable;

async function real(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

const refused = (detail: string): Unreadable => ({ ok: false, code: "URI_NOT_ALLOWED", reason: "this location is not readable by the sample's consortium", detail });
const missing = (detail: string): Unreadable => ({ ok: false, code: "FILE_NOT_FOUND", reason: "file not found", detail });

/** `candidate`'s real path when it lies under `root`'s real path; refused when a link leads outside. */
async function within(candidate: string, root: string): Promise<{ path: string } | Unreadable> {
  const realRoot = await real(root);
  const file = await real(candidate);
  if (!realRoot || !file) return missing(`${candidate}: does not exist`);
  if (!inside(file, realRoot)) return refused(`${candidate} resolves to ${file}, outside ${realRoot}`);
  return { path: file };
}

async function resolveLocation(storage: StorageConfig, c: ConsortiumRef, loc: Location): Promise<{ path: string } | Unreadable> {
  switch (loc.kind) {
    case "remote":
      return { ok: false, code: "REMOTE_NOT_READ", reason: "remote URIs are not read by this server", detail: loc.url };
    case "upload": {
      let meta: { filename?: unknown; consortiumId?: unknown };
      try {
        meta = JSON.parse(await readFile(path.join(storage.uploadDir, `${loc.id}.json`), "utf8")) as typeof meta;
      } catch {
        return missing(`upload ${loc.id}: no such upload`);
      }
      if (meta.consortiumId !== c.id) return refused(`upload ${loc.id} is not attached to consortium ${c.id}`);
      const dir = path.join(storage.uploadDir, loc.id);
      return within(path.join(dir, String(meta.filename)), dir);
    }
    case "absolute": {
      const roots = localRoots(storage, c).filter((root) => inside(loc.path, root));
      if (!roots.length) return refused(`${loc.path}: outside the roots of consortium ${c.slug}`);
      let last: Unreadable = missing(`${loc.path}: does not exist`);
      for (const root of roots) {
        const r = await within(loc.path, root);
        if (!("ok" in r)) return r;
        if (r.code === "URI_NOT_ALLOWED" || last.code !== "URI_NOT_ALLOWED") last = r;
      }
      return last;
    }
    case "relative": {
      // The first root where the file exists decides; a link there that leads outside is refused.
      for (const root of localRoots(storage, c)) {
        const r = await within(path.join(root, loc.path), root);
        if (!("ok" in r) || r.code === "URI_NOT_ALLOWED") return r;
      }
      return missing(`${loc.path}: not found under the roots of consortium ${c.slug}`);
    }
  }
}

/** Resolves a sample URI for its consortium to a real file (symlinks resolved and contained). */
export async function resolveSampleUri(storage: StorageConfig, c: ConsortiumRef, uri: string): Promise<Resolved> {
  let parsed: ParsedUri;
  try {
    parsed = parseUri(uri);
    checkLocation(storage, c, parsed.kind === "array" ? parsed.file : parsed);
  } catch (error) {
    if (error instanceof UriNotAllowed) return refused(`${uri}: ${error.message}`);
    throw error;
  }
  const r = await resolveLocation(storage, c, parsed.kind === "array" ? parsed.file : parsed);
  if ("ok" in r) return r;
  if (parsed.kind !== "array") return { ok: true, path: r.path };
  return { ok: true, path: r.path, array: { format: parsed.format, ...(parsed.array ? { array: parsed.array } : {}), index: parsed.index } };
}

/** The StorageConfig part of a ServerConfig-like object. */
export function storageOf(config: StorageConfig): StorageConfig {
  return { filesDir: config.filesDir, uploadDir: config.uploadDir, storageGrants: config.storageGrants };
}
