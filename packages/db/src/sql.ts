// A minimal SQL client interface that both PGlite and node-postgres satisfy, for the few places
// (bulk import, migrations, LISTEN/NOTIFY) where Prisma's query builder is the wrong tool.

export interface SqlResult<Row> {
  rows: Row[];
}

export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** Runs several statements separated by semicolons, without parameters. */
  exec(text: string): Promise<void>;
}
