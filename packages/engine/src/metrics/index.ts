// Metrics of selections. Re-exports only.
export { jaccard } from "./jaccard.js";
export { adjustedRandIndex } from "./ari.js";
export { mmdRbf, medianSqDistance, type MmdResult } from "./mmd.js";
export {
  selectionMetrics,
  type SelectionMetrics,
  type SelectionMetricsInput,
  type SelectionMetricsOptions,
  type ClassMetrics,
  type GroupShare,
} from "./selection-metrics.js";
