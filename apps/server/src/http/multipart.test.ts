// readMultipartFile(source, boundary) over in-memory bodies: the file part found and streamed intact,
// and each hostile body refused with a MultipartError (the routes answer it as 400, see
// http/__tests__/multipart-routes.test.ts).
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MULTIPART_LIMITS, MultipartError, multipartBoundary, readMultipartFile, type MultipartLimits } from "./multipart.js";

const B = "----stratumTestBoundary7MA4YWxk";

/** One part: its header lines, then its bytes. */
function part(headers: string[], body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`--${B}\r\n${headers.join("\r\n")}\r\n\r\n`), Buffer.from(body), Buffer.from("\r\n")]);
}
const fileHeaders = (filename: string, type = "text/csv") => [`Content-Disposition: form-data; name="file"; filename="${filename}"`, `Content-Type: ${type}`];
const field = (name: string, value: string) => part([`Content-Disposition: form-data; name="${name}"`], value);
const close = Buffer.from(`--${B}--\r\n`);

/** The body in chunks of `size` bytes (every chunk boundary is a chance to split a delimiter). */
function source(body: Buffer, size = 7): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
  return Readable.from(chunks);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The file's name, type and bytes, or the MultipartError's message (from the promise or the stream). */
async function outcome(body: Buffer, limits?: MultipartLimits, size?: number): Promise<{ filename: string; contentType: string; bytes: Buffer } | { error: string }> {
  try {
    const file = await readMultipartFile(source(body, size), B, limits);
    return { filename: file.filename, contentType: file.contentType, bytes: await readAll(file.body) };
  } catch (error) {
    expect(error).toBeInstanceOf(MultipartError);
    return { error: (error as Error).message };
  }
}

describe("multipartBoundary(contentType)", () => {
  it("multipartBoundary reads a bare or quoted boundary of multipart/form-data only", () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary(`Multipart/Form-Data; charset=utf-8; boundary="a b;c"`)).toBe("a b;c");
    expect(multipartBoundary("multipart/form-data")).toBeNull();
    expect(multipartBoundary(`multipart/mixed; boundary=${B}`)).toBeNull();
    expect(multipartBoundary("text/plain")).toBeNull();
    expect(multipartBoundary(`multipart/form-data; boundary=${"x".repeat(71)}`)).toBe("x".repeat(70));
  });
});

