// multipart/form-data uploads through @fastify/busboy (the maintained fork of busboy, also undici's
// parser): finds the first part that carries a file (Content-Disposition: form-data; name="…";
// filename="…") and streams its bytes without buffering the file or the body in memory. Other parts are
// skipped; only the first file is read, and whatever follows its closing delimiter is drained unparsed.
// Every failure is a MultipartError with a message the routes send back as 400 VALIDATION
// ("multipart upload: <message>"); the routes enforce the byte limits (413) on the stream handed out.
import { PassThrough, type Readable } from "node:stream";
import { Busboy, type BusboyFileStream } from "@fastify/busboy";

export interface MultipartFile {
  /** The part's filename, reduced to its last path segment (no "/" or "\\"); routes clean it further. */
  filename: string;
  contentType: string;
  /** The file's bytes; errors (MultipartError) if the body ends before the part's closing delimiter. */
  body: Readable;
}

export class MultipartError extends Error {
  override name = "MultipartError";
}

/** What one multipart body may hold; the defaults are what the routes use. */
export interface MultipartLimits {
  /** Bytes of one part's header block; longer blocks are cut there (memory bound, not an error). */
  headerBytes?: number;
  /** Header lines of one part. */
  headerPairs?: number;
  /** Parts (fields and files) before the file; one more is refused. */
  parts?: number;
  /** Non-file fields before the file; one more is refused. */
  fields?: number;
  /** Bytes of one non-file field's value (a longer one is refused). */
  fieldBytes?: number;
  /** Bytes of the file (a longer one is refused); the routes pass their own cap to storeUpload instead. */
  fileBytes?: number;
}

export const MULTIPART_LIMITS = {
  headerBytes: 16 * 1024, // 16 KiB of part headers, as the hand-written parser allowed
  headerPairs: 32,
  parts: 64,
  fields: 32,
  fieldBytes: 64 * 1024, // 64 KiB per field: the routes read none, a browser form sends a few short ones
  fileBytes: Infinity,
} as const satisfies Required<MultipartLimits>;

/** The boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\b/i.test(contentType)) return null;
  const match = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

const truncated = "multipart body ended before its closing boundary";
const DRAIN_MAX_BYTES = 1024 * 1024; // 1 MiB: what is read and dropped once parsing stopped; then the connection is cut

/**
 * Errors `body` once its reader listens for errors: a route awaits other work (a directory, a quota)
 * between getting the file and reading it, and an error emitted before then would go unheard.
 */
function failWhenWatched(body: PassThrough, error: Error): void {
  if (body.destroyed) return;
  if (body.listenerCount("error") > 0) {
    body.destroy(error);
    return;
  }
  const onListener = (event: string | symbol) => {
    if (event !== "error") return;
    body.off("newListener", onListener);
    process.nextTick(() => body.destroy(error));
  };
  body.on("newListener", onListener);
}

export function readMultipartFile(source: Readable, boundary: string, limits: MultipartLimits = {}): Promise<MultipartFile> {
  const l = { ...MULTIPART_LIMITS, ...limits };
  return new Promise<MultipartFile>((resolve, reject) => {
    let file: (MultipartFile & { body: PassThrough }) | null = null;
    let fileDone = false; // its closing delimiter was seen
    let stopped = false;
    let settled = false;
    let parser: ReturnType<typeof Busboy>;
    /** No more parsing: what is left of the body is read and dropped (at most DRAIN_MAX_BYTES). */
    const stop = () => {
      if (stopped) return;
      stopped = true;
      source.unpipe(parser);
      let left = DRAIN_MAX_BYTES;
      source.on("data", (chunk: Buffer) => {
        left -= chunk.length;
        if (left < 0) source.destroy();
      });
      source.resume();
    };
    const fail = (message: string) => {
      if (file) {
        if (!fileDone) failWhenWatched(file.body, new MultipartError(message));
      } else if (!settled) {
        settled = true;
        reject(new MultipartError(message));
      }
      stop();
    };
    try {
      parser = Busboy({
        headers: { "content-type": `multipart/form-data; boundary="${boundary.replace(/["\\]/g, "\\$&")}"` },
        // A part is the file when it names one (filename="" too), whatever its type, as before; a bare
        // application/octet-stream part without a filename is not taken for the file.
        isPartAFile: (_name, _type, filename) => filename !== undefined,
        limits: {
          headerSize: l.headerBytes,
          headerPairs: l.headerPairs,
          parts: l.parts,
          fields: l.fields,
          fieldSize: l.fieldBytes,
          files: 1,
          ...(Number.isFinite(l.fileBytes) ? { fileSize: l.fileBytes } : {}),
        },
      });
    } catch (error) {
      reject(new MultipartError(`expected multipart/form-data with a boundary (${(error as Error).message})`));
      return;
    }
    parser.on("file", (_field: string, stream: BusboyFileStream, filename: string, _encoding: string, mimeType: string) => {
      if (file) {
        stream.resume(); // `files: 1` skips later files before they get here
        return;
      }
      const body = new PassThrough();
      file = { filename, contentType: mimeType || "application/octet-stream", body };
      // By hand rather than pipe(): pipe() adds an error listener of its own to `body`, which would hide
      // whether the route listens yet (failWhenWatched).
      let cut = false;
      stream.on("data", (chunk: Buffer) => {
        if (cut) return;
        if (!body.write(chunk)) {
          stream.pause();
          body.once("drain", () => stream.resume());
        }
      });
      // The route stopped reading (it refused the size, or failed): parse no further.
      body.on("close", () => {
        if (fileDone) return;
        cut = true;
        stream.resume();
        stop();
      });
      stream.on("limit", () => {
        cut = true;
        fail(`the file exceeds ${l.fileBytes} bytes`);
      });
      stream.on("error", () => {
        cut = true;
        fail(truncated);
      });
      stream.on("end", () => {
        if (cut) return;
        fileDone = true;
        body.end();
        stop(); // the rest of the body is not parsed
      });
      settled = true;
      resolve(file);
    });
    parser.on("field", (name: string, _value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) fail(`expected fields of at most ${l.fieldBytes} bytes, got a longer "${name.slice(0, 100)}"`);
    });
    parser.on("partsLimit", () => fail(`expected the file within the first ${l.parts} parts, got more parts before it`));
    parser.on("fieldsLimit", () => fail(`expected at most ${l.fields} fields before the file, got more`));
    parser.on("error", (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      fail(/unexpected end/i.test(message) ? (file ? truncated : `${truncated}, before any part with a filename (the file)`) : message);
    });
    parser.on("finish", () => {
      if (!file) fail("expected a multipart part with a filename (the file), found none");
    });
    source.on("error", () => fail(truncated));
    source.on("aborted", () => fail(truncated));
    source.pipe(parser);
  });
}
