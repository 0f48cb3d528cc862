// Opens the database: embedded PGlite by default, PostgreSQL when DATABASE_URL is set.
// Both run the same schema and migrations; callers get one Store and never branch on the kind,
// except to choose transport adapters (in-process vs LISTEN/NOTIFY, in-process jobs vs pg-boss).
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.js";
import { storageConfigFromEnv, type StorageConfig } from "./env.js";
import { applyMigrations } from "./migrate.js";
import type { SqlClient } from "./sql.js";

export type StoreKind = "pglite" | "postgres";

export interface Store {
  readonly kind: StoreKind;
  readonly prisma: PrismaClient;
  /** Runs fn inside one raw SQL transaction: it commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T>;
  /** Raw SQL outside a transaction. */
  readonly sql: SqlClient;
  /** The PostgreSQL URL, for components that open their own connections (pg-boss, LISTEN). */
  readonly databaseUrl: string | undefined;
  close(): Promise<void>;
}

export interface OpenStoreOptions extends Partial<StorageConfig> {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const config = { ...storageConfigFromEnv(), ...options };
  const store = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
  if (options.migrate !== false) {
    try {
      await applyMigrations(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

async function openPglite(dataDir: string): Promise<Store> {
  const inMemory = dataDir === "memory://" || dataDir === "";
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const db = inMemory ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const sql: SqlClient = {
    query: async (text, params) => ({ rows: (await db.query(text, params as unknown[])).rows as never[] }),
    exec: async (text) => {
      await db.exec(text);
    },
  };
  return {
    kind: "pglite",
    prisma,
    sql,
    databaseUrl: undefined,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async (text, params) => ({ rows: (await tx.query(text, params as unknown[])).rows as never[] }),
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    close: async () => {
      await prisma.$disconnect();
      // PGlite keeps the process alive until closed.
      await db.close();
    },
  };
}

function openPostgres(databaseUrl: string): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const wrap = (client: pg.Pool | pg.PoolClient): SqlClient => ({
    query: async (text, params) => ({ rows: (await client.query(text, params)).rows }),
    exec: async (text) => {
      await client.query(text);
    },
  });
  return {
    kind: "postgres",
    prisma,
    sql: wrap(pool),
    databaseUrl,
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
