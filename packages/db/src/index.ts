export { openStore, type Store, type StoreKind, type OpenStoreOptions } from "./store.js";
export { applyMigrations, readMigrations } from "./migrate.js";
export { storageConfigFromEnv, findRepoRoot, type StorageConfig } from "./env.js";
export { NOW_UTC, type SqlClient, type SqlResult, type CopyOptions } from "./sql.js";
export * from "./generated/prisma/client.js";
export * from "./import/index.js";
export { loadEmbeddingMatrix, EmbeddingMatrixError, type EmbeddingMatrix, type LoadEmbeddingMatrixOptions } from "./embeddings.js";
export { CopyBinaryWriter, COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from "./copy-binary.js";
export { copyBinary } from "./bulk.js";
