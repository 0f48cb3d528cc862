export {
  importDataset,
  type ImportInput,
  type ImportResult,
  type ImportPhase,
  type ImportProgress,
} from "./import-dataset.js";
export {
  versionDiff,
  versionDiffCounts,
  type VersionDiff,
  type VersionDiffOptions,
  type DiffCounts,
  type DiffItem,
  type DiffKind,
  type DiffSample,
} from "./diff.js";
export { ImportError, type ImportErrorCode, type ImportErrorDetails } from "./errors.js";
export { readManifestRows, type ManifestColumns, type ParsedManifest } from "./manifest-rows.js";
export { sampleContentHash, versionContentHash, canonicalJson, type SampleContent } from "./hash.js";
export { SITE_CODE, SITE_CODE_RULE, hasNul, jsonHasNul } from "./site-code.js";
