import { describe, expect, it } from "vitest";
import { EMBEDDINGS_EXTENSIONS, MANIFEST_EXTENSIONS, checkExtension, parseUploadResponse } from "./upload";

describe("checkExtension", () => {
  it("accepts the listed extensions, case-insensitively", () => {
    expect(checkExtension("m.CSV", MANIFEST_EXTENSIONS)).toBeNull();
    expect(checkExtension("m.jsonl", MANIFEST_EXTENSIONS)).toBeNull();
    expect(checkExtension("e.parquet", EMBEDDINGS_EXTENSIONS)).toBeNull();
  });
  it("names the file and the expected formats otherwise", () => {
    expect(checkExtension("e.npy", MANIFEST_EXTENSIONS)).toBe("e.npy: expected a .csv, .jsonl file");
  });
});

describe("parseUploadResponse", () => {
  it("returns the upload on 201", () => {
    expect(parseUploadResponse(201, JSON.stringify({ id: "u1", filename: "m.csv", size: 12, sha256: "ab" }))).toEqual({ id: "u1", filename: "m.csv", size: 12, sha256: "ab" });
  });
  it("rejects a success without an id", () => {
    expect(() => parseUploadResponse(201, "{}")).toThrow(/expected a JSON body with an id/);
  });
  it("surfaces the API's error message", () => {
    expect(() => parseUploadResponse(413, JSON.stringify({ error: { code: "LIMIT_EXCEEDED", message: "upload exceeds the limit of 10 bytes" } }))).toThrow("upload exceeds the limit of 10 bytes");
    expect(() => parseUploadResponse(502, JSON.stringify({ errors: [{ message: "The API at x cannot be reached (y)." }] }))).toThrow("The API at x cannot be reached (y).");
    expect(() => parseUploadResponse(401, "")).toThrow(/signed out/);
    expect(() => parseUploadResponse(500, "oops")).toThrow("upload failed with HTTP 500");
  });
});
