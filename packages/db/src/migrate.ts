// Applies prisma/migrations/*/migration.sql in name order, each in its own transaction, and records
// them in _stratum_migrations. Works the same on PGlite and PostgreSQL, with no Prisma native engine.
// Concurrent starters (several API replicas) serialise on an advisory lock.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { findRepoRoot } from "./env.js";
import type { Store } from "./store.js";

const MIGRATION_LOCK = 727_001; // arbitrary, stable advisory-lock key

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = path.join(findRepoRoot(), "prisma/migrations")): MigrationFile[] {
  if (!existsSync(dir)) throw new Error(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Returns the names of the migrations it applied. */
export async function applyMigrations(store: Pick<Store, "transaction" | "sql">): Promise<string[]> {
  const migrations = readMigrations();
  await store.sql.exec(`CREATE TABLE IF NOT EXISTS _stratum_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await store.transaction(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const existing = await sql.query<{ checksum: string }>(
        "SELECT checksum FROM _stratum_migrations WHERE name = $1",
        [migration.name],
      );
      const row = existing.rows[0];
      if (row) {
        if (row.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead`,
          );
        }
        return false;
      }
      await sql.exec(migration.sql);
      await sql.query("INSERT INTO _stratum_migrations (name, checksum) VALUES ($1, $2)", [
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}
