// Enums of the jobs, analyses, runs and reviews, registered once for GraphQL.
import { registerEnumType } from "type-graphql";
import { EmbeddingSetStatus, EvaluationSource, GroupVerdict, JobKind, ReviewDecisionKind, RunStatus } from "@stratum/db";

registerEnumType(RunStatus, {
  name: "RunStatus",
  description: "Where long work stands: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED.",
});
registerEnumType(JobKind, { name: "JobKind", description: "What a job does." });
registerEnumType(EmbeddingSetStatus, { name: "EmbeddingSetStatus", description: "Where an embedding set stands." });
registerEnumType(GroupVerdict, { name: "GroupVerdict", description: "A person's verdict on a candidate confounder group." });
registerEnumType(ReviewDecisionKind, { name: "ReviewDecisionKind", description: "A reviewer's decision on a selected item." });
registerEnumType(EvaluationSource, { name: "EvaluationSource", description: "Who produced an evaluation metric." });

export { EmbeddingSetStatus, EvaluationSource, GroupVerdict, JobKind, ReviewDecisionKind, RunStatus };
