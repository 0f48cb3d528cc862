// File uploads through the same-origin proxy: POST /api/uploads?filename=<name> with the raw body
// (the API streams it to disk and answers 201 {"id","filename","size","sha256"}). The id then goes into
// a mutation such as datasetImport; the filename's extension picks the format there.

export interface UploadResult {
  id: string;
  filename: string;
  size: number;
  sha256: string;
}

export const MANIFEST_EXTENSIONS = [".csv", ".jsonl"] as const;
export const EMBEDDINGS_EXTENSIONS = [".npy", ".csv", ".parquet"] as const;

/** null when the name ends in one of `allowed`, else a message naming the file and what was expected. */
export function checkExtension(name: string, allowed: ReadonlyArray<string>): string | null {
  const lower = name.toLowerCase();
  if (allowed.some((ext) => lower.endsWith(ext))) return null;
  return `${name}: expected a ${allowed.join(", ")} file`;
}

/** Reads the API's answer to an upload: the upload on 201, else an Error with the API's message. */
export function parseUploadResponse(status: number, bodyText: string): UploadResult {
  let body: unknown = null;
  try {
    body = JSON.parse(bodyText);
  } catch { /* not JSON */ }
  if (status >= 200 && status < 300) {
    const b = body as Partial<UploadResult> | null;
    if (b && typeof b.id === "string" && b.id.length > 0) return { id: b.id, filename: String(b.filename ?? ""), size: Number(b.size ?? 0), sha256: String(b.sha256 ?? "") };
    throw new Error(`upload: expected a JSON body with an id, got ${bodyText.slice(0, 120) || "an empty body"}`);
  }
  const b = body as { error?: { message?: string }; errors?: Array<{ message?: string }> } | null;
  const message = b?.error?.message ?? b?.errors?.map((e) => e.message).join("; ");
  if (status === 401) throw new Error("You are signed out. Sign in again to upload.");
  if (status === 413) throw new Error(message ?? "The file is larger than the API accepts.");
  if (status === 502) throw new Error(message ?? "The API cannot be reached. Is the server running?");
  throw new Error(message ?? `upload failed with HTTP ${status}`);
}

/** Uploads one file; rejects with a readable Error. */
export async function uploadFile(file: File): Promise<UploadResult> {
  const res = await fetch(`/api/uploads?filename=${encodeURIComponent(file.name)}`, {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream" },
    credentials: "same-origin",
  });
  return parseUploadResponse(res.status, await res.text());
}
