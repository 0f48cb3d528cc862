// Storage configuration, read in one place. DATABASE_URL set → PostgreSQL; unset → embedded PGlite.
import path from "node:path";

export interface StorageConfig {
  /** postgresql://… when set; otherwise the embedded default is used. */
  databaseUrl: string | undefined;
  /** Folder for PGlite's files. "memory://" keeps everything in memory (tests). */
  dataDir: string;
}

export function storageConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`DATABASE_URL: expected a postgresql:// URL, got "${databaseUrl.slice(0, 40)}"`);
  }
  const dataDir = env.STRATUM_DATA_DIR?.trim() || path.resolve(findRepoRoot(), ".stratum/pglite");
  return { databaseUrl, dataDir };
}

/** The monorepo root (where prisma/ lives), found from this file so that any cwd works. */
export function findRepoRoot(): string {
  return path.resolve(new URL(".", import.meta.url).pathname, "../../..");
}
