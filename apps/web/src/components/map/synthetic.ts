// A seeded synthetic 2-D layout: `clusters` anisotropic Gaussian blobs, one category per blob.
// Used by the /dev/map benchmark page only; real layouts come from the API.
import { createRng } from "@stratum/engine/rng";
import type { MapCategory } from "./EmbeddingMap";

export function syntheticLayout(n: number, clusters: number, seed: number) {
  const rnd = createRng(seed).next; // the engine's mulberry32: the same stream the old copy gave
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const centres = Array.from({ length: clusters }, () => ({ x: rnd() * 80 - 40, y: rnd() * 60 - 30, sx: 1 + rnd() * 5, sy: 1 + rnd() * 3, a: rnd() * Math.PI }));
  const xs = new Float32Array(n), ys = new Float32Array(n), category = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rnd() * clusters);
    const ctr = centres[c]!;
    const u = gauss() * ctr.sx, v = gauss() * ctr.sy;
    xs[i] = ctr.x + u * Math.cos(ctr.a) - v * Math.sin(ctr.a);
    ys[i] = ctr.y + u * Math.sin(ctr.a) + v * Math.cos(ctr.a);
    category[i] = c;
  }
  const categories: MapCategory[] = centres.map((_, c) => ({ name: `cluster ${c}` }));
  return { xs, ys, category, categories };
}
