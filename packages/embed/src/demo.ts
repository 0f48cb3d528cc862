// Paths of the committed demo encoders. Both are "demo encoder (not pretrained)": seeded random
// weights, built by scripts/make-demo-models.mjs, for tests, the demo and the benchmark only.
import { fileURLToPath } from "node:url";

export const DEMO_MODELS = ["demo-cnn", "demo-vit"] as const;

/** { model: …/model.onnx, config: …/model.json } for a demo encoder. */
export function demoModelPath(name: (typeof DEMO_MODELS)[number]): { model: string; config: string } {
  const dir = new URL(`../models/${name}/`, import.meta.url);
  return { model: fileURLToPath(new URL("model.onnx", dir)), config: fileURLToPath(new URL("model.json", dir)) };
}
