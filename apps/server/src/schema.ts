// The GraphQL schema: TypeGraphQL resolvers, class-validator validation, one auth checker.
// Add resolvers to `resolvers` below (core first, then jobs/analysis/runs/reviews/export).
import "reflect-metadata";
import { buildSchema, type BuildSchemaOptions, type NonEmptyArray } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { authChecker } from "./auth/access.js";
import "./graphql/enums.js";
import { NodeResolver } from "./graphql/node.js";
import { SessionResolver } from "./auth/session.resolver.js";
import { ViewerResolver } from "./modules/user/viewer.resolver.js";
import { UserResolver } from "./modules/user/user.resolver.js";
import { ConsortiumResolver } from "./modules/consortium/consortium.resolver.js";
import { ConsortiumSitesResolver, SiteResolver } from "./modules/site/site.resolver.js";
import {
  ConsortiumMembersResolver,
  MembershipResolver,
  ViewerMembershipsResolver,
} from "./modules/membership/membership.resolver.js";
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
import { AuditEventResolver } from "./audit/audit.resolver.js";

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

/** Every resolver class in the API. Jobs, analyses, runs, reviews, evaluations, export: append here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeGraphQL's resolver list type
export const resolvers: NonEmptyArray<Function> = [
  ...coreResolvers,
  // ↓ jobs engineer's resolvers
];

export type SchemaOptions = Omit<BuildSchemaOptions, "resolvers">;

export function buildStratumSchema(options: Partial<SchemaOptions> = {}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    authMode: "error",
    validate: { forbidUnknownValues: false, validationError: { target: false } },
    ...options,
  });
}
