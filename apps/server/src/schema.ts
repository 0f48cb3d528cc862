// The GraphQL schema: TypeGraphQL resolvers, class-validator validation, one auth checker.
// Add resolvers to `resolvers` below (core first, then jobs/analysis/runs/reviews/export).
import "reflect-metadata";
import { buildSchema, type BuildSchemaOptions, type NonEmptyArray } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { authChecker } from "./auth/access.js";
import { validateArgs } from "./graphql/validate-args.js";
import "./graphql/enums.js";
import { NodeResolver } from "./graphql/node.js";
import { SessionResolver } from "./modules/session/session.resolver.js";
import { ViewerResolver } from "./modules/user/viewer.resolver.js";
import { UserResolver } from "./modules/user/user.resolver.js";
import { ConsortiumResolver } from "./modules/consortium/consortium.resolver.js";
import { ConsortiumSitesResolver, SiteResolver } from "./modules/site/site.resolver.js";
import {
  ConsortiumMembersResolver,
  MembershipResolver,
  ViewerMembershipsResolver,
} from "./modules/membership/membership.resolver.js";
import { ConsortiumInvitationsResolver, InvitationResolver } from "./modules/invitation/invitation.resolver.js";
import { ApiTokenResolver, ConsortiumApiTokensResolver } from "./modules/api-token/api-token.resolver.js";
import { ConsortiumProjectsResolver, ProjectResolver } from "./modules/project/project.resolver.js";
import { DatasetResolver, ProjectDatasetsResolver } from "./modules/dataset/dataset.resolver.js";
import {
  DatasetVersionResolver,
  VersionDiffItemResolver,
  VersionDiffResolver,
} from "./modules/dataset-version/dataset-version.resolver.js";
import { SampleResolver } from "./modules/sample/sample.resolver.js";
import { ConsortiumModelsResolver, EmbeddingModelResolver } from "./modules/embedding-model/embedding-model.resolver.js";
import { AuditEventResolver } from "./modules/audit/audit.resolver.js";
import "./modules/job/job.enums.js";
import { ConsortiumJobsResolver, JobActivityEventResolver, JobResolver } from "./modules/job/job.resolver.js";
import { DatasetVersionEmbeddingSetsResolver, EmbeddingSetResolver } from "./modules/embedding-set/embedding-set.resolver.js";
import { AnalysisResolver, ConfounderGroupResolver, DatasetVersionAnalysesResolver } from "./modules/analysis/analysis.resolver.js";
import { DatasetVersionRunsResolver, RunResolver, SelectionItemResolver } from "./modules/run/run.resolver.js";
import {
  DatasetVersionSourceRunResolver,
  ReviewActivityEventResolver,
  ReviewRelabelResolver,
  ReviewResolver,
  RunReviewResolver,
  SelectionItemReviewResolver,
  VersionDiffRelabelResolver,
  VersionRelabelItemResolver,
} from "./modules/review/review.resolver.js";
import { EvaluationResolver, RunEvaluationsResolver } from "./modules/evaluation/evaluation.resolver.js";
import { RunManifestResolver } from "./modules/export/export.resolver.js";
import { ComparisonCompositionResolver, RunCompositionResolver } from "./modules/composition/composition.resolver.js";
import {
  DataQualityResolver,
  DatasetVersionDataQualityResolver,
  DuplicateSetResolver,
  JobDataQualityResolver,
} from "./modules/data-quality/data-quality.resolver.js";
import {
  DatasetVersionSubsetsResolver,
  ProjectSubsetsResolver,
  RunConstraintsFieldsResolver,
  RunConstraintsResolver,
  SubsetResolver,
} from "./modules/subset/subset.resolver.js";

/** Core: identity, tenancy, datasets. */
export const coreResolvers = [
  NodeResolver,
  SessionResolver,
  ViewerResolver,
  UserResolver,
  ConsortiumResolver,
  SiteResolver,
  ConsortiumSitesResolver,
  MembershipResolver,
  ConsortiumMembersResolver,
  ViewerMembershipsResolver,
  InvitationResolver,
  ConsortiumInvitationsResolver,
  ApiTokenResolver,
  ConsortiumApiTokensResolver,
  ProjectResolver,
  ConsortiumProjectsResolver,
  DatasetResolver,
  ProjectDatasetsResolver,
  DatasetVersionResolver,
  VersionDiffResolver,
  VersionDiffItemResolver,
  SampleResolver,
  EmbeddingModelResolver,
  ConsortiumModelsResolver,
  AuditEventResolver,
] as const;

/** Jobs, live events and the curation workflow (subscriptions run on the EventBus, see PROTOCOL.md). */
export const liveResolvers = [
  JobResolver,
  JobActivityEventResolver,
  ConsortiumJobsResolver,
  EmbeddingSetResolver,
  DatasetVersionEmbeddingSetsResolver,
  AnalysisResolver,
  ConfounderGroupResolver,
  DatasetVersionAnalysesResolver,
  RunResolver,
  SelectionItemResolver,
  DatasetVersionRunsResolver,
  ReviewResolver,
  ReviewActivityEventResolver,
  RunReviewResolver,
  ReviewRelabelResolver,
  SelectionItemReviewResolver,
  VersionDiffRelabelResolver,
  VersionRelabelItemResolver,
  DatasetVersionSourceRunResolver,
  EvaluationResolver,
  RunEvaluationsResolver,
  RunManifestResolver,
  RunCompositionResolver,
  ComparisonCompositionResolver,
  DataQualityResolver,
  DuplicateSetResolver,
  DatasetVersionDataQualityResolver,
  JobDataQualityResolver,
  SubsetResolver,
  DatasetVersionSubsetsResolver,
  ProjectSubsetsResolver,
  RunConstraintsResolver,
  RunConstraintsFieldsResolver,
] as const;

/**
 * TypeGraphQL insists on a PubSub once any @Subscription exists. Ours all use `subscribe:` over the
 * EventBus (src/events), so this one only says so if anything ever reaches it.
 */
const noPubSub = {
  publish(): void {
    throw new Error("subscriptions publish through the EventBus (src/events), not TypeGraphQL's PubSub");
  },
  subscribe(): AsyncIterable<never> {
    throw new Error("subscriptions subscribe through the EventBus (src/events), not TypeGraphQL's PubSub");
  },
};

/** Every resolver class in the API. Jobs, analyses, runs, reviews, evaluations, export: append here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeGraphQL's resolver list type
export const resolvers: NonEmptyArray<Function> = [
  ...coreResolvers,
  // ↓ jobs engineer's resolvers: jobs, embedding sets, analyses, runs, reviews, evaluations, export
  ...liveResolvers,
];

export type SchemaOptions = Omit<BuildSchemaOptions, "resolvers">;

export function buildStratumSchema(options: Partial<SchemaOptions> = {}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    authMode: "error",
    validateFn: validateArgs,
    pubSub: noPubSub,
    ...options,
  });
}
