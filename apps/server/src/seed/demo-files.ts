// Builds the demo's files from real chest X-rays: PneumoniaMNIST (data/demo) with three simulated
// acquisition sites. In the training pool the site is tied to the label (the confounder Stratum must
// find); in the test split it is independent of the label (so a probe that learned the site fails there).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { readNpz, type NdArray } from "@stratum/formats";
import { simulateAcquisition } from "@stratum/engine";
import { findRepoRoot } from "@stratum/db";

export const DEMO_NPZ = path.join(findRepoRoot(), "data/demo/pneumoniamnist.npz");
export const CLASS_NAMES = ["normal", "pneumonia"] as const;

/** Site codes with a fictional scanner each; the scanner column is what a DICOM header would carry. */
export const DEMO_SITES = [
  { code: "A", name: "Site A — Northfield Children's", scanner: "Vendor-1 DR-100" },
  { code: "B", name: "Site B — Lakeside General", scanner: "Vendor-2 CR-7" },
  { code: "C", name: "Site C — Hillcrest University", scanner: "Vendor-3 DR-Flex" },
] as const;

export interface DemoSplitFiles {
  manifestPath: string;
  count: number;
}

/**
 * Writes one PNG per image and a manifest CSV (id, path, label, site, scanner) for the split. With
 * `relativeTo` (a storage root of the consortium) the manifest's paths are relative to it, which is
 * what the API accepts at import; otherwise they are absolute (the CLI imports those as they are).
 */
export async function writeDemoSplit(
  outDir: string,
  split: "train" | "test",
  options: { strength?: number; seed?: number; arrays?: Map<string, NdArray>; relativeTo?: string } = {},
): Promise<DemoSplitFiles> {
  const arrays = options.arrays ?? (await readNpz(DEMO_NPZ));
  const images = need(arrays, `${split}_images`);
  const labels = need(arrays, `${split}_labels`);
  const [n, h, w] = images.shape as [number, number, number];
  const labelValues = Array.from(labels.data as ArrayLike<number>, (v) => CLASS_NAMES[v] ?? String(v));
  const simulated = simulateAcquisition(images.data as Uint8Array, labelValues, {
    height: h,
    width: w,
    split: split === "train" ? "pool" : "test",
    strength: options.strength ?? 1,
    seed: options.seed ?? 7,
  });
  const imageDir = path.join(outDir, split);
  await mkdir(imageDir, { recursive: true });
  const lines = ["id,path,label,site,scanner"];
  for (let i = 0; i < n; i++) {
    const id = `pmnist-${split}-${String(i).padStart(5, "0")}`;
    const file = path.join(imageDir, `${id}.png`);
    const pixels = Buffer.from(simulated.images.subarray(i * h * w, (i + 1) * h * w));
    await sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
    const site = DEMO_SITES[simulated.sites[i]!]!;
    const uri = options.relativeTo ? path.relative(options.relativeTo, file).split(path.sep).join("/") : file;
    lines.push([id, uri, labelValues[i], site.code, site.scanner].map(csvField).join(","));
  }
  const manifestPath = path.join(outDir, `${split}-manifest.csv`);
  await writeFile(manifestPath, lines.join("\n") + "\n");
  return { manifestPath, count: n };
}

function need(arrays: Map<string, NdArray>, name: string): NdArray {
  const array = arrays.get(name);
  if (!array) throw new Error(`${DEMO_NPZ}: array "${name}" is missing`);
  return array;
}

function csvField(value: unknown): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
