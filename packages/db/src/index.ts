export { openStore, type Store, type StoreKind, type OpenStoreOptions } from "./store.js";
export { applyMigrations, readMigrations } from "./migrate.js";
export { storageConfigFromEnv, findRepoRoot, type StorageConfig } from "./env.js";
export type { SqlClient, SqlResult } from "./sql.js";
export * from "./generated/prisma/client.js";
