// Column-wise bulk INSERT with unnest(): one statement per chunk of rows, whatever the row count.
import type { SqlClient } from "../sql.js";

export interface Column {
  name: string;
  /** PostgreSQL element type of the column, e.g. "int", "text". */
  type: string;
  values: ArrayLike<unknown>;
}

/** Inserts rows column-wise with unnest(), in chunks (one statement per chunk). */
export async function insertColumns(sql: SqlClient, table: string, columns: Column[], chunk = 10_000): Promise<void> {
  const n = columns[0]?.values.length ?? 0;
  const names = columns.map((c) => `"${c.name}"`).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const params = columns.map((c) => Array.prototype.slice.call(c.values, start, end));
    await sql.query(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`, params);
  }
}
