// ModelConfig: everything the pipeline needs to feed an ONNX image encoder and read its vector.
// It arrives as `unknown` (a model.json, a GraphQL input) and passes parseModelConfig, whose errors
// name the field and say "expected X, got Y".
import { EmbedError } from "./errors.js";

export type Layout = "NCHW" | "NHWC";
/**
 * - stretch: resize to exactly height×width (aspect ratio not kept).
 * - shorter-side: resize so the shorter side is `resizeSize` (aspect kept), then centre-crop to
 *   height×width — torchvision `Resize(resizeSize)` + `CenterCrop(size)`, as DINOv2/MAE evaluate.
 * - letterbox: fit inside height×width (aspect kept), pad the rest with `padValue`.
 */
export type ResizeMode = "stretch" | "shorter-side" | "letterbox";
export type Interpolation = "nearest" | "bilinear" | "bicubic";
/** cls: token 0 of [N, T, D]; mean: mean of tokens 1..T-1 (patch tokens); pooled: output is [N, D]. */
export type Pooling = "cls" | "mean" | "pooled";

export interface ModelInputConfig {
  /** Name of the graph input that takes the image batch. */
  name: string;
  layout: Layout;
  height: number;
  width: number;
  /** 1 (grayscale model) or 3 (RGB model). */
  channels: 1 | 3;
  /** A gray image fed to a 3-channel model: copy it into R, G and B, or fail the sample. */
  grayToRgb: "replicate" | "reject";
  /** An RGB image fed to a 1-channel model: ITU-R BT.601 luma, or fail the sample. */
  rgbToGray: "luma" | "reject";
}

export interface PreprocessConfig {
  resize: ResizeMode;
  /** shorter-side only: the shorter side after resizing, in pixels (≥ max(height, width)). */
  resizeSize: number;
  interpolation: Interpolation;
  /**
   * Decoded pixels are on a 0..255 scale (8-bit as is, 16-bit ÷ 257, DICOM after its VOI window).
   * value = (pixel × scale − mean[c]) / std[c]. Default scale 1/255, mean 0, std 1 (like ToTensor()).
   */
  scale: number;
  mean: number[];
  std: number[];
  /** letterbox only: fill value on the 0..255 scale, before scale/mean/std. */
  padValue: number;
}

export interface ModelOutputConfig {
  /** Name of the graph output to read. */
  name: string;
  pooling: Pooling;
  /** Declared embedding dimension, checked at registration. */
  dim: number;
}

