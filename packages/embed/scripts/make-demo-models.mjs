#!/usr/bin/env node
// Builds the two demo encoders committed under packages/embed/models/ with onnx-proto:
//
//   models/demo-cnn/model.onnx  small CNN, [N,1,64,64] gray → pooled [N,128]
//   models/demo-vit/model.onnx  ViT-shaped graph, [N,3,32,32] → tokens [N,1+16,64] (CLS first)
//
// Weights are drawn from a seeded RNG (He-style scaling): these are "demo encoder (not pretrained)"
// models. They exist to exercise the real loading, preprocessing, pooling and pipeline code, and to
// give the benchmark a realistic amount of convolution work. Their vectors carry no learned meaning.
//
// Usage: node packages/embed/scripts/make-demo-models.mjs   (deterministic: same bytes every run)
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = path.join(here, "..", "models");
const OPSET = 13;
const IR_VERSION = 7;

// mulberry32: small seeded generator, enough for weight init. A copy of the engine's createRng
// (packages/engine/src/rng.ts) on purpose: embed may import only @stratum/formats
// (docs/architecture.md), and the demo models' weights must not change with the engine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
function randn(rand, n, std) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = normal(rand) * std;
  return out;
}

function floatTensor(name, dims, data) {
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: ${data.length} values for dims ${dims}`);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}
function int64Tensor(name, values) {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  });
}
function attr(name, value) {
  const A = onnx.AttributeProto.AttributeType;
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  if (Number.isInteger(value)) return onnx.AttributeProto.create({ name, type: A.INT, i: value });
  return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
}
function node(opType, inputs, outputs, attrs = {}) {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    name: outputs[0],
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  });
}
function valueInfo(name, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === "string" ? onnx.TensorShapeProto.Dimension.create({ dimParam: d }) : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}
function model(graph, docString) {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: "stratum make-demo-models.mjs",
      producerVersion: "1",
      docString,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: OPSET })],
      graph,
    }),
  ).finish();
}

// ── demo CNN: 4 × (conv3×3 → relu), max-pool after the first three, global average pool → 128-d ──
function demoCnn() {
  const rand = rng(20261125);
  const widths = [1, 32, 64, 128, 128];
  const nodes = [];
  const inits = [];
  let x = "image";
  for (let l = 0; l < 4; l++) {
    const cin = widths[l];
    const cout = widths[l + 1];
    const w = `conv${l}.weight`;
    const b = `conv${l}.bias`;
    inits.push(floatTensor(w, [cout, cin, 3, 3], randn(rand, cout * cin * 9, Math.sqrt(2 / (cin * 9)))));
    inits.push(floatTensor(b, [cout], randn(rand, cout, 0.01)));
    nodes.push(node("Conv", [x, w, b], [`conv${l}`], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] }));
    nodes.push(node("Relu", [`conv${l}`], [`relu${l}`]));
    x = `relu${l}`;
    if (l < 3) {
      nodes.push(node("MaxPool", [x], [`pool${l}`], { kernel_shape: [2, 2], strides: [2, 2] }));
      x = `pool${l}`;
    }
  }
  nodes.push(node("GlobalAveragePool", [x], ["gap"]));
  nodes.push(node("Flatten", ["gap"], ["embedding"], { axis: 1 }));
  const graph = onnx.GraphProto.create({
    name: "demo_cnn",
    node: nodes,
    initializer: inits,
    input: [valueInfo("image", ["batch", 1, 64, 64])],
    output: [valueInfo("embedding", ["batch", 128])],
  });
  return model(graph, "demo encoder (not pretrained): seeded random CNN, 1x64x64 gray -> 128-d pooled vector");
}

// ── demo ViT-shaped graph: patchify (conv 8×8/8) → tokens [N,16,64], learned CLS prepended,
//    position embedding, one token-mixing and one channel-mixing residual block → [N,17,64] ──
function demoVit() {
  const rand = rng(7);
  const C = 3;
  const S = 32;
  const P = 8;
  const D = 64;
  const T = (S / P) * (S / P) + 1; // 17 tokens: CLS + 16 patches
  const inits = [
    floatTensor("patch.weight", [D, C, P, P], randn(rand, D * C * P * P, Math.sqrt(1 / (C * P * P)))),
    floatTensor("patch.bias", [D], randn(rand, D, 0.02)),
    int64Tensor("tokens_shape", [0, D, -1]),
    floatTensor("cls_token", [1, 1, D], randn(rand, D, 0.5)),
    floatTensor("zero", [], new Float32Array([0])),
    floatTensor("pos_embed", [1, T, D], randn(rand, T * D, 0.1)),
    floatTensor("token_mix.weight", [T, T], randn(rand, T * T, Math.sqrt(1 / T))),
    floatTensor("mlp.weight", [D, D], randn(rand, D * D, Math.sqrt(1 / D))),
    floatTensor("mlp.bias", [D], randn(rand, D, 0.02)),
  ];
  const nodes = [
    node("Conv", ["pixel_values", "patch.weight", "patch.bias"], ["patches_nchw"], { kernel_shape: [P, P], strides: [P, P] }),
    node("Reshape", ["patches_nchw", "tokens_shape"], ["patches_ndp"]),
    node("Transpose", ["patches_ndp"], ["patches"], { perm: [0, 2, 1] }), // [N,16,D]
    // CLS broadcast over the batch: mean(patches)·0 + cls_token = cls_token with shape [N,1,D].
    node("ReduceMean", ["patches"], ["patch_mean"], { axes: [1], keepdims: 1 }),
    node("Mul", ["patch_mean", "zero"], ["zeros_n1d"]),
    node("Add", ["zeros_n1d", "cls_token"], ["cls"]),
    node("Concat", ["cls", "patches"], ["tokens0"], { axis: 1 }), // [N,17,D]
    node("Add", ["tokens0", "pos_embed"], ["tokens1"]),
    node("Transpose", ["tokens1"], ["tokens1_t"], { perm: [0, 2, 1] }), // [N,D,17]
    node("MatMul", ["tokens1_t", "token_mix.weight"], ["mixed_t"]),
    node("Transpose", ["mixed_t"], ["mixed"], { perm: [0, 2, 1] }),
    node("Add", ["tokens1", "mixed"], ["tokens2"]),
    node("MatMul", ["tokens2", "mlp.weight"], ["mlp_mm"]),
    node("Add", ["mlp_mm", "mlp.bias"], ["mlp_pre"]),
    node("Tanh", ["mlp_pre"], ["mlp_out"]),
    node("Add", ["tokens2", "mlp_out"], ["last_hidden_state"]),
  ];
  const graph = onnx.GraphProto.create({
    name: "demo_vit",
    node: nodes,
    initializer: inits,
    input: [valueInfo("pixel_values", ["batch", C, S, S])],
    output: [valueInfo("last_hidden_state", ["batch", T, D])],
  });
  return model(graph, "demo encoder (not pretrained): seeded random ViT-shaped graph, 3x32x32 -> tokens [N,17,64], CLS first");
}

const configs = {
  "demo-cnn": {
    name: "demo-cnn",
    version: "1",
    description: "demo encoder (not pretrained): seeded random 4-layer CNN, 1x64x64 gray input, 128-d pooled output",
    pretrained: false,
    input: { name: "image", layout: "NCHW", height: 64, width: 64, channels: 1, grayToRgb: "replicate", rgbToGray: "luma" },
    preprocess: { resize: "stretch", interpolation: "bilinear", scale: 1 / 255, mean: [0.5], std: [0.25] },
    output: { name: "embedding", pooling: "pooled", dim: 128 },
    l2Normalize: false,
  },
  "demo-vit": {
    name: "demo-vit",
    version: "1",
    description: "demo encoder (not pretrained): seeded random ViT-shaped graph, 3x32x32 input, tokens [N,17,64] with CLS first",
    pretrained: false,
    input: { name: "pixel_values", layout: "NCHW", height: 32, width: 32, channels: 3, grayToRgb: "replicate", rgbToGray: "luma" },
    preprocess: {
      resize: "shorter-side",
      resizeSize: 36,
      interpolation: "bicubic",
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    output: { name: "last_hidden_state", pooling: "cls", dim: 64 },
    l2Normalize: true,
  },
};

for (const [name, bytes] of [
  ["demo-cnn", demoCnn()],
  ["demo-vit", demoVit()],
]) {
  const dir = path.join(modelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "model.onnx"), bytes);
  writeFileSync(path.join(dir, "model.json"), JSON.stringify(configs[name], null, 2) + "\n");
  console.log(`${name}: ${(bytes.length / 1024).toFixed(0)} KiB → ${path.relative(process.cwd(), dir)}/model.onnx`);
}
