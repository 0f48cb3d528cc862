// demo-cnn (packages/embed/models/demo-cnn) features of raw 8-bit gray images, straight from pixel
// arrays (the seed writes PNGs and embeds them through the job; PNG is lossless, so the tensors are the
// same). Cached under bench/.cache (gitignored) by a caller-chosen key, so discovery runs take seconds.
import { mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CACHE = path.join(path.dirname(fileURLToPath(import.meta.url)), "../.cache");

export async function demoCnnFeatures(images, n, height, width, cacheKey) {
  const file = cacheKey ? path.join(CACHE, `${cacheKey}.f32`) : null;
  if (file && existsSync(file)) {
    const buf = readFileSync(file);
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    return { data: Float32Array.from(data), n, dim: data.length / n };
  }
  const embed = await import("@stratum/embed");
  const p = embed.demoModelPath("demo-cnn");
  const model = await embed.loadModel(p.model, JSON.parse(readFileSync(p.config, "utf8")), { intraOpThreads: 1 });
  const size = embed.sampleSize(model.config);
  const dim = model.config.output.dim;
  const out = new Float32Array(n * dim);
  const B = 64;
  const px = height * width;
  for (let s = 0; s < n; s += B) {
    const b = Math.min(B, n - s);
    const batch = new Float32Array(b * size);
    for (let i = 0; i < b; i++) {
      const img = { width, height, channels: 1, data: Float32Array.from(images.subarray((s + i) * px, (s + i + 1) * px)) };
      embed.preprocess(img, model.config, batch, i * size);
    }
    const v = await embed.runBatch(model.session, model.config, batch, b);
    out.set(v.subarray(0, b * dim), s * dim);
  }
  if (file) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(file, Buffer.from(out.buffer));
  }
  return { data: out, n, dim };
}
