// Selection under a budget of N per class. Re-exports only.
export * from "./types.js";
export { select, selectClass, finishSelection, resolveParams, validateInput, splitByClass, type ClassSelection } from "./select.js";
export { manifestHash, manifestLines, type ManifestItem } from "./manifest.js";
export { allocate, largestRemainder, allocationWeight } from "./allocation.js";
export { kCenterGreedy, type KCenterOptions, type KCenterResult } from "./kcenter.js";
export { allocateSharedMatrix } from "./dot-kernel.js";
export { facilityLocationGreedy, kernelMatrix, GROUND_SET_MAX } from "./facility-location.js";
export { quantilePositions, NOISE_GROUP, REST_GROUP, MISSING_LEVEL } from "./confounder-aware.js";
export { DECLARED_MAX } from "./select.js";
export type { StrategyContext } from "./context.js";
export { applyVerdicts, verdictGrouping, verdictNameKey, verdictsFromJson, type GroupVerdict, type EffectiveGroup } from "./verdicts.js";
export {
  selectConstrained,
  planConstrained,
  finishConstrained,
  memberHash,
  rowsOf,
  type SelectConstraints,
  type ConstrainedPlan,
  type ConstrainedSelectionResult,
  type ConstrainedClassSummary,
} from "./constrained.js";
export { qualityExclusions, duplicateExclusions, checkQualityRules, type QualityExclusionRules, type QualityFindingRow, type QualityExclusions } from "./exclusions.js";
