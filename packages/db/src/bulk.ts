// Bulk loading through binary COPY on both storages. PostgreSQL gets one COPY per table, fed as a
// stream (the producer encodes the next batch while the server ingests the previous one); PGlite,
// which has no COPY FROM STDIN, gets one COPY … FROM '/dev/blob' per batch, so its memory stays
// bounded by the batch size.
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from "./copy-binary.js";
import type { StoreKind } from "./store.js";
import type { SqlClient } from "./sql.js";

/**
 * Loads `batches` (tuple bytes from CopyBinaryWriter.take(), no header or trailer) into `target`,
 * e.g. `"EmbeddingVector" ("setId", "sampleId", vector)`. Errors thrown by the batch source abort the
 * COPY; the caller's transaction then rolls back.
 */
export async function copyBinary(
  sql: SqlClient,
  kind: StoreKind,
  target: string,
  batches: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  if (kind === "postgres") {
    await sql.copyFrom(target, framed(batches));
    return;
  }
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    await sql.copyFrom(target, [COPY_BINARY_HEADER, batch, COPY_BINARY_TRAILER]);
  }
}

async function* framed(
  batches: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield COPY_BINARY_HEADER;
  for await (const batch of batches) if (batch.length > 0) yield batch;
  yield COPY_BINARY_TRAILER;
}
