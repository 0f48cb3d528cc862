// "More like this" from an image the user drops (POST /api/embedding-sets/:id/similar through the
// same-origin proxy): the API embeds it with the set's own model and answers the nearest samples. The
// image is not kept unless `store` is asked for (a CURATOR's upload).
import { parseUploadResponse } from "./upload";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".tif", ".tiff", ".dcm"] as const;

export interface SimilarHit {
  sampleId: string;
  externalId: string | null;
  score: number;
}

export interface SimilarUploadResult {
  items: SimilarHit[];
  method: "exact" | "index";
  evaluated: number;
  upload?: { id: string; filename: string };
}

/** null when the file looks like an image the encoders read (by name or type), else a message. */
export function checkImage(file: { name: string; type: string }): string | null {
  const lower = file.name.toLowerCase();
  if (IMAGE_EXTENSIONS.some((e) => lower.endsWith(e)) || /^image\/(png|jpeg|tiff)$/.test(file.type) || file.type === "application/dicom") return null;
  return `${file.name}: expected a PNG, JPEG, TIFF or DICOM image`;
}

/** Reads the API's answer: the hits on 200, else an Error with the API's message (as uploads do). */
export function parseSimilarResponse(status: number, bodyText: string): SimilarUploadResult {
  if (status !== 200) {
    parseUploadResponse(status, bodyText); // throws with the API's message
    throw new Error(`search failed with HTTP ${status}`);
  }
  const b = JSON.parse(bodyText) as Partial<SimilarUploadResult>;
  if (!Array.isArray(b.items)) throw new Error("search: expected a JSON body with items");
  return { items: b.items, method: b.method === "index" ? "index" : "exact", evaluated: Number(b.evaluated ?? 0), ...(b.upload ? { upload: b.upload } : {}) };
}

export async function similarToImage(embeddingSetId: string, file: File, options: { first?: number; store?: boolean } = {}): Promise<SimilarUploadResult> {
  const q = new URLSearchParams({ first: String(options.first ?? 12), filename: file.name });
  if (options.store) q.set("store", "true");
  const res = await fetch(`/api/embedding-sets/${encodeURIComponent(embeddingSetId)}/similar?${q}`, {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream" },
    credentials: "same-origin",
  });
  return parseSimilarResponse(res.status, await res.text());
}
