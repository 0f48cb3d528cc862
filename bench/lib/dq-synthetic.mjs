// Synthetic embedding set for the data-quality bench: n rows × dim float32 with the structure of real
// encoder outputs (a mixture of `clusters` Gaussian clusters in a `latent`-dimensional space, mapped to
// `dim` by a random linear map, plus isotropic noise carrying ~20 % of the variance), then `pairs`
// planted near-duplicates: a target row is overwritten by a copy of a source row plus small Gaussian
// noise (per-coordinate sd drawn in [noiseLo, noiseHi], against ~1.2 for the coordinates themselves:
// cosine similarity of a pair ≈ 0.97–0.997, as a re-encoded or re-saved image).
// Every row gets a site (3) and a split (10 % "test"); a share of the planted pairs is placed across
// sites, across splits, or given two labels, so the flags can be checked. `rng` is an engine Rng.
export function plantedDuplicates(rng, { n = 100_000, dim = 768, latent = 32, clusters = 100, pairs = 1000, spread = 0.35, noiseShare = 0.2, noiseLo = 0.1, noiseHi = 0.3 } = {}) {
  const centres = new Float64Array(clusters * latent);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  const A = new Float64Array(dim * latent);
  for (let i = 0; i < A.length; i++) A[i] = rng.normal() / Math.sqrt(latent);
  // per output coordinate the signal's variance is (1 + spread²) (A's rows have unit expected norm)
  const sigma = Math.sqrt((noiseShare / (1 - noiseShare)) * (1 + spread * spread));
  const data = new Float32Array(n * dim);
  const cluster = new Int32Array(n);
  const z = new Float64Array(latent);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    cluster[i] = c;
    for (let l = 0; l < latent; l++) z[l] = centres[c * latent + l] + spread * rng.normal();
    const o = i * dim;
    for (let t = 0; t < dim; t++) {
      let s = 0;
      const oa = t * latent;
      for (let l = 0; l < latent; l++) s += A[oa + l] * z[l];
      data[o + t] = s + sigma * rng.normal();
    }
  }
  const SITES = ["A", "B", "C"];
  const sites = Array.from({ length: n }, () => SITES[rng.int(3)]);
  const splits = Array.from({ length: n }, () => (rng.next() < 0.1 ? "test" : "pool"));
  const labels = Array.from(cluster, (c) => (c % 2 ? "pneumonia" : "normal"));
  // sources and targets: 2·pairs distinct rows
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let a = 0; a < 2 * pairs; a++) {
    const b = a + rng.int(n - a);
    [perm[a], perm[b]] = [perm[b], perm[a]];
  }
  const planted = [];
  for (let p = 0; p < pairs; p++) {
    const s = perm[2 * p], t = perm[2 * p + 1];
    const eps = noiseLo + (noiseHi - noiseLo) * rng.next();
    for (let d = 0; d < dim; d++) data[t * dim + d] = data[s * dim + d] + eps * rng.normal();
    cluster[t] = cluster[s];
    labels[t] = labels[s];
    // the copy's tags: 30 % at another site, 20 % in the other split, 10 % under the other label
    sites[t] = rng.next() < 0.3 ? SITES[(SITES.indexOf(sites[s]) + 1 + rng.int(2)) % 3] : sites[s];
    const u = rng.next();
    splits[t] = u < 0.2 ? (splits[s] === "test" ? "pool" : "test") : splits[s];
    if (rng.next() < 0.1) labels[t] = labels[s] === "normal" ? "pneumonia" : "normal";
    planted.push({ a: Math.min(s, t), b: Math.max(s, t), eps, crossSite: sites[t] !== sites[s], crossSplit: splits[t] !== splits[s], conflicting: labels[t] !== labels[s] });
  }
  return { points: { data, n, dim }, sites, splits, labels, cluster, planted };
}
