// Embedding pipeline benchmark. Model: the committed demo CNN (packages/embed/models/demo-cnn, "demo
// encoder (not pretrained)": 4 conv layers, 1×64×64 gray → 128-d, ~48 M MACs per image).
//
// Data: N PNGs (20,000 unless STRATUM_BENCH_QUICK=1), real chest X-rays from pneumoniamnist
// (28×28, cycled) upscaled to 128×128 8-bit gray, written to a temp folder.
//
// In the same run, in child processes (so each peak RSS is its own):
//   raw       session.run on pre-decoded, pre-processed tensors, batches of B, same session options
//             (1 intra-op thread) — the inference ceiling the pipeline is measured against;
//   raw-2t    the same with 2 intra-op threads (both cores to inference: what "no decoding at all" buys);
//   pipeline  embedImages(): read file, decode PNG (sharp), resize + normalise, batch, infer, pool, and
//             store (vectors appended to a float32 .npy) — 1 decode worker + 1 inference thread.
// Target: pipeline ≥ 0.85 × raw (decoding hidden behind inference). Peak RSS for N images.
//   node bench/suites/40-embed.mjs                    (the suite)
//   node bench/suites/40-embed.mjs raw|pipeline DIR N B [threads]   (internal)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, openSync, writeSync, closeSync } from "node:fs";
import { availableParallelism, tmpdir, cpus } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, "../results");
const quick = process.env.STRATUM_BENCH_QUICK === "1";
const N = quick ? 2_000 : 20_000;
const B = 32;
const SIDE = 128;

const mode = process.argv[2];
if (mode === "raw") await raw(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? 1));
else if (mode === "pipeline") await pipeline(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else await suite();

function files(dir, n) {
  return Array.from({ length: n }, (_, i) => path.join(dir, `${String(i).padStart(6, "0")}.png`));
}

async function demo() {
  const embed = await import("@stratum/embed");
  const p = embed.demoModelPath("demo-cnn");
  const { readFileSync } = await import("node:fs");
  return { embed, modelPath: p.model, raw: JSON.parse(readFileSync(p.config, "utf8")) };
}

function report(obj) {
  obj.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(obj) + "\n");
}

/** Reference: session.run on tensors decoded beforehand (8 distinct batches, reused), `n` images in total. */
async function raw(dir, n, b, threads) {
  const { embed, modelPath, raw } = await demo();
  const model = await embed.loadModel(modelPath, raw, { intraOpThreads: threads });
  const size = embed.sampleSize(model.config);
  const distinct = 8;
  const batches = [];
  const paths = files(dir, distinct * b);
  for (let k = 0; k < distinct; k++) {
    const t = new Float32Array(b * size);
    for (let i = 0; i < b; i++) {
      const s = await embed.processInput({ key: String(i), path: paths[k * b + i] }, model.config);
      t.set(s.tensor, i * size);
    }
    batches.push(t);
  }
  await embed.runBatch(model.session, model.config, batches[0], b); // warm-up
  const runs = Math.ceil(n / b);
  const t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const v = await embed.runBatch(model.session, model.config, batches[r % distinct], b);
    sink += v[0];
  }
  const secs = (performance.now() - t0) / 1000;
  await model.session.release();
  report({ mode: "raw", threads, images: runs * b, secs, perSec: (runs * b) / secs, sink });
}

