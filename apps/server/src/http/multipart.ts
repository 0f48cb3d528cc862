// A streaming reader for multipart/form-data uploads: finds the first part that carries a file
// (Content-Disposition: form-data; name="…"; filename="…") and streams its bytes, without buffering the
// file in memory. Other parts are skipped. Only the first file is read; anything after it is drained.
import { PassThrough, type Readable } from "node:stream";

export interface MultipartFile {
  filename: string;
  contentType: string;
  /** The file's bytes; errors if the body ends before the closing boundary. */
  body: Readable;
}

export class MultipartError extends Error {
  override name = "MultipartError";
}

const MAX_HEADER_BYTES = 16 * 1024; // 16 KiB of part headers

/** The boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\b/i.test(contentType)) return null;
  const match = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function parseDisposition(headers: string): { name: string | null; filename: string | null; contentType: string } {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType = "application/octet-stream";
  for (const line of headers.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") {
      name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? null;
      filename = /\bfilename="([^"]*)"/i.exec(value)?.[1] ?? null;
    } else if (key === "content-type") {
      contentType = value;
    }
  }
  return { name, filename, contentType };
}

export function readMultipartFile(source: Readable, boundary: string): Promise<MultipartFile> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const body = new PassThrough();
  const drained = () =>
    new Promise<void>((resolve) => {
      body.once("drain", resolve);
      body.once("close", resolve);
    });
  return new Promise<MultipartFile>((resolve, reject) => {
    let found = false;
    // The body starts with "--boundary"; a leading CRLF makes the first delimiter look like the others.
    let buf: Buffer = Buffer.from("\r\n");
    let state: "seek" | "after" | "headers" | "file" | "done" = "seek";
    const run = async () => {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (state === "done") continue; // drain the rest
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          if (state === "seek") {
            const i = buf.indexOf(delimiter);
            if (i < 0) {
              buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
              break;
            }
            buf = buf.subarray(i + delimiter.length);
            state = "after";
          }
          if (state === "after") {
            if (buf.length < 2) break;
            if (buf[0] === 0x2d && buf[1] === 0x2d) {
              state = "done"; // "--": the closing boundary
              break;
            }
            buf = buf.subarray(buf[0] === 0x0d && buf[1] === 0x0a ? 2 : 0);
            state = "headers";
          }
          if (state === "headers") {
            const i = buf.indexOf("\r\n\r\n");
            if (i < 0) {
              if (buf.length > MAX_HEADER_BYTES) throw new MultipartError("multipart part headers are too long");
              break;
            }
            const part = parseDisposition(buf.subarray(0, i).toString("utf8"));
            buf = buf.subarray(i + 4);
            if (part.filename !== null && !found) {
              found = true;
              state = "file";
              resolve({ filename: part.filename, contentType: part.contentType, body });
            } else {
              state = "seek";
              continue;
            }
          }
          if (state === "file") {
            const i = buf.indexOf(delimiter);
            if (i < 0) {
              const safe = buf.length - (delimiter.length - 1);
              if (safe > 0) {
                if (!body.write(buf.subarray(0, safe))) await drained();
                buf = buf.subarray(safe);
              }
              break;
            }
            if (i > 0 && !body.write(buf.subarray(0, i))) await drained();
            body.end();
            state = "done";
            break;
          }
          break;
        }
      }
      if (!found) throw new MultipartError("expected a multipart part with a filename (the file), found none");
      if (state === "file") throw new MultipartError("multipart body ended before its closing boundary");
    };
    run().catch((error: unknown) => {
      if (!found) reject(error);
      else body.destroy(error as Error);
    });
  });
}
