// Opens the database: embedded PGlite by default, PostgreSQL when DATABASE_URL is set.
// Both run the same schema and migrations; callers get one Store and never branch on the kind,
// except to choose transport adapters (in-process vs LISTEN/NOTIFY, in-process jobs vs pg-boss).
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFromStdin } from "pg-copy-streams";
import { PrismaClient } from "./generated/prisma/client.js";
import { storageConfigFromEnv, type StorageConfig } from "./env.js";
import { applyMigrations } from "./migrate.js";
import type { CopyOptions, SqlClient } from "./sql.js";
import { listenPglite, PgNotificationFeed, type FeedHandlers, type NotificationFeed } from "./listen.js";

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
  /** Receives NOTIFYs on `channels` (sent on commit), with a reset whenever some may have been missed. */
  listen(channels: string[], handlers: FeedHandlers): Promise<NotificationFeed>;
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

// Every timestamp column is `timestamp without time zone` holding UTC (Prisma's convention). Drivers
// read such values in the process's local time zone and write JS Dates as local times, so raw SQL would
// shift them by the UTC offset on a machine not set to UTC: raw queries parse them as UTC, send Dates
// as ISO UTC strings, and PostgreSQL sessions run in UTC (for DEFAULT CURRENT_TIMESTAMP).
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(" ", "T")}Z`);
const utcParams = (params: unknown[] | undefined) => params?.map((p) => (p instanceof Date ? p.toISOString() : p));
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary" ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
const UTC_SESSION = "-c TimeZone=UTC";

async function openPglite(dataDir: string): Promise<Store> {
  const inMemory = dataDir === "memory://" || dataDir === "";
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const db = inMemory ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const wrap = (client: Pick<PGlite, "query" | "exec">): SqlClient => ({
    query: async (text, params) => ({
      rows: (await client.query(text, utcParams(params as unknown[]), { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp } })).rows as never[],
    }),
    exec: async (text) => {
      await client.exec(text);
    },
    copyFrom: async (target, source, options) => {
      const parts: Uint8Array[] = [];
      for await (const part of source) parts.push(part);
      await client.query(`COPY ${target} FROM '/dev/blob' WITH (FORMAT ${copyFormat(options)})`, [], {
        blob: new Blob(parts),
      });
    },
  });
  const sql = wrap(db);
  return {
    kind: "pglite",
    prisma,
    sql,
    databaseUrl: undefined,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    listen: (channels, handlers) => listenPglite(db, channels, handlers),
    close: async () => {
      await prisma.$disconnect();
      // PGlite keeps the process alive until closed.
      await db.close();
    },
  };
}

function openPostgres(databaseUrl: string): Store {
  // One configuration for the raw-SQL pool and Prisma's. min: a couple of connections stay open through
  // quiet spells, so when the API serves from its caches the next query (say, the auth lookup
  // concurrent requests share) does not wait for a new backend (~15 ms here). idleTimeoutMillis: pg's
  // 10 s closed every connection of a burst together 10 s after it, and the exiting backends held the
  // database up for 50-80 ms (every cached read waits on a round trip: the p99 of a 5 s load step went
  // from ~8 to ~80 ms). A minute keeps that churn rare.
  const poolConfig = { connectionString: databaseUrl, max: 10, min: 2, idleTimeoutMillis: 60_000, options: UTC_SESSION };
  const pool = new pg.Pool(poolConfig);
  const prisma = new PrismaClient({ adapter: new PrismaPg(poolConfig) });
  const copy = async (client: pg.PoolClient, target: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: CopyOptions) => {
    const stream = client.query(copyFromStdin(`COPY ${target} FROM STDIN WITH (FORMAT ${copyFormat(options)})`));
    await pipeline(Readable.from(source, { objectMode: false }), stream);
  };
  const wrap = (client: pg.Pool | pg.PoolClient): SqlClient => ({
    query: async (text, params) => ({ rows: (await client.query({ text, values: utcParams(params as unknown[]), types: pgTypes })).rows }),
    exec: async (text) => {
      await client.query(text);
    },
    copyFrom: async (target, source, options) => {
      if (client instanceof pg.Pool) {
        const c = await client.connect();
        try {
          await copy(c, target, source, options);
        } finally {
          c.release();
        }
      } else {
        await copy(client, target, source, options);
      }
    },
  });
  return {
    kind: "postgres",
    prisma,
    sql: wrap(pool),
    databaseUrl,
    listen: (channels, handlers) => PgNotificationFeed.open(databaseUrl, channels, handlers),
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

function copyFormat(options: CopyOptions | undefined): string {
  const format = options?.format ?? "binary";
  if (format !== "binary" && format !== "csv" && format !== "text") {
    throw new RangeError(`copyFrom: expected format binary|csv|text, got "${String(format)}"`);
  }
  return format;
}
