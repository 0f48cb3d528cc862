// Test databases: a fresh in-memory PGlite by default; with DATABASE_URL set (CI's second pass),
// a fresh PostgreSQL database created for the test and named uniquely.
import pg from "pg";
import type { OpenStoreOptions } from "../store.js";

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
