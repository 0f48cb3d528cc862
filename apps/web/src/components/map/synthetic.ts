// A seeded synthetic 2-D layout: `clusters` anisotropic Gaussian blobs, one category per blob.
// Used by the /dev/map benchmark page only; real layouts come from the API.
import type { MapCategory } from "./EmbeddingMap";

// mulberry32, a copy of the engine's createRng (packages/engine/src/rng.ts) on purpose: the web may
// import no workspace code but @stratum/formats/layout (docs/architecture.md, enforced by
// `npm run check:cycles`), and this dev-only page needs just a seeded stream, not the contract.
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticLayout(n: number, clusters: number, seed: number) {
  const rnd = mulberry32(seed);
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
