// A minimal SQL client interface that both PGlite and node-postgres satisfy, for the few places
// (bulk import, migrations, LISTEN/NOTIFY) where Prisma's query builder is the wrong tool.

/**
 * "Now" for a timestamp column in SQL. Every timestamp column is `timestamp(3)` without zone holding UTC
 * (as Prisma writes them; see store.ts), whatever the session's or the machine's zone.
 */
export const NOW_UTC = `(now() AT TIME ZONE 'utc')`;

export interface SqlResult<Row> {
  rows: Row[];
}

export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** Runs several statements separated by semicolons, without parameters. */
  exec(text: string): Promise<void>;
  /**
   * Bulk load: `COPY <target> FROM STDIN WITH (FORMAT <format>)`, fed by `source`, which yields the
   * COPY payload bytes in order (for binary: signature, tuples, trailer; see copy-binary.ts).
   * `target` is a table and column list, e.g. `"Sample" ("datasetId", "externalId")`.
   * PostgreSQL streams the source over the connection (bounded memory); PGlite has no COPY FROM
   * STDIN, so it gathers the payload into one Blob and runs `COPY … FROM '/dev/blob'`; keep payloads
   * for PGlite to tens of MB by calling copyFrom once per batch.
   */
  copyFrom(target: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: CopyOptions): Promise<void>;
}

export interface CopyOptions {
  /** Default "binary". */
  format?: "binary" | "csv" | "text";
}