export interface ModelConfig {
  name: string;
  version: string;
  description: string;
  /** false for the demo encoders: they must be labelled "demo encoder (not pretrained)". */
  pretrained: boolean;
  input: ModelInputConfig;
  preprocess: PreprocessConfig;
  output: ModelOutputConfig;
  /** Divide each vector by its L2 norm (a zero vector stays zero). */
  l2Normalize: boolean;
}

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];
  constructor(readonly source: string) {}
  fail(field: string, expected: string, got: unknown): void {
    this.problems.push(`${field}: expected ${expected}, got ${describe(got)}`);
  }
  obj(value: unknown, field: string): Obj {
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(field, "an object", value);
      return {};
    }
    return value as Obj;
  }
  str(o: Obj, key: string, field: string, fallback?: string): string {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string" || v.trim() === "") {
      this.fail(field, "a non-empty string", v);
      return fallback ?? "";
    }
    return v;
  }
  bool(o: Obj, key: string, field: string, fallback: boolean): boolean {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") {
      this.fail(field, "true or false", v);
      return fallback;
    }
    return v;
  }
  int(o: Obj, key: string, field: string, min: number, fallback?: number): number {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      this.fail(field, `an integer ≥ ${min}`, v);
      return fallback ?? min;
    }
    return v;
  }
  num(o: Obj, key: string, field: string, fallback: number, positive = false): number {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || (positive && v <= 0)) {
      this.fail(field, positive ? "a finite number > 0" : "a finite number", v);
      return fallback;
    }
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, field: string, choices: readonly T[], fallback?: T): T {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
      this.fail(field, `one of ${choices.map((c) => `"${c}"`).join(", ")}`, v);
      return fallback ?? choices[0]!;
    }
    return v as T;
  }
  numbers(o: Obj, key: string, field: string, channels: number, fallback: number, positive: boolean): number[] {
    const v = o[key];
    if (v === undefined) return new Array<number>(channels).fill(fallback);
    const arr = typeof v === "number" ? [v] : v;
    const ok =
      Array.isArray(arr) &&
      (arr.length === 1 || arr.length === channels) &&
      arr.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
    if (!ok) {
      this.fail(field, `a number or an array of 1 or ${channels} ${positive ? "numbers > 0" : "finite numbers"}`, v);
      return new Array<number>(channels).fill(fallback);
    }
    const nums = arr as number[];
    return nums.length === 1 ? new Array<number>(channels).fill(nums[0]!) : [...nums];
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

/**
 * Validates a model config from outside (model.json, API input) and fills defaults.
 * Throws EmbedError CONFIG_INVALID listing every problem, each naming its field.
 */
export function parseModelConfig(raw: unknown, source = "model config"): ModelConfig {
  const c = new Checker(source);
  const root = c.obj(raw, "(root)");
  if (raw === undefined || raw === null) c.fail("(root)", "an object", raw);
  const name = c.str(root, "name", "name");
  const version = c.str(root, "version", "version", "1");
  const description = typeof root.description === "string" ? root.description : "";
  const pretrained = c.bool(root, "pretrained", "pretrained", true);

  const inp = c.obj(root.input, "input");
  const size = inp.size;
  const sizeHW = typeof size === "number" ? size : undefined;
  const height = c.int(inp, "height", "input.height", 1, sizeHW);
  const width = c.int(inp, "width", "input.width", 1, sizeHW);
  const channels = c.int(inp, "channels", "input.channels", 1, 3);
  if (channels !== 1 && channels !== 3) c.fail("input.channels", "1 or 3", channels);
  const input: ModelInputConfig = {
    name: c.str(inp, "name", "input.name"),
    layout: c.oneOf(inp, "layout", "input.layout", ["NCHW", "NHWC"] as const, "NCHW"),
    height,
    width,
    channels: channels === 1 ? 1 : 3,
    grayToRgb: c.oneOf(inp, "grayToRgb", "input.grayToRgb", ["replicate", "reject"] as const, "replicate"),
    rgbToGray: c.oneOf(inp, "rgbToGray", "input.rgbToGray", ["luma", "reject"] as const, "luma"),
  };

  const pre = c.obj(root.preprocess, "preprocess");
  const resize = c.oneOf(pre, "resize", "preprocess.resize", ["stretch", "shorter-side", "letterbox"] as const, "stretch");
  const resizeSize = c.int(pre, "resizeSize", "preprocess.resizeSize", 1, Math.max(height, width));
  if (resize === "shorter-side" && resizeSize < Math.max(height, width)) {
    c.fail("preprocess.resizeSize", `an integer ≥ max(input.height, input.width) = ${Math.max(height, width)}`, resizeSize);
  }
  const preprocess: PreprocessConfig = {
    resize,
    resizeSize,
    interpolation: c.oneOf(pre, "interpolation", "preprocess.interpolation", ["nearest", "bilinear", "bicubic"] as const, "bilinear"),
    scale: c.num(pre, "scale", "preprocess.scale", 1 / 255, true),
    mean: c.numbers(pre, "mean", "preprocess.mean", input.channels, 0, false),
    std: c.numbers(pre, "std", "preprocess.std", input.channels, 1, true),
    padValue: c.num(pre, "padValue", "preprocess.padValue", 0),
  };

  const out = c.obj(root.output, "output");
  const output: ModelOutputConfig = {
    name: c.str(out, "name", "output.name"),
    pooling: c.oneOf(out, "pooling", "output.pooling", ["cls", "mean", "pooled"] as const),
    dim: c.int(out, "dim", "output.dim", 1),
  };
  const l2Normalize = c.bool(root, "l2Normalize", "l2Normalize", false);

  for (const key of Object.keys(root)) {
    if (!["name", "version", "description", "pretrained", "input", "preprocess", "output", "l2Normalize"].includes(key)) {
      c.problems.push(`${key}: unknown field (expected one of name, version, description, pretrained, input, preprocess, output, l2Normalize)`);
    }
  }
  if (c.problems.length > 0) {
    throw new EmbedError("CONFIG_INVALID", `${source}: ${c.problems.join("; ")}`);
  }
  return { name, version, description, pretrained, input, preprocess, output, l2Normalize };
}

/** The label to show wherever a model appears (UI, CLI, docs): honest about demo encoders. */
export function modelLabel(config: ModelConfig): string {
  const base = `${config.name} v${config.version}`;
  return config.pretrained ? base : `${base} — demo encoder (not pretrained)`;
}
