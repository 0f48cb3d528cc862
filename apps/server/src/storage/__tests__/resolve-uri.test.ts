// The URI resolver and the grants parser on their own (no server): what each URI form resolves to, what
// is refused and why, and how STRATUM_STORAGE_GRANTS is read. The attack suite covers the same rules
// from outside (src/__tests__/attack/attack-files.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, parseStorageGrants } from "../../env.js";
import { resolveSampleUri, uriProblem, type StorageConfig } from "../resolve-uri.js";

let tmp: string;
let storage: StorageConfig;
const c = { id: 7, slug: "alpha" };
const other = { id: 8, slug: "beta" };
const UPLOAD = "0b7e6a4c-5a4e-4c2b-9a57-2f1de0c0a001";

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(tmpdir(), "stratum-resolve-")));
  const filesDir = path.join(tmp, "files");
  const grant = path.join(tmp, "grant");
  mkdirSync(path.join(filesDir, "consortia", "alpha", "img"), { recursive: true });
  mkdirSync(path.join(filesDir, "consortia", "beta"), { recursive: true });
  mkdirSync(grant, { recursive: true });
  writeFileSync(path.join(filesDir, "consortia", "alpha", "img", "a.png"), "a");
  writeFileSync(path.join(filesDir, "consortia", "beta", "b.png"), "b");
  writeFileSync(path.join(grant, "g.png"), "g");
  writeFileSync(path.join(grant, "a.npz"), "npz");
  symlinkSync(path.join(filesDir, "consortia", "beta", "b.png"), path.join(grant, "escape.png"));
  symlinkSync(path.join(grant, "g.png"), path.join(grant, "inside.png"));
  mkdirSync(path.join(filesDir, "uploads", UPLOAD), { recursive: true });
  writeFileSync(path.join(filesDir, "uploads", UPLOAD, "scan.png"), "u");
  writeFileSync(path.join(filesDir, "uploads", `${UPLOAD}.json`), JSON.stringify({ id: UPLOAD, userId: 1, filename: "scan.png", consortiumId: 7 }));
  storage = { filesDir, uploadDir: path.join(filesDir, "uploads"), storageGrants: { alpha: [grant, "s3://alpha-bucket/scans/"] } };
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("uriProblem (the import check)", () => {
  it("accepts relative paths, paths and file:// URLs inside a root, uploads, arrays and granted remote prefixes", () => {
    for (const uri of ["img/a.png", "./img/a.png", "g.png", path.join(tmp, "grant", "g.png"), `file://${tmp}/grant/g.png`, `upload:${UPLOAD}`, `npz:${tmp}/grant/a.npz#x[3]`, "npy:rel/a.npy[0]", "s3://alpha-bucket/scans/1.png"]) {
      expect(uriProblem(storage, c, uri), uri).toBeNull();
    }
  });

  it("refuses .., paths outside the roots, other consortia's roots, ungranted schemes and malformed forms", () => {
    const refused = [
      "../beta/b.png", // check-paths: allow (a hostile URI the test sends, never read from this machine)
      "img/../../beta/b.png",
      "img\\..\\..\\beta\\b.png",
      path.join(storage.filesDir, "consortia", "beta", "b.png"),
      "/etc/passwd",
      `file://${tmp}/grant/../files/consortia/beta/b.png`,
      `file://${tmp}/grant/%2e%2e/files/x.png`,
      "file://evil-host/etc/passwd",
      "s3://alpha-bucket/scans-other/1.png",
      "s3://alpha-bucket/scans/../../x.png",
      "https://intranet.example/x.png",
      "upload:not-an-id",
      `npz:${storage.filesDir}/consortia/beta/b.npz#x[0]`,
      "npz:s3://alpha-bucket/scans/a.npz#x[0]",
      "a\u0000.png",
      "",
    ];
    for (const uri of refused) expect(uriProblem(storage, c, uri), JSON.stringify(uri)).not.toBeNull();
    // Grants are per consortium: beta may not name alpha's grant.
    expect(uriProblem(storage, other, path.join(tmp, "grant", "g.png"))).not.toBeNull();
  });
});