describe("readMultipartFile(source, boundary)", () => {
  it("readMultipartFile skips fields before the file and streams its bytes across every chunk split", async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    // Bytes that look like a delimiter but are not one stay in the file.
    const tricky = Buffer.concat([bytes, Buffer.from(`\r\n--${B.slice(0, -1)}x\r\n`), bytes]);
    const body = Buffer.concat([field("note", "before"), part(fileHeaders("scan.bin", "application/octet-stream"), tricky), field("after", "x"), close]);
    for (const size of [1, 3, 7, 64, 4096, body.length]) {
      expect(await outcome(body, undefined, size)).toEqual({ filename: "scan.bin", contentType: "application/octet-stream", bytes: tricky });
    }
  });

  it("readMultipartFile takes only the first file part and ignores a preamble", async () => {
    const body = Buffer.concat([Buffer.from("preamble text\r\n"), part(fileHeaders("a.csv"), "a,b\n1,2\n"), part(fileHeaders("b.csv"), "second"), close]);
    expect(await outcome(body)).toEqual({ filename: "a.csv", contentType: "text/csv", bytes: Buffer.from("a,b\n1,2\n") });
  });

  it("readMultipartFile takes an empty file and a part without a type as application/octet-stream… or text/plain", async () => {
    const empty = await outcome(Buffer.concat([part(fileHeaders("empty.csv"), ""), close]));
    expect(empty).toMatchObject({ filename: "empty.csv", bytes: Buffer.alloc(0) });
    const untyped = await outcome(Buffer.concat([part([`Content-Disposition: form-data; name="f"; filename="u.bin"`], "abc"), close]));
    // multipart's default part type (RFC 7578 §4.4)
    expect(untyped).toMatchObject({ filename: "u.bin", contentType: "text/plain", bytes: Buffer.from("abc") });
  });

  it("readMultipartFile reduces a path in the filename to its last segment (../../etc/passwd → passwd)", async () => { // check-paths: allow (hostile filenames, never read)
    for (const [given, kept] of [
      ["../../etc/passwd", "passwd"], // check-paths: allow (hostile filenames, never read)
      ["..\\..\\windows\\win.ini", "win.ini"],
      ["/abs/path/x.csv", "x.csv"],
      ["C:\\Users\\me\\m.csv", "m.csv"], // check-paths: allow (hostile filenames, never read)
    ] as const) {
      const r = await outcome(Buffer.concat([part(fileHeaders(given), "x"), close]));
      expect(r, given).toMatchObject({ filename: kept });
    }
  });

  it("readMultipartFile refuses a body without a file part, naming what it expected", async () => {
    expect(await outcome(Buffer.concat([field("note", "no file here"), close]))).toEqual({ error: "expected a multipart part with a filename (the file), found none" });
    expect(await outcome(Buffer.from("not multipart at all"))).toMatchObject({ error: expect.stringMatching(/ended before its closing boundary/) });
    expect(await outcome(Buffer.alloc(0))).toMatchObject({ error: expect.stringMatching(/ended before its closing boundary/) });
  });

  it("readMultipartFile errors the file's stream when the body ends inside the file (truncated body)", async () => {
    const whole = Buffer.concat([part(fileHeaders("cut.csv"), "a".repeat(10_000)), close]);
    const cut = whole.subarray(0, 5_000);
    const file = await readMultipartFile(source(cut, 512), B);
    await expect(readAll(file.body)).rejects.toThrow(new MultipartError("multipart body ended before its closing boundary"));
    // Inside the headers of the file part: no file yet.
    const inHeaders = Buffer.concat([field("a", "b"), Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filen`)]);
    expect(await outcome(inHeaders)).toMatchObject({ error: expect.stringMatching(/ended before its closing boundary, before any part with a filename/) });
  });

  it("readMultipartFile errors a stream that the route reads only after other work (no unheard error)", async () => {
    const whole = part(fileHeaders("late.csv"), "b".repeat(50));
    const cut = whole.subarray(0, whole.length - 20);
    const file = await readMultipartFile(source(cut, 1000), B);
    await new Promise((r) => setTimeout(r, 20)); // the body has ended and failed meanwhile
    await expect(readAll(file.body)).rejects.toThrow(/ended before its closing boundary/);
  });

  it("readMultipartFile refuses too many parts or fields before the file, and an oversize field", async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => field(`f${i}`, "v"));
    const file = part(fileHeaders("late.csv"), "x");
    expect(await outcome(Buffer.concat([...fields(MULTIPART_LIMITS.fields), file, close]))).toMatchObject({ filename: "late.csv" });
    expect(await outcome(Buffer.concat([...fields(MULTIPART_LIMITS.fields + 1), file, close]))).toEqual({
      error: `expected at most ${MULTIPART_LIMITS.fields} fields before the file, got more`,
    });
    expect(await outcome(Buffer.concat([...fields(6), file, close]), { parts: 5 })).toEqual({ error: "expected the file within the first 5 parts, got more parts before it" });
    // Parts with a disposition other than form-data count as parts too.
    const odd = Array.from({ length: 70 }, () => part(["Content-Disposition: attachment"], "z"));
    expect(await outcome(Buffer.concat([...odd, file, close]))).toMatchObject({ error: expect.stringMatching(/within the first 64 parts/) });
    expect(await outcome(Buffer.concat([field("big", "y".repeat(MULTIPART_LIMITS.fieldBytes + 1)), file, close]), undefined, 4096)).toMatchObject({
      error: expect.stringMatching(/expected fields of at most 65536 bytes, got a longer "big"/),
    });
  });

  it("readMultipartFile errors the file's stream past fileBytes", async () => {
    const file = await readMultipartFile(source(Buffer.concat([part(fileHeaders("big.bin"), "q".repeat(3000)), close]), 256), B, { fileBytes: 1000 });
    await expect(readAll(file.body)).rejects.toThrow(new MultipartError("the file exceeds 1000 bytes"));
  });

  it("readMultipartFile keeps line breaks and paths out of the filename (header injection), and bounds part headers", async () => {
    // A raw CRLF inside the quotes ends the header line: the rest is a header of its own, not the name.
    const split = part([`Content-Disposition: form-data; name="file"; filename="a.csv\r\nX-Injected: 1.csv"`], "<script>");
    expect(await outcome(Buffer.concat([split, close]))).toMatchObject({ filename: "a.csv" });
    // An encoded one (RFC 5987 filename*) decodes to a line break: that part is skipped, never the file.
    const encoded = part([`Content-Disposition: form-data; name="file"; filename*=UTF-8''a%0D%0AContent-Type%3A%20text%2Fhtml.csv`], "<script>");
    expect(await outcome(Buffer.concat([encoded, close]))).toEqual({ error: "expected a multipart part with a filename (the file), found none" });
    const traversal = part([`Content-Disposition: form-data; name="file"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`], "root:x:0:0");
    expect(await outcome(Buffer.concat([traversal, close]))).toMatchObject({ filename: "passwd" });
    const quoted = part([`Content-Disposition: form-data; name="file"; filename="a\\"; name=\\"x.csv"`], "ok");
    const r = await outcome(Buffer.concat([quoted, close]));
    expect("filename" in r && !/[/\\\r\n]/.test(r.filename)).toBe(true);
    // 100 KiB of header lines: kept to headerBytes, parsing goes on, nothing is held beyond it.
    const long = part([...fileHeaders("h.csv"), `X-Padding: ${"p".repeat(100 * 1024)}`], "body");
    expect(await outcome(Buffer.concat([long, close]), undefined, 4096)).toMatchObject({ filename: "h.csv", bytes: Buffer.from("body") });
    const tooManyHeaders = part([...fileHeaders("p.csv"), ...Array.from({ length: 5000 }, (_, i) => `X-${i}: v`)], "body");
    expect(await outcome(Buffer.concat([tooManyHeaders, close]), undefined, 4096)).toMatchObject({ filename: "p.csv", bytes: Buffer.from("body") });
  });

  it("readMultipartFile reads a boundary with quotes and backslashes as given", async () => {
    const weird = 'we"ird\\b';
    const body = Buffer.from(`--${weird}\r\nContent-Disposition: form-data; name="file"; filename="w.txt"\r\n\r\nhello\r\n--${weird}--\r\n`);
    const file = await readMultipartFile(Readable.from([body]), weird);
    expect((await readAll(file.body)).toString()).toBe("hello");
  });
});
