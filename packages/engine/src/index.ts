// @stratum/engine: pure TypeScript, no I/O. This file only re-exports.
export * from "./types.js";
export { createRng, isSeed, SEED_MIN, SEED_MAX } from "./rng.js";
// The selection and analysis contract, declared once (also the package's "./params" export, for the web)
export * from "./params.js";
export {
  simulateAcquisition,
  DEFAULT_SITE_EFFECTS,
  type SimulateAcquisitionOptions,
  type SimulatedAcquisition,
  type SiteEffects,
  type Corner,
} from "./simulate/acquisition.js";
export * from "./select/index.js";

// Confounder discovery (analyze, reducers, clustering, statistics)
export * from "./analyze.js";
export { symmetricEigen, type SymmetricEigen } from "./linalg/eigen.js";
export { pca, type PcaOptions, type PcaResult } from "./reduce/pca.js";
export { tsne, type TsneOptions, type TsneResult } from "./reduce/tsne.js";
export { umap, fitAB, type UmapOptions, type UmapResult } from "./reduce/umap.js";
export { knnGraph, bruteForceKnn, type KnnGraph } from "./neighbors/knn.js";
export { nnDescent, type NnDescentOptions } from "./neighbors/nndescent.js";
export { KdTree } from "./neighbors/kdtree.js";
export { Grid2D } from "./neighbors/grid2d.js";
export { dbscan, type DbscanResult } from "./cluster/dbscan.js";
export { chooseEps, kneeOf, type EpsChoice } from "./cluster/eps.js";
export { mergeFragments, type MergeLink, type MergeResult, type MergeOptions } from "./cluster/merge.js";
export { refineGroups, type RefineOptions, type RefineResult } from "./cluster/refine.js";
export { contingencyTable, chiSquareTest, type Contingency, type ChiSquareResult } from "./stats/contingency.js";
export { cramersV } from "./stats/cramers-v.js";
export { composition, type Composition, type CompositionCell, type ClassComposition, type LevelShare } from "./stats/composition.js";
export { adjustedMutualInformation, mutualInformation, expectedMutualInformation } from "./stats/ami.js";
export { lgamma, gammaP, gammaQ, chiSquareSurvival } from "./stats/gamma.js";
export { knnPredictability, knnPredictabilityFromGraph, type Predictability } from "./stats/predictability.js";
export { trustworthiness } from "./quality/trustworthiness.js";
export * from "./metrics/index.js";
export * from "./probe/index.js";
export * from "./data-quality/index.js";