describe("resolveSampleUri (serving and embedding)", () => {
  it("resolves relative URIs against the consortium's folder, then its grants, never the cwd", async () => {
    expect(await resolveSampleUri(storage, c, "img/a.png")).toEqual({ ok: true, path: path.join(storage.filesDir, "consortia", "alpha", "img", "a.png") });
    expect(await resolveSampleUri(storage, c, "g.png")).toEqual({ ok: true, path: path.join(tmp, "grant", "g.png") });
    expect(await resolveSampleUri(storage, c, "package.json")).toMatchObject({ ok: false, code: "FILE_NOT_FOUND", reason: "file not found" });
  });

  it("follows links that stay inside a root and refuses links that leave it", async () => {
    expect(await resolveSampleUri(storage, c, "inside.png")).toEqual({ ok: true, path: path.join(tmp, "grant", "g.png") });
    const escaped = await resolveSampleUri(storage, c, "escape.png");
    expect(escaped).toMatchObject({ ok: false, code: "URI_NOT_ALLOWED" });
    expect((escaped as { reason: string }).reason).not.toContain(tmp); // users get no paths
    expect(await resolveSampleUri(storage, c, path.join(tmp, "grant", "escape.png"))).toMatchObject({ ok: false, code: "URI_NOT_ALLOWED" });
  });

  it("serves an upload to the consortium it is attached to only; arrays keep their row; remote is never read", async () => {
    expect(await resolveSampleUri(storage, c, `upload:${UPLOAD}`)).toEqual({ ok: true, path: path.join(storage.uploadDir, UPLOAD, "scan.png") });
    expect(await resolveSampleUri(storage, other, `upload:${UPLOAD}`)).toMatchObject({ ok: false, code: "URI_NOT_ALLOWED" });
    expect(await resolveSampleUri(storage, c, `npz:a.npz#train_images[12]`)).toEqual({
      ok: true,
      path: path.join(tmp, "grant", "a.npz"),
      array: { format: "npz", array: "train_images", index: 12 },
    });
    expect(await resolveSampleUri(storage, c, "s3://alpha-bucket/scans/1.png")).toMatchObject({ ok: false, code: "REMOTE_NOT_READ" });
  });
});

describe("STRATUM_STORAGE_GRANTS", () => {
  it("reads JSON and the short form (folders split on ':', not on a remote prefix's '://')", () => {
    expect(parseStorageGrants('{"a": ["/data/a", "s3://b/a/"], "b": "/data/b"}')).toEqual({ a: ["/data/a", "s3://b/a/"], b: ["/data/b"] });
    expect(parseStorageGrants("a=/data/a:/mnt/x/;b=/data/b:s3://bucket/b/")).toEqual({ a: ["/data/a", "/mnt/x"], b: ["/data/b", "s3://bucket/b/"] }); // check-paths: allow (a grant string parsed, no file is read)
    expect(parseStorageGrants(undefined)).toEqual({});
    expect(loadConfig({ STRATUM_STORAGE_GRANTS: "demo=/data/demo" }).storageGrants).toEqual({ demo: ["/data/demo"] });
  });

  it("refuses bad slugs, relative folders, the root, remote prefixes without a trailing slash, and STRATUM_IMAGE_ROOTS", () => {
    for (const raw of ["Bad Slug=/x", "a=relative/dir", "a=/", "a=s3://bucket", '{"a": []}', "{not json", "a"]) {
      expect(() => parseStorageGrants(raw), raw).toThrow(ConfigError);
    }
    expect(() => loadConfig({ STRATUM_IMAGE_ROOTS: "/data" })).toThrow(/STRATUM_STORAGE_GRANTS/);
  });
});
