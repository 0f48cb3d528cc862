// Writes job results in bulk (reads go through @stratum/db loadEmbeddingMatrix). The unnest() writer
// lives in @stratum/db beside the write paths that use it (commitSelection, finalizeReview).
export { insertColumns } from "@stratum/db";
