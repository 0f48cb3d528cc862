// Data quality on an embedding set: duplicates, outliers, likely label errors, similarity search.
// Pure: typed arrays in, plain results out, deterministic for a seed. Re-exports only.
export { cosineKnn, exactCosineKnn, projectRows, type CosineKnn, type CosineKnnOptions } from "./knn.js";
export {
  exactDuplicates,
  nearDuplicates,
  exactNearDuplicatePairs,
  duplicateSets,
  defaultDuplicateThreshold,
  DUPLICATE_MEDIAN_FRACTION,
  DUPLICATE_LOG_Z,
  type RowTags,
  type DuplicateSet,
  type DuplicatePair,
  type NearDuplicateOptions,
  type NearDuplicateResult,
} from "./duplicates.js";
export { classOutliers, defaultOutlierK, type OutlierOptions, type OutlierResult } from "./outliers.js";
export { labelErrors, confidentLearning, type LabelErrorOptions, type LabelErrorResult } from "./label-errors.js";
export {
  buildSimilarityIndex,
  similarTo,
  exactSimilar,
  similarityToRows,
  type SimilarityIndex,
  type SimilarityIndexOptions,
  type SimilarOptions,
  type SimilarResult,
} from "./similarity.js";
