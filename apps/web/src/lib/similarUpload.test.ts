import { describe, expect, it } from "vitest";
import { checkImage, parseSimilarResponse } from "./similarUpload";

describe("similar upload", () => {
  it("accepts images by name or type", () => {
    expect(checkImage({ name: "x.PNG", type: "" })).toBeNull();
    expect(checkImage({ name: "scan", type: "application/dicom" })).toBeNull();
    expect(checkImage({ name: "notes.txt", type: "text/plain" })).toMatch(/expected a PNG/);
  });
  it("reads hits, and the API's message on a refusal", () => {
    const ok = parseSimilarResponse(200, JSON.stringify({ items: [{ sampleId: "S", externalId: "a", score: 0.9 }], method: "index", evaluated: 42 }));
    expect(ok).toEqual({ items: [{ sampleId: "S", externalId: "a", score: 0.9 }], method: "index", evaluated: 42 });
    expect(() => parseSimilarResponse(400, JSON.stringify({ error: { code: "BAD_FILE", message: "the image could not be read" } }))).toThrow("the image could not be read");
    expect(() => parseSimilarResponse(413, "")).toThrow(/larger/);
  });
});
