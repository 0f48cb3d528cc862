import { describe, expect, it } from "vitest";
import { modelLabel, parseModelConfig } from "./config.js";
import { EmbedError } from "./errors.js";

const minimal = { name: "m", input: { name: "x", size: 224 }, output: { name: "y", pooling: "cls", dim: 768 } };

function problems(raw: unknown): string {
  try {
    parseModelConfig(raw, "model.json");
  } catch (error) {
    expect(error).toBeInstanceOf(EmbedError);
    expect((error as EmbedError).code).toBe("CONFIG_INVALID");
    return (error as Error).message;
  }
  throw new Error("expected parseModelConfig to throw");
}

describe("parseModelConfig(raw)", () => {
  it("fills documented defaults", () => {
    const c = parseModelConfig(minimal);
    expect(c.input).toEqual({ name: "x", layout: "NCHW", height: 224, width: 224, channels: 3, grayToRgb: "replicate", rgbToGray: "luma" });
    expect(c.preprocess).toEqual({ resize: "stretch", resizeSize: 224, interpolation: "bilinear", scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], padValue: 0 });
    expect(c.l2Normalize).toBe(false);
    expect(c.pretrained).toBe(true);
    expect(c.version).toBe("1");
  });

  it("broadcasts a single mean/std to every channel", () => {
    const c = parseModelConfig({ ...minimal, preprocess: { mean: 0.5, std: [0.25] } });
    expect(c.preprocess.mean).toEqual([0.5, 0.5, 0.5]);
    expect(c.preprocess.std).toEqual([0.25, 0.25, 0.25]);
  });

  it("names every bad field with expected and got", () => {
    const msg = problems({
      name: "m",
      input: { name: "x", size: 224, layout: "nchw", channels: 2 },
      preprocess: { mean: [0.1, 0.2], std: [1, 0, 1] },
      output: { name: "y", pooling: "max", dim: 0 },
      extra: true,
    });
    expect(msg).toMatch(/^model\.json: /);
    expect(msg).toContain('input.layout: expected one of "NCHW", "NHWC", got "nchw"');
    expect(msg).toContain("input.channels: expected 1 or 3, got 2");
    expect(msg).toContain("preprocess.mean: expected a number or an array of 1 or 3 finite numbers, got an array of 2");
    expect(msg).toContain("preprocess.std: expected a number or an array of 1 or 3 numbers > 0");
    expect(msg).toContain('output.pooling: expected one of "cls", "mean", "pooled", got "max"');
    expect(msg).toContain("output.dim: expected an integer ≥ 1, got 0");
    expect(msg).toContain("extra: unknown field");
  });

  it("rejects a missing input name, a non-object and a shorter-side size below the crop", () => {
    expect(problems({ ...minimal, input: { size: 224 } })).toContain("input.name: expected a non-empty string, got nothing");
    expect(problems(null)).toContain("(root): expected an object, got null");
    expect(problems({ ...minimal, preprocess: { resize: "shorter-side", resizeSize: 200 } })).toContain(
      "preprocess.resizeSize: expected an integer ≥ max(input.height, input.width) = 224, got 200",
    );
  });

  it("modelLabel(config) labels demo encoders honestly", () => {
    expect(modelLabel(parseModelConfig({ ...minimal, pretrained: false }))).toBe("m v1 — demo encoder (not pretrained)");
    expect(modelLabel(parseModelConfig(minimal))).toBe("m v1");
  });
});
