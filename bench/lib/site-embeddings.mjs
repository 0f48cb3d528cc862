// The synthetic embeddings of engine-speed and tsne-quality (one generator, so both suites measure the
// same 50k × 384 matrix): per class, a 16-D latent Gaussian mapped into `dim` by a fixed random matrix,
// plus one of `sites` per-class "site" shifts (the confounder), plus isotropic noise. Seeded.
import { createRng } from "@stratum/engine";

export const LATENT = 16;

/** { data: Float32Array (n × dim), labels: Int32Array (0 | 1), n } with n = 2 · perClass. */
export function siteEmbeddings(seed, { perClass, dim, sites }) {
  const rng = createRng(seed);
  const n = 2 * perClass;
  const mix = Float32Array.from({ length: LATENT * dim }, () => rng.normal() / Math.sqrt(LATENT));
  const shifts = Array.from({ length: 2 * sites }, () => Float32Array.from({ length: dim }, () => rng.normal() * 0.9));
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const z = new Float64Array(LATENT);
  for (let i = 0; i < n; i++) {
    const c = i < perClass ? 0 : 1;
    const s = rng.int(sites);
    labels[i] = c;
    for (let l = 0; l < LATENT; l++) z[l] = rng.normal();
    const shift = shifts[c * sites + s];
    const o = i * dim;
    for (let t = 0; t < dim; t++) {
      let v = shift[t] + 0.15 * rng.normal();
      for (let l = 0; l < LATENT; l++) v += z[l] * mix[l * dim + t];
      data[o + t] = v;
    }
  }
  return { data, labels, n };
}
