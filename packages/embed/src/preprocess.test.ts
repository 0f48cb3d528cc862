import { describe, expect, it } from "vitest";
import { parseModelConfig } from "./config.js";
import { SampleError } from "./errors.js";
import { preprocess } from "./preprocess.js";
import { resize } from "./resize.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(tol);
};

function cfg(input: Record<string, unknown>, pre: Record<string, unknown> = {}) {
  return parseModelConfig({ name: "t", input: { name: "x", ...input }, preprocess: pre, output: { name: "y", pooling: "pooled", dim: 1 } });
}

describe("resize(src, …)", () => {
  it("returns the input unchanged at the same size", () => {
    const src = new Float32Array([1, 2, 3, 4]);
    expect(resize(src, 2, 2, 1, 2, 2, "bilinear")).toBe(src);
  });

  it("keeps a constant image constant for every filter", () => {
    const src = new Float32Array(7 * 5).fill(42);
    for (const f of ["nearest", "bilinear", "bicubic"] as const) {
      close(resize(src, 7, 5, 1, 3, 4, f), new Float32Array(12).fill(42), 1e-4);
      close(resize(src, 7, 5, 1, 11, 9, f), new Float32Array(99).fill(42), 1e-4);
    }
  });

  it("antialiases a 2× bilinear downscale like PIL (taps 0.75, 0.75, 0.25 at the border)", () => {
    // Output pixel 0 centres on source 1.0 with support 2: weights .75,.75,.25 over pixels 0,1,2.
    const out = resize(new Float32Array([0, 10, 20, 30]), 4, 1, 1, 2, 1, "bilinear");
    close(out, [(0 * 0.75 + 10 * 0.75 + 20 * 0.25) / 1.75, (10 * 0.25 + 20 * 0.75 + 30 * 0.75) / 1.75]);
  });

  it("nearest picks the source pixel under each output centre", () => {
    close(resize(new Float32Array([1, 2, 3, 4, 5, 6]), 6, 1, 1, 3, 1, "nearest"), [2, 4, 6]);
  });
});

describe("preprocess(image, config)", () => {
  it("applies (pixel × scale − mean) / std", () => {
    const c = cfg({ height: 2, width: 2, channels: 1 }, { scale: 1 / 255, mean: 0.5, std: 0.25 });
    const out = preprocess({ width: 2, height: 2, channels: 1, data: new Float32Array([0, 255, 51, 102]) }, c);
    close(out, [-2, 2, -1.2, -0.4]);
  });

  it("replicates gray into 3 channels, in NCHW and NHWC order, with per-channel mean/std", () => {
    const img = { width: 2, height: 1, channels: 1 as const, data: new Float32Array([0, 255]) };
    const pre = { scale: 1 / 255, mean: [0, 0.5, 1], std: [1, 0.5, 0.25] };
    const nchw = preprocess(img, cfg({ height: 1, width: 2, channels: 3 }, pre));
    close(nchw, [0, 1, -1, 1, -4, 0]); // R plane, G plane, B plane
    const nhwc = preprocess(img, cfg({ height: 1, width: 2, channels: 3, layout: "NHWC" }, pre));
    close(nhwc, [0, -1, -4, 1, 1, 0]); // pixel 0 RGB, pixel 1 RGB
  });

  it("converts RGB to BT.601 luma for a 1-channel model", () => {
    const img = { width: 1, height: 1, channels: 3 as const, data: new Float32Array([100, 200, 50]) };
    close(preprocess(img, cfg({ height: 1, width: 1, channels: 1 }, { scale: 1 })), [0.299 * 100 + 0.587 * 200 + 0.114 * 50], 1e-3);
  });

  it("shorter-side resizes then centre-crops (torchvision Resize + CenterCrop)", () => {
    // 4×2 image, model 2×2, shorter side 2 → no resize, crop columns 1..2.
    const img = { width: 4, height: 2, channels: 1 as const, data: new Float32Array([0, 1, 2, 3, 10, 11, 12, 13]) };
    const out = preprocess(img, cfg({ height: 2, width: 2, channels: 1 }, { resize: "shorter-side", resizeSize: 2, scale: 1 }));
    close(out, [1, 2, 11, 12]);
  });

  it("letterbox keeps the aspect ratio and pads with padValue", () => {
    const img = { width: 4, height: 2, channels: 1 as const, data: new Float32Array([0, 1, 2, 3, 10, 11, 12, 13]) };
    const out = preprocess(img, cfg({ height: 4, width: 4, channels: 1 }, { resize: "letterbox", scale: 1, padValue: 7 }));
    close(out, [7, 7, 7, 7, 0, 1, 2, 3, 10, 11, 12, 13, 7, 7, 7, 7]);
  });

  it("writes into a batch buffer at an offset", () => {
    const c = cfg({ height: 1, width: 2, channels: 1 }, { scale: 1 });
    const batch = new Float32Array(6).fill(-9);
    preprocess({ width: 2, height: 1, channels: 1, data: new Float32Array([5, 6]) }, c, batch, 2);
    close(batch, [-9, -9, 5, 6, -9, -9]);
  });

  it("fails a sample on an empty image or a rejected channel conversion", () => {
    const c = cfg({ height: 2, width: 2, channels: 3, grayToRgb: "reject" });
    expect(() => preprocess({ width: 0, height: 5, channels: 1, data: new Float32Array(0) }, c)).toThrow(SampleError);
    try {
      preprocess({ width: 1, height: 1, channels: 1, data: new Float32Array(1) }, c);
      expect.unreachable();
    } catch (error) {
      expect((error as SampleError).code).toBe("CHANNELS_MISMATCH");
    }
  });
});
