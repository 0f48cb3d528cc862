// PneumoniaMNIST (28×28 grayscale chest X-rays, normal vs pneumonia) from the repository's data/demo, read with
// @stratum/formats' npz reader. Pool = train split (2428), test = test + val splits (738).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readNpz } from "@stratum/formats";

export const PNEUMONIA_NPZ =
  process.env.STRATUM_PNEUMONIA_NPZ ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../data/demo/pneumoniamnist.npz");
export const CLASS_NAMES = ["normal", "pneumonia"];

function concatImages(arrays) {
  const total = arrays.reduce((s, a) => s + a.data.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const a of arrays) {
    out.set(a.data, o);
    o += a.data.length;
  }
  return out;
}

export async function loadPneumonia(file = PNEUMONIA_NPZ) {
  const npz = await readNpz(file);
  const get = (name) => {
    const a = npz.get(name);
    if (!a) throw new Error(`${file}: missing array ${name}`);
    return a;
  };
  const [h, w] = get("train_images").shape.slice(1);
  const labelsOf = (arrs) => arrs.flatMap((a) => Array.from(a.data, (v) => CLASS_NAMES[Number(v)]));
  return {
    height: h,
    width: w,
    pool: { images: get("train_images").data, labels: labelsOf([get("train_labels")]) },
    test: {
      images: concatImages([get("test_images"), get("val_images")]),
      labels: labelsOf([get("test_labels"), get("val_labels")]),
    },
  };
}
