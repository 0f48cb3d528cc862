// commitSelection: a SELECT job's result — the run's items, metrics, warnings and manifest hash — in ONE
// transaction, so a run is either complete or has no items at all (a crash or a throw halfway rolls the
// whole write back). The caller's own bookkeeping (the job's SUCCEEDED mark) runs in that transaction
// too, through `inTransaction`.
//
// Raw SQL on purpose, for two measured reasons:
//  - the items are bulk: unnest() inserted 20,000 SelectionItem rows in 1.6-1.7 s on PGlite where
//    Prisma's createMany took 12-22 s (7-13x; `node packages/db/scripts/bench-item-insert.mjs`, this
//    2-core machine, 2026-12-04);
//  - the job runner's lease check and SUCCEEDED mark are raw SQL on the store's connection, and on
//    PGlite a Prisma transaction cannot share that connection's transaction (it would wait on it).
import type { Store } from "../store.js";
import { NOW_UTC, type SqlClient } from "../sql.js";
import { insertColumns } from "./columns.js";
import { SelectionWriteError, checkId } from "./errors.js";

export interface SelectionItemInput {
  sampleId: number;
  /** 0-based position in the selection (unique per run). */
  rank: number;
  label: string;
  /** The sample's ConfounderGroup (confounder-aware runs), else null. */
  groupId: number | null;
  groupKey: string | null;
  reason: string;
}

export interface CommitSelectionInput {
  runId: number;
  items: readonly SelectionItemInput[];
  /** "sha256:<hex>" over the canonical manifest (the engine's). */
  manifestHash: string;
  metrics: Record<string, unknown>;
  warnings: readonly unknown[];
  /** A reproduction: whether its hash equals its parent's; null otherwise. */
  reproducible: boolean | null;
}

export interface CommitSelectionResult {
  runId: number;
  manifestHash: string;
  items: number;
  reproducible: boolean | null;
}

const MANIFEST_HASH = /^sha256:[0-9a-f]{64}$/;

function checkInput(input: CommitSelectionInput): void {
  checkId(input.runId, "runId");
  if (typeof input.manifestHash !== "string" || !MANIFEST_HASH.test(input.manifestHash)) {
    throw new SelectionWriteError("BAD_INPUT", "manifestHash", `manifestHash: expected "sha256:" and 64 hex digits, got ${JSON.stringify(input.manifestHash)}`);
  }
  if (!Array.isArray(input.items)) throw new SelectionWriteError("BAD_INPUT", "items", "items: expected an array");
  input.items.forEach((it, i) => {
    checkId(it.sampleId, `items.${i}.sampleId`);
    if (!Number.isInteger(it.rank) || it.rank < 0) throw new SelectionWriteError("BAD_INPUT", `items.${i}.rank`, `items.${i}.rank: expected an integer ≥ 0, got ${JSON.stringify(it.rank)}`);
    if (typeof it.label !== "string") throw new SelectionWriteError("BAD_INPUT", `items.${i}.label`, `items.${i}.label: expected a string`);
    if (typeof it.reason !== "string") throw new SelectionWriteError("BAD_INPUT", `items.${i}.reason`, `items.${i}.reason: expected a string`);
  });
  if (input.reproducible !== null && typeof input.reproducible !== "boolean") {
    throw new SelectionWriteError("BAD_INPUT", "reproducible", `reproducible: expected true, false or null, got ${JSON.stringify(input.reproducible)}`);
  }
}

/**
 * Replaces the run's items and marks it SUCCEEDED with its hash, metrics and warnings, in one
 * transaction; `inTransaction` runs last inside it (throwing there rolls everything back). Input is
 * checked before anything is written (SelectionWriteError BAD_INPUT naming the field); a run that does
 * not exist is NOT_FOUND.
 */
export async function commitSelection<T = void>(
  store: Pick<Store, "transaction">,
  input: CommitSelectionInput,
  inTransaction?: (sql: SqlClient, result: CommitSelectionResult) => Promise<T>,
): Promise<CommitSelectionResult & { inTransaction: T | undefined }> {
  checkInput(input);
  const { runId, items } = input;
  return store.transaction(async (sql) => {
    // The run row first (the UPDATE takes its row lock, as before): a missing run writes nothing.
    const run = await sql.query<{ id: number }>(
      `UPDATE "SelectionRun" SET status = 'SUCCEEDED', phase = 'done', progress = 1, "manifestHash" = $2, metrics = $3::jsonb,
         warnings = $4::jsonb, reproducible = $5, "completedAt" = ${NOW_UTC}, error = NULL WHERE id = $1 RETURNING id`,
      [runId, input.manifestHash, JSON.stringify(input.metrics), JSON.stringify(input.warnings), input.reproducible],
    );
    if (!run.rows.length) throw new SelectionWriteError("NOT_FOUND", "runId", `selection run ${runId} does not exist`);
    await sql.query(`DELETE FROM "SelectionItem" WHERE "runId" = $1`, [runId]);
    await insertColumns(sql, "SelectionItem", [
      { name: "runId", type: "int", values: new Array(items.length).fill(runId) },
      { name: "sampleId", type: "int", values: items.map((it) => it.sampleId) },
      { name: "rank", type: "int", values: items.map((it) => it.rank) },
      { name: "label", type: "text", values: items.map((it) => it.label) },
      { name: "groupId", type: "int", values: items.map((it) => it.groupId) },
      { name: "groupKey", type: "text", values: items.map((it) => it.groupKey) },
      { name: "reason", type: "text", values: items.map((it) => it.reason) },
    ]);
    const result: CommitSelectionResult = { runId, manifestHash: input.manifestHash, items: items.length, reproducible: input.reproducible };
    const extra = inTransaction ? await inTransaction(sql, result) : undefined;
    return { ...result, inTransaction: extra };
  });
}
