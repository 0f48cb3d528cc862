// Writes job results in bulk (reads go through @stratum/db loadEmbeddingMatrix).
import type { SqlClient } from "@stratum/db";

/** Inserts rows column-wise with unnest(), in chunks (one statement per chunk). */
export async function insertColumns(
  sql: SqlClient,
  table: string,
  columns: { name: string; type: string; values: ArrayLike<unknown> }[],
  chunk = 10_000,
): Promise<void> {
  const n = columns[0]?.values.length ?? 0;
  const names = columns.map((c) => `"${c.name}"`).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const params = columns.map((c) => Array.prototype.slice.call(c.values, start, end));
    await sql.query(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`, params);
  }
}
