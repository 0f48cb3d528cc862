// Test databases for any package: a fresh in-memory PGlite, or a fresh PostgreSQL database when
// DATABASE_URL is set (CI runs every suite on both). Creating a PGlite store costs ~2-4 s: share one per file.
import pg from "pg";
import type { OpenStoreOptions } from "./store.js";

export async function testStoreOptions(): Promise<OpenStoreOptions> {
  const base = process.env.DATABASE_URL;
  if (!base) return { databaseUrl: undefined, dataDir: "memory://" };
  const name = `stratum_t_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { databaseUrl: url.toString() };
}
