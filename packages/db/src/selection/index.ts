export { SelectionWriteError, type SelectionWriteErrorCode } from "./errors.js";
export { insertColumns, type Column } from "./columns.js";
export { commitSelection, type CommitSelectionInput, type CommitSelectionResult, type SelectionItemInput } from "./commit-selection.js";
export {
  createSelectionRun,
  WRITE_TX_OPTIONS,
  type CreateSelectionRunInput,
  type CreatedSelectionRun,
  type RunConstraintRowInput,
  type RunSampleRoleInput,
  type WriteTx,
} from "./create-run.js";
export { finalizeReview, type FinalizeReviewInput, type FinalizedReview } from "./finalize-review.js";
export { createSubset, isUniqueViolation, type CreateSubsetInput, type CreatedSubset, type SubsetKindInput } from "./subset.js";
export {
  decideReviewItem,
  relabelReviewItem,
  type DecideReviewItemInput,
  type RelabelReviewItemInput,
  type ReviewItemWrite,
} from "./review-item.js";
export {
  createAnalysisJob,
  createQualityJob,
  createEmbeddingSetJobs,
  type CreateAnalysisJobInput,
  type CreatedAnalysisJob,
  type CreateQualityJobInput,
  type CreatedQualityJob,
  type CreateEmbeddingSetJobInput,
  type CreatedEmbeddingSetJob,
} from "./start-jobs.js";
