// @stratum/server's public surface: the app factory, config, and the building blocks other server modules
// (jobs, events, analyses, runs, reviews, export) use to follow the same conventions.
import "reflect-metadata";
export { createApp, type CreateAppOptions, type StratumApp } from "./app.js";
export { loadConfig, ConfigError, type ServerConfig } from "./env.js";
export { buildStratumSchema, resolvers, coreResolvers } from "./schema.js";
export { makeContext, type Context, type AppServices, type Viewer } from "./context.js";
export * from "./graphql/ids.js";
export * from "./graphql/errors.js";
export * from "./graphql/connection.js";
export * from "./graphql/mutation.js";
export * from "./graphql/loaders.js";
export { Node, registerNode, fetchNode } from "./graphql/node.js";
export { fromRow } from "./graphql/build.js";
export * from "./auth/access.js";
export * from "./auth/scope.js";
export { authenticate } from "./auth/authenticate.js";
export { hashPassword, verifyPassword } from "./auth/password.js";
export { audit, auditSql, type AuditTarget } from "./audit/audit.js";
export { createUser } from "./modules/user/user.service.js";
