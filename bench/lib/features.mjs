// The benchmark's embedding: raw pixels scaled to [0, 1], standardised per pixel with the pool's mean
// and standard deviation, then projected on the pool's first `k` principal components (engine pca,
// seeded). Deterministic and honest: no pretrained encoder, nothing fitted on the test split.
import { createRng, pca } from "@stratum/engine";

export function pixelPcaFeatures(poolImages, testImages, pixels, k = 64, seed = 0) {
  const nPool = poolImages.length / pixels;
  const nTest = testImages.length / pixels;
  const mean = new Float64Array(pixels);
  const sd = new Float64Array(pixels);
  for (let i = 0; i < nPool; i++) for (let p = 0; p < pixels; p++) mean[p] += poolImages[i * pixels + p] / 255;
  for (let p = 0; p < pixels; p++) mean[p] /= nPool;
  for (let i = 0; i < nPool; i++) {
    for (let p = 0; p < pixels; p++) {
      const d = poolImages[i * pixels + p] / 255 - mean[p];
      sd[p] += d * d;
    }
  }
  for (let p = 0; p < pixels; p++) sd[p] = Math.sqrt(sd[p] / nPool) || 1;
  const standardise = (images, n) => {
    const X = new Float64Array(n * pixels);
    for (let i = 0; i < n; i++) for (let p = 0; p < pixels; p++) X[i * pixels + p] = (images[i * pixels + p] / 255 - mean[p]) / sd[p];
    return X;
  };
  const Xpool = standardise(poolImages, nPool);
  const Xtest = standardise(testImages, nTest);
  const model = pca({ data: Xpool, n: nPool, dim: pixels }, { components: k, rng: createRng(seed) });
  const project = (X, n) => {
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let p = 0; p < pixels; p++) s += (X[i * pixels + p] - model.mean[p]) * model.components[c * pixels + p];
        out[i * k + c] = s;
      }
    }
    return out;
  };
  return {
    pool: { data: project(Xpool, nPool), n: nPool, dim: k },
    test: { data: project(Xtest, nTest), n: nTest, dim: k },
    explainedVarianceRatio: Array.from(model.explainedVarianceRatio),
  };
}
