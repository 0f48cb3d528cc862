// Hostile multipart bodies against POST /uploads on a live server: each is answered with a clear 4xx
// (VALIDATION 400, or LIMIT_EXCEEDED 413), and nothing is left in the upload directory; a path in a
// filename never reaches the file system.
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser, signIn, startTestServer, type TestClient, type TestServer, type UploadRefused, type UploadResponse } from "../../test/harness.js";
import { MULTIPART_LIMITS } from "../multipart.js";

const LIMIT = 64 * 1024; // STRATUM_UPLOAD_MAX_BYTES for this suite
const B = "----stratumRouteBoundary";

let server: TestServer;
let curator: TestClient;

beforeAll(async () => {
  server = await startTestServer({ uploadMaxBytes: LIMIT });
  const consortiumId = (await server.store.prisma.consortium.create({ data: { slug: "mp-c", name: "C" } })).id;
  const u = await seedUser(server.store, [{ consortiumId, role: "CURATOR" }], "curator");
  curator = await signIn(server, u.email);
});
afterAll(async () => {
  await server?.close();
});

const part = (headers: string[], body: string | Buffer) =>
  Buffer.concat([Buffer.from(`--${B}\r\n${headers.join("\r\n")}\r\n\r\n`), Buffer.from(body), Buffer.from("\r\n")]);
const filePart = (filename: string, body: string | Buffer) => part([`Content-Disposition: form-data; name="file"; filename="${filename}"`, "Content-Type: text/csv"], body);
const close = Buffer.from(`--${B}--\r\n`);

/** Every file under the upload directory (recursively), as relative paths. */
function stored(): string[] {
  const dir = server.app.services.config.uploadDir;
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/** POST /uploads with this body; `chunked` sends it as a stream without Content-Length. */
async function post<J>(body: Buffer, contentType = `multipart/form-data; boundary=${B}`, chunked = false): Promise<{ status: number; json: J }> {
  const headers: Record<string, string> = { "content-type": contentType, cookie: [...curator.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers };
  if (chunked) {
    init.body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < body.length; i += 1000) c.enqueue(body.subarray(i, i + 1000));
        c.close();
      },
    });
    init.duplex = "half";
  } else {
    init.body = body;
  }
  const res = await fetch(`${server.base}/uploads`, init);
  return { status: res.status, json: (await res.json()) as J };
}

/** The answer to a hostile body, checking that the upload directory is as it was. */
async function refused(body: Buffer, contentType?: string, chunked?: boolean): Promise<{ status: number; code: string; message: string }> {
  const before = stored();
  const r = await post<UploadRefused>(body, contentType, chunked);
  expect(stored()).toEqual(before);
  return { status: r.status, code: r.json.error.code, message: r.json.error.message };
}

describe("POST /uploads with multipart/form-data", () => {
  it("stores a well-formed file part and keeps only the last segment of its filename", async () => {
    const r = await post<UploadResponse>(Buffer.concat([filePart("../../etc/passwd", "root:x:0:0\n"), close])); // check-paths: allow (a hostile filename, never read)
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ filename: "passwd", size: 11 });
    const files = stored();
    expect(files).toContain(path.join(r.json.id, "passwd"));
    expect(files.every((f) => !f.includes(".."))).toBe(true);
    // Whatever survives the parser, the route's cleanFilename leaves no separator or control character.
    const odd = await post<UploadResponse>(Buffer.concat([filePart("..\\..\\x;rm -rf ~.csv", "a\n"), close]), undefined, true);
    expect(odd.status).toBe(201);
    expect(odd.json.filename).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(odd.json.filename).not.toMatch(/^\.\.?$/);
  });

  it("answers 400 to a truncated body (ended inside the file) and keeps nothing", async () => {
    const whole = Buffer.concat([filePart("cut.csv", "a,b\n".repeat(5000)), close]);
    for (const chunked of [false, true]) {
      const r = await refused(whole.subarray(0, 9000), undefined, chunked);
      expect(r).toEqual({ status: 400, code: "VALIDATION", message: "multipart body ended before its closing boundary" });
    }
    const inHeaders = await refused(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"`));
    expect(inHeaders).toMatchObject({ status: 400, code: "VALIDATION", message: expect.stringMatching(/^multipart upload: multipart body ended before its closing boundary, before any part/) });
  });

  it("answers 400 to a multipart type without a boundary, or another multipart type, and keeps nothing", async () => {
    const body = Buffer.concat([filePart("a.csv", "x"), close]);
    for (const type of ["multipart/form-data", "multipart/form-data; boundary=", `multipart/mixed; boundary=${B}`, `multipart/related; boundary=${B}`]) {
      expect(await refused(body, type), type).toEqual({ status: 400, code: "VALIDATION", message: "multipart upload: expected multipart/form-data with a boundary" });
    }
    // A boundary that is not the body's: no part is ever found.
    expect(await refused(body, "multipart/form-data; boundary=other")).toMatchObject({ status: 400, code: "VALIDATION" });
  });

  it("answers 413 to a file over the limit, streamed or declared, and keeps nothing", async () => {
    const big = Buffer.concat([filePart("big.csv", "x".repeat(LIMIT + 1)), close]);
    expect(await refused(big)).toMatchObject({ status: 413, code: "LIMIT_EXCEEDED" }); // by Content-Length, before reading
    expect(await refused(big, undefined, true)).toMatchObject({ status: 413, code: "LIMIT_EXCEEDED" }); // while streaming
  });

  it("answers 400 to too many parts or fields before the file, or an oversize field, and keeps nothing", async () => {
    const fields = Array.from({ length: MULTIPART_LIMITS.fields + 1 }, (_, i) => part([`Content-Disposition: form-data; name="f${i}"`], "v"));
    expect(await refused(Buffer.concat([...fields, filePart("a.csv", "x"), close]))).toEqual({
      status: 400,
      code: "VALIDATION",
      message: `multipart upload: expected at most ${MULTIPART_LIMITS.fields} fields before the file, got more`,
    });
    const parts = Array.from({ length: MULTIPART_LIMITS.parts + 1 }, () => part(["Content-Disposition: attachment"], "z"));
    expect(await refused(Buffer.concat([...parts, filePart("a.csv", "x"), close]), undefined, true)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/expected the file within the first 64 parts/),
    });
    const bigField = part([`Content-Disposition: form-data; name="note"`], "n".repeat(MULTIPART_LIMITS.fieldBytes + 1));
    // Declared, it passes the size limit first (413); streamed, the parser refuses the field.
    expect(await refused(Buffer.concat([bigField, filePart("a.csv", "x"), close]))).toMatchObject({ status: 413 });
    expect(await refused(Buffer.concat([bigField, filePart("a.csv", "x"), close]), undefined, true)).toMatchObject({ status: 400, message: expect.stringMatching(/fields of at most/) });
  });

  it("answers 400 when the only file part's filename decodes to a line break (header injection), and keeps nothing", async () => {
    const injected = part([`Content-Disposition: form-data; name="file"; filename*=UTF-8''a.csv%0D%0AContent-Type%3A%20text%2Fhtml`], "<script>");
    expect(await refused(Buffer.concat([injected, close]))).toEqual({
      status: 400,
      code: "VALIDATION",
      message: "multipart upload: expected a multipart part with a filename (the file), found none",
    });
  });
});