/** The whole pipeline over n PNG files, storing vectors into a float32 .npy like `stratum embed`. */
async function pipeline(dir, n, b) {
  const { embed, modelPath, raw } = await demo();
  const workers = 1;
  const model = await embed.loadModel(modelPath, raw, { intraOpThreads: Math.max(1, availableParallelism() - workers) });
  const dim = model.config.output.dim;
  const out = path.join(dir, "out.npy");
  const fd = openSync(out, "w");
  const header = Buffer.alloc(128, 0x20);
  writeSync(fd, header);
  const inputs = files(dir, n).map((p, i) => ({ key: String(i), path: p }));
  let stored = 0;
  let failed = 0;
  const rssAt = []; // [images done, RSS MB] at each quarter: flat when memory is bounded
  let nextCheckpoint = Math.ceil(n / 4);
  const t0 = performance.now();
  let last;
  for await (const batch of embed.embedImages({ model, inputs, batchSize: b, workers })) {
    last = batch.progress;
    const buf = Buffer.alloc(batch.items.length * dim * 4);
    const f = new Float32Array(buf.buffer, buf.byteOffset, batch.items.length * dim);
    batch.items.forEach((s, i) => f.set(s.vector, i * dim));
    writeSync(fd, buf);
    stored += batch.items.length;
    failed += batch.failures.length;
    if (stored + failed >= nextCheckpoint) {
      rssAt.push([stored + failed, Math.round(process.memoryUsage().rss / 2 ** 20)]);
      nextCheckpoint += Math.ceil(n / 4);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${stored}, ${dim}), }`.padEnd(117, " ") + "\n";
  const h = Buffer.alloc(128);
  h.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  h.writeUInt16LE(118, 8);
  h.write(dict, 10, "latin1");
  writeSync(fd, h, 0, 128, 0);
  closeSync(fd);
  await model.session.release();
  report({ mode: "pipeline", workers, images: stored, failed, secs, perSec: stored / secs, rssAt, waitingForDecodeMs: last?.waitingForDecodeMs, inferenceMs: last?.inferenceMs });
}

function child(args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${args.join(" ")} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  return JSON.parse(line);
}

async function generate(dir, n) {
  const sharp = (await import("sharp")).default;
  const { readNpz } = await import("@stratum/formats");
  const npz = await readNpz(path.resolve(here, "../../../shared/data/pneumoniamnist.npz"));
  const imgs = npz.get("train_images").data;
  const count = imgs.length / 784;
  const paths = files(dir, n);
  const cache = new Map();
  for (let i = 0; i < n; i++) {
    const k = i % count;
    // Distinct bytes per file even when the source image repeats: a 1-pixel marker from i.
    const px = Buffer.from(imgs.subarray(k * 784, (k + 1) * 784));
    px[0] = i & 0xff;
    px[1] = (i >> 8) & 0xff;
    let png = await sharp(px, { raw: { width: 28, height: 28, channels: 1 } })
      .resize(SIDE, SIDE, { kernel: "cubic" })
      .toColourspace("b-w")
      .png()
      .toBuffer();
    writeFileSync(paths[i], png);
    if (cache.size === 0) cache.set("bytes", png.length);
  }
  return cache.get("bytes");
}

async function suite() {
  const dir = mkdtempSync(path.join(tmpdir(), "stratum-bench-embed-"));
  try {
    const t0 = performance.now();
    const pngBytes = await generate(dir, N);
    const genSecs = (performance.now() - t0) / 1000;
    console.log(`generated ${N} PNGs (${SIDE}×${SIDE} gray, ~${(pngBytes / 1024).toFixed(1)} KiB each) in ${genSecs.toFixed(1)} s`);
    // Interleave: raw, pipeline, raw again — the machine is shared, so take the reference on both sides.
    const rawN = Math.min(N, 8_000);
    const raw1 = child(["raw", dir, String(rawN), String(B), "1"]);
    const pipe = child(["pipeline", dir, String(N), String(B)]);
    const raw2 = child(["raw", dir, String(rawN), String(B), "1"]);
    const raw2t = child(["raw", dir, String(rawN), String(B), "2"]);
    const small = child(["pipeline", dir, String(Math.max(B, Math.floor(N / 10))), String(B)]);
    const rawPerSec = (raw1.perSec + raw2.perSec) / 2;
    const ratio = pipe.perSec / rawPerSec;
    const result = {
      suite: "embed",
      quick,
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model,
      model: "demo-cnn (demo encoder, not pretrained): 1x64x64 gray -> 128-d, packages/embed/models/demo-cnn",
      images: N,
      batchSize: B,
      input: `${SIDE}x${SIDE} 8-bit gray PNG (pneumoniamnist upscaled), resized to 64x64 in the pipeline`,
      rawInference: { imagesPerSec: rawPerSec, runs: [raw1.perSec, raw2.perSec], intraOpThreads: 1, peakRssMB: Math.max(raw1.peakRssMB, raw2.peakRssMB) },
      rawInference2Threads: { imagesPerSec: raw2t.perSec, intraOpThreads: 2 },
      pipeline: {
        imagesPerSec: pipe.perSec,
        secs: pipe.secs,
        images: pipe.images,
        failed: pipe.failed,
        decodeWorkers: 1,
        intraOpThreads: 1,
        peakRssMB: pipe.peakRssMB,
        rssMBAtQuarters: pipe.rssAt,
        inferenceSecs: pipe.inferenceMs / 1000,
        waitingForDecodeSecs: pipe.waitingForDecodeMs / 1000,
      },
      pipelineSmall: { images: small.images, imagesPerSec: small.perSec, peakRssMB: small.peakRssMB },
      ratioVsRaw: ratio,
      target: 0.85,
      meetsTarget: ratio >= 0.85,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, "embed.json"), JSON.stringify(result, null, 2) + "\n");
    const f = (x) => x.toFixed(0);
    const md = `# Embedding pipeline benchmark${quick ? " (QUICK sizes: not for reporting)" : ""}

${N} PNG files (${SIDE}×${SIDE} 8-bit gray chest X-rays from pneumoniamnist, upscaled), model **demo-cnn — demo encoder (not pretrained)** (seeded random 4-layer CNN, 1×64×64 → 128-d), batch ${B}, ${result.cpus} cores (${result.cpuModel}), ${process.version}, ${result.date}.

| what | images/s | ratio vs raw | peak RSS |
|---|---:|---:|---:|
| pipeline: read + decode + resize/normalise + infer + pool + store (.npy), 1 decode worker + 1 ORT thread, ${N} images | ${f(pipe.perSec)} | **${ratio.toFixed(2)}** (target ≥ 0.85) | ${pipe.peakRssMB} MB |
| raw session.run on pre-decoded tensors, 1 ORT thread (reference, mean of 2 runs: ${f(raw1.perSec)}, ${f(raw2.perSec)}) | ${f(rawPerSec)} | 1 | ${result.rawInference.peakRssMB} MB |
| raw session.run, 2 ORT threads (both cores on inference, no decoding) | ${f(raw2t.perSec)} | ${(raw2t.perSec / rawPerSec).toFixed(2)} | — |
| pipeline on ${small.images} images (memory check) | ${f(small.perSec)} | ${(small.perSec / rawPerSec).toFixed(2)} | ${small.peakRssMB} MB |

- Reference: raw \`session.run\` on the same model, same batch size and session options, inputs decoded beforehand, measured in this run (before and after the pipeline; the machine is shared).
- The pipeline reads every file from disk, decodes it in a worker thread (the native-zlib PNG path of decode/png.ts; sharp for other formats), resizes (antialiased bilinear) and normalises, batches in input order, runs inference, pools, and appends vectors to a float32 .npy. Of its ${pipe.secs.toFixed(0)} s, ${(pipe.inferenceMs / 1000).toFixed(0)} s were inference and ${(pipe.waitingForDecodeMs / 1000).toFixed(1)} s waiting for decoded samples (worker start-up included).
- Peak RSS is each child process's maximum resident set (\`process.resourceUsage().maxRSS\`). RSS during the ${N}-image run, at each quarter (images done → MB): ${pipe.rssAt.map(([k, mb]) => `${k} → ${mb}`).join(", ")}. The pipeline keeps at most batchSize × 3 decoded samples queued; nothing holds the whole set.
- Threads: on 2 cores the pipeline uses 1 decode worker and 1 ORT intra-op thread; the 2-thread raw row shows what inference alone gets from both cores.
`;
    writeFileSync(path.join(resultsDir, "embed.md"), md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
