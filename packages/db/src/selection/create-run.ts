// createSelectionRun: a new SelectionRun with its SELECT Job row and the samples its constraints
// resolved to, in one Prisma interactive transaction. Each row is written once, in its final state:
// the run's id is reserved from its sequence first, so the Job row carries its payload
// ({runId, reproduce}) from its INSERT and the run points at the job from its own.
import type { Prisma } from "../generated/prisma/client.js";
import type { Store } from "../store.js";
import { SelectionWriteError, checkId, checkOptionalId } from "./errors.js";

export type RunSampleRoleInput = "POOL" | "EXCLUDE" | "INCLUDE";

export interface RunConstraintRowInput {
  role: RunSampleRoleInput;
  sampleId: number;
  reason: string;
}

export interface CreateSelectionRunInput {
  /** The consortium the Job row is listed under. */
  consortiumId: number;
  datasetVersionId: number;
  embeddingSetId: number | null;
  analysisId: number | null;
  /** The run this one reproduces (a reproduction), else null. */
  parentId: number | null;
  name: string;
  strategy: string;
  /** The engine's resolved parameters beside strategy, perClass and seed, stored as given. */
  params: Record<string, unknown>;
  /** 0..2^32−1 (the engine's SEED_MAX). */
  seed: number;
  budgetPerClass: number;
  createdById: number | null;
  /**
   * The samples the run's pool, exclusions and must-include subsets resolved to; or "parent" to copy
   * the parent's recorded rows exactly (a reproduction). Default: none.
   */
  constraints?: readonly RunConstraintRowInput[] | "parent";
}

export interface CreatedSelectionRun {
  runId: number;
  jobId: number;
  /** Constraint rows written with the run. */
  constraintRows: number;
}

/** Prisma's transaction client, as handed to the caller's step (its audit row). */
export type WriteTx = Prisma.TransactionClient;

/**
 * Waiting for and holding the transaction. On PGlite every statement of the process queues behind an
 * open transaction (and this one waits behind a job's commit), so Prisma's defaults (2 s / 5 s) are
 * too short under load; these bound a stuck one.
 */
export const WRITE_TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

const SEED_MAX = 0xffffffff;
const ROLES = new Set<string>(["POOL", "EXCLUDE", "INCLUDE"]);

function checkInput(input: CreateSelectionRunInput): void {
  checkId(input.consortiumId, "consortiumId");
  checkId(input.datasetVersionId, "datasetVersionId");
  checkOptionalId(input.embeddingSetId, "embeddingSetId");
  checkOptionalId(input.analysisId, "analysisId");
  checkOptionalId(input.parentId, "parentId");
  checkOptionalId(input.createdById, "createdById");
  if (typeof input.strategy !== "string" || input.strategy === "") throw new SelectionWriteError("BAD_INPUT", "strategy", `strategy: expected a non-empty string, got ${JSON.stringify(input.strategy)}`);
  if (typeof input.name !== "string") throw new SelectionWriteError("BAD_INPUT", "name", "name: expected a string");
  if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > SEED_MAX) {
    throw new SelectionWriteError("BAD_INPUT", "seed", `seed: expected an integer in 0..${SEED_MAX}, got ${JSON.stringify(input.seed)}`);
  }
  if (!Number.isInteger(input.budgetPerClass) || input.budgetPerClass < 1) {
    throw new SelectionWriteError("BAD_INPUT", "budgetPerClass", `budgetPerClass: expected a positive integer, got ${JSON.stringify(input.budgetPerClass)}`);
  }
  if (input.params === null || typeof input.params !== "object" || Array.isArray(input.params)) {
    throw new SelectionWriteError("BAD_INPUT", "params", "params: expected an object");
  }
  if (input.constraints === "parent") {
    if (input.parentId === null) throw new SelectionWriteError("BAD_INPUT", "constraints", 'constraints: "parent" needs parentId');
  } else if (input.constraints !== undefined) {
    if (!Array.isArray(input.constraints)) throw new SelectionWriteError("BAD_INPUT", "constraints", 'constraints: expected an array of rows or "parent"');
    input.constraints.forEach((row, i) => {
      if (!ROLES.has(row.role)) throw new SelectionWriteError("BAD_INPUT", `constraints.${i}.role`, `constraints.${i}.role: expected POOL, EXCLUDE or INCLUDE, got ${JSON.stringify(row.role)}`);
      checkId(row.sampleId, `constraints.${i}.sampleId`);
      if (typeof row.reason !== "string") throw new SelectionWriteError("BAD_INPUT", `constraints.${i}.reason`, `constraints.${i}.reason: expected a string`);
    });
  }
}

/**
 * Writes the run, its QUEUED SELECT Job and its constraint rows, then runs `inTransaction` (the caller's
 * audit row) in the same transaction: a throw anywhere rolls all of it back. The caller hands the job
 * to its queue after this resolves (after commit). Input is checked before anything is written
 * (SelectionWriteError BAD_INPUT naming the field).
 */
export async function createSelectionRun(
  store: Pick<Store, "prisma">,
  input: CreateSelectionRunInput,
  inTransaction?: (tx: WriteTx, created: CreatedSelectionRun) => Promise<void>,
): Promise<CreatedSelectionRun> {
  checkInput(input);
  return store.prisma.$transaction(async (tx) => {
    // Prisma has no "reserve an id" call: one nextval, so the Job's INSERT can carry the run's id.
    const reserved = await tx.$queryRaw<{ id: number }[]>`SELECT nextval(pg_get_serial_sequence('"SelectionRun"', 'id'))::int AS id`;
    const runId = reserved[0]!.id;
    const job = await tx.job.create({
      data: { consortiumId: input.consortiumId, kind: "SELECT", payload: { runId, reproduce: input.parentId !== null }, createdById: input.createdById, total: 0 },
      select: { id: true },
    });
    await tx.selectionRun.create({
      data: {
        id: runId,
        datasetVersionId: input.datasetVersionId,
        embeddingSetId: input.embeddingSetId,
        analysisId: input.analysisId,
        parentId: input.parentId,
        name: input.name,
        strategy: input.strategy,
        params: input.params as Prisma.InputJsonObject,
        seed: BigInt(input.seed),
        budgetPerClass: input.budgetPerClass,
        createdById: input.createdById,
        jobId: job.id,
      },
      select: { id: true },
    });
    let constraintRows = 0;
    if (input.constraints === "parent") {
      // One statement, inside the database: a reproduction uses exactly its parent's recorded samples.
      constraintRows = await tx.$executeRaw`INSERT INTO "SelectionRunSample" ("runId", role, "sampleId", reason)
        SELECT ${runId}, role, "sampleId", reason FROM "SelectionRunSample" WHERE "runId" = ${input.parentId}`;
    } else if (input.constraints?.length) {
      // A pool subset can be a whole version: bulk rows by unnest(), not createMany (the same figure as
      // commitSelection's items: 20,000 rows 1.6 s against 12-22 s on PGlite, scripts/bench-item-insert.mjs).
      const rows = input.constraints;
      constraintRows = await tx.$executeRawUnsafe(
        `INSERT INTO "SelectionRunSample" ("runId", role, "sampleId", reason)
         SELECT $1, u.role::"RunSampleRole", u."sampleId", u.reason FROM unnest($2::text[], $3::int[], $4::text[]) AS u(role, "sampleId", reason)`,
        runId,
        rows.map((r) => r.role),
        rows.map((r) => r.sampleId),
        rows.map((r) => r.reason),
      );
    }
    const created = { runId, jobId: job.id, constraintRows };
    await inTransaction?.(tx, created);
    return created;
  }, WRITE_TX_OPTIONS);
}
