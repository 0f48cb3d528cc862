import { canonicalJson, sampleContentHash, versionContentHash, type SqlClient, type ReviewDecision as DecisionRow, type ReviewRelabel as RelabelRow, type SelectionItem as ItemRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { auditSql } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeCompositeId, decodeId, decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { topics } from "../../events/index.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { NOW_UTC } from "@stratum/db";
import { insertColumns } from "../../jobs/handlers/data.js";
import { runForChange } from "../run/run.service.js";
import { SelectionItem, SelectionRun } from "../run/run.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { ReviewDecision } from "./review.type.js";
import type { ReviewDecideInput, ReviewFinalizeInput } from "./review.input.js";

/** Payload of a stored event on topic run:<id>:review. */
export interface ReviewEvent {
  kind: "DECISION" | "FINALIZED" | "RELABEL";
  runId: number;
  consortiumId: number;
  decision?: Omit<DecisionRow, "createdAt"> & { createdAt: string };
  relabel?: Omit<RelabelRow, "createdAt"> & { createdAt: string };
  reviewerName?: string;
  datasetVersionId?: number;
}

export class ReviewConflict extends AppError {
  constructor(
    message: string,
    readonly item: SelectionItem,
    readonly decision: ReviewDecision,
  ) {
    super("CONFLICT", message, ["expectedVersion"]);
  }
}

function decisionRow(r: Record<string, unknown>): DecisionRow {
  return { ...(r as unknown as DecisionRow), createdAt: new Date(r.createdAt as string) };
}

export async function publish(ctx: Context, event: ReviewEvent): Promise<void> {
  try {
    await runtimeOf(ctx.app).bus.publish(topics.review(event.runId), event);
  } catch (error) {
    console.error(`review: could not publish ${event.kind} for run ${event.runId}: ${(error as Error).message}`);
  }
}

/** The run and sample an input names: runId + sampleId, or itemId (exactly one of sampleId and itemId). */
export function itemOf(input: Pick<ReviewDecideInput, "runId" | "sampleId" | "itemId">): { runId: string; runField: string[]; sampleId: number } {
  const hasSample = input.sampleId != null;
  const hasItem = input.itemId != null;
  if (hasSample === hasItem) {
    throw new AppError("VALIDATION", "name the item by exactly one of sampleId (with runId) and itemId", [hasItem ? "itemId" : "sampleId"]);
  }
  if (hasSample) {
    if (input.runId == null) throw new AppError("VALIDATION", "runId: required with sampleId", ["runId"]);
    return { runId: input.runId, runField: ["runId"], sampleId: decodeId(input.sampleId!, "Sample", ["sampleId"]) };
  }
  const [runId, sampleId] = decodeCompositeId(input.itemId!, "SelectionItem", 2, ["itemId"]) as [number, number];
  if (input.runId != null && decodeIdOrNull(input.runId, "SelectionRun") !== runId) {
    throw new AppError("VALIDATION", "runId: not the run of itemId (leave runId out, or name the item's own run)", ["runId"]);
  }
  return { runId: toGlobalId("SelectionRun", runId), runField: ["itemId"], sampleId };
}

export async function decide(ctx: Context, input: ReviewDecideInput) {
  const named = itemOf(input);
  const { run, access } = await runForChange(ctx, named.runId, "REVIEWER", named.runField);
  const sampleId = named.sampleId;
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run is reviewed`, ["runId"]);
  if (run.reviewFinalizedAt) throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
  if (!["ACCEPT", "REJECT", "FLAG"].includes(input.decision)) {
    throw new AppError("VALIDATION", `decision: expected ACCEPT, REJECT or FLAG, got ${input.decision}`, ["decision"]);
  }
  const viewer = ctx.viewer!;
  const comment = input.comment ?? null;
  const outcome = await ctx.app.store.transaction(async (sql) => {
    // "Finalised?" is read again under a share lock of the run row: finalize() holds it FOR UPDATE, so a
    // decision either commits before the finalisation reads the items or sees reviewFinalizedAt set and
    // writes nothing (the check above alone let a decision land after the new version was cut).
    const locked = await sql.query<{ reviewFinalizedAt: Date | null }>(`SELECT "reviewFinalizedAt" FROM "SelectionRun" WHERE id = $1 FOR SHARE`, [run.id]);
    if (locked.rows[0]?.reviewFinalizedAt) return "FINALIZED" as const;
    const r = await sql.query<ItemRow>(`SELECT * FROM "SelectionItem" WHERE "runId" = $1 AND "sampleId" = $2 FOR UPDATE`, [run.id, sampleId]);
    const item = r.rows[0];
    if (!item) return null;
    const conflict = item.reviewVersion !== input.expectedVersion;
    let current = item;
    if (!conflict) {
      const u = await sql.query<ItemRow>(
        `UPDATE "SelectionItem" SET "reviewDecision" = $3::"ReviewDecisionKind", "reviewComment" = $4, "reviewVersion" = "reviewVersion" + 1
         WHERE "runId" = $1 AND "sampleId" = $2 RETURNING *`,
        [run.id, sampleId, input.decision, comment],
      );
      current = u.rows[0]!;
    }
    // Every decision is kept, the one that lost a conflict too (applied = false).
    const d = await sql.query(
      `INSERT INTO "ReviewDecision" ("runId", "sampleId", "reviewerId", decision, comment, version, applied, "createdAt")
       VALUES ($1, $2, $3, $4::"ReviewDecisionKind", $5, $6, $7, ${NOW_UTC}) RETURNING *`,
      [run.id, sampleId, viewer.userId, input.decision, comment, current.reviewVersion, !conflict],
    );
    const decision = decisionRow(d.rows[0] as Record<string, unknown>);
    await auditSql(sql, ctx, "reviewDecide", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
      sampleId: toGlobalId("Sample", sampleId),
      decision: input.decision,
      expectedVersion: input.expectedVersion,
      applied: !conflict,
      ...(conflict ? { currentVersion: item.reviewVersion } : {}),
    });
    return { conflict, item: current, decision, previous: item };
  });
  if (outcome === "FINALIZED") throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
  if (!outcome) {
    throw new AppError("NOT_FOUND", "this sample is not an item of the run", [input.itemId != null ? "itemId" : "sampleId"]);
  }
  await publish(ctx, {
    kind: "DECISION",
    runId: run.id,
    consortiumId: access.consortiumId,
    decision: { ...outcome.decision, createdAt: outcome.decision.createdAt.toISOString() },
    reviewerName: viewer.name,
  });
  const item = SelectionItem.from(outcome.item);
  const decision = ReviewDecision.from(outcome.decision);
  if (outcome.conflict) {
    const now = outcome.item;
    throw new ReviewConflict(
      `expectedVersion: the item moved on to version ${now.reviewVersion} (${now.reviewDecision ?? "undecided"}) since version ${input.expectedVersion}; your decision was logged but not applied — decide again on version ${now.reviewVersion}`,
      item,
      decision,
    );
  }
  return { item, decision };
}

interface AcceptedRow {
  sampleId: number;
  reviewLabel: string | null;
  contentHash: string;
  externalId: string;
  uri: string | null;
  label: string;
  siteId: number | null;
  siteCode: string | null;
  metadata: unknown;
  sha256: string | null;
}

interface FinalRelabel {
  fromSampleId: number;
  toSampleId: number;
  fromLabel: string;
  toLabel: string;
  relabelId: number | null;
}

/**
 * For each accepted row whose item carries a corrected label: the Sample row with that label (inserted, or
 * the one an earlier correction already made: same externalId and content hash). Rewrites the row's
 * sampleId and contentHash in place so the new version holds the corrected copy.
 */
async function relabelAccepted(sql: SqlClient, datasetId: number, runId: number, rows: AcceptedRow[]): Promise<FinalRelabel[]> {
  const changed = rows.filter((r) => r.reviewLabel !== null && r.reviewLabel !== r.label);
  if (changed.length === 0) return [];
  const logged = await sql.query<{ id: number; sampleId: number }>(
    `SELECT DISTINCT ON ("sampleId") id, "sampleId" FROM "ReviewRelabel" WHERE "runId" = $1 AND applied ORDER BY "sampleId", id DESC`,
    [runId],
  );
  const logOf = new Map(logged.rows.map((r) => [r.sampleId, r.id]));
  const out: FinalRelabel[] = [];
  for (const row of changed) {
    const toLabel = row.reviewLabel!;
    const metadataJson = canonicalJson(row.metadata ?? {});
    const contentHash = sampleContentHash({ externalId: row.externalId, uri: row.uri, label: toLabel, site: row.siteCode, metadataJson, sha256: row.sha256 });
    const ins = await sql.query<{ id: number }>(
      `INSERT INTO "Sample" ("datasetId", "externalId", uri, label, "siteId", metadata, sha256, "contentHash", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, ${NOW_UTC})
       ON CONFLICT ("datasetId", "externalId", "contentHash") DO NOTHING RETURNING id`,
      [datasetId, row.externalId, row.uri, toLabel, row.siteId, metadataJson, row.sha256, contentHash],
    );
    const id =
      ins.rows[0]?.id ??
      (await sql.query<{ id: number }>(`SELECT id FROM "Sample" WHERE "datasetId" = $1 AND "externalId" = $2 AND "contentHash" = $3`, [datasetId, row.externalId, contentHash])).rows[0]!.id;
    out.push({ fromSampleId: row.sampleId, toSampleId: id, fromLabel: row.label, toLabel, relabelId: logOf.get(row.sampleId) ?? null });
    row.sampleId = id;
    row.contentHash = contentHash;
  }
  return out;
}

export async function finalize(ctx: Context, input: ReviewFinalizeInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run can be finalised`, ["runId"]);
  const version = (await ctx.loaders.datasetVersion.load(run.datasetVersionId))!;
  const result = await ctx.app.store.transaction(async (sql) => {
    const locked = await sql.query<{ reviewFinalizedAt: Date | null }>(`SELECT "reviewFinalizedAt" FROM "SelectionRun" WHERE id = $1 FOR UPDATE`, [run.id]);
    if (locked.rows[0]?.reviewFinalizedAt) return "ALREADY" as const;
    const accepted = await sql.query<AcceptedRow>(
      `SELECT i."sampleId", i."reviewLabel", s."contentHash", s."externalId", s.uri, s.label, s."siteId", st.code AS "siteCode", s.metadata, s.sha256
       FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId"
       JOIN "DatasetVersionSample" d ON d."versionId" = $2 AND d."sampleId" = i."sampleId"
       LEFT JOIN "Site" st ON st.id = s."siteId"
       WHERE i."runId" = $1 AND i."reviewDecision" = 'ACCEPT' ORDER BY d.position`,
      [run.id, run.datasetVersionId],
    );
    if (accepted.rows.length === 0) return "EMPTY" as const;
    // Accepted items with a corrected label go into the new version as a corrected copy of the sample
    // (Sample rows are never updated, so the reviewed version keeps what it held).
    const relabels = await relabelAccepted(sql, version.datasetId, run.id, accepted.rows);
    const counts = await sql.query<{ decision: string | null; n: number }>(
      `SELECT "reviewDecision" AS decision, count(*)::int AS n FROM "SelectionItem" WHERE "runId" = $1 GROUP BY 1`,
      [run.id],
    );
    const summary = Object.fromEntries(counts.rows.map((r) => [r.decision ?? "UNDECIDED", r.n]));
    // The dataset row is the version-number lock: an import takes it FOR UPDATE before numbering its
    // version too, so the two never pick the same number (which the unique key turned into a 500).
    await sql.query(`SELECT id FROM "Dataset" WHERE id = $1 FOR UPDATE`, [version.datasetId]);
    const next = await sql.query<{ n: number }>(`SELECT coalesce(max(number), 0)::int + 1 AS n FROM "DatasetVersion" WHERE "datasetId" = $1`, [version.datasetId]);
    const message =
      input.message ||
      `Reviewed selection run ${toGlobalId("SelectionRun", run.id)} (${run.strategy}): ${accepted.rows.length} accepted of ${Object.values(summary).reduce((a, b) => a + b, 0)}` +
        (relabels.length ? `, ${relabels.length} relabelled` : "");
    const v = await sql.query<{ id: number }>(
      `INSERT INTO "DatasetVersion" ("datasetId", number, "parentId", message, "authorId", "contentHash", "sampleCount", "sourceRunId", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${NOW_UTC}) RETURNING id`,
      [version.datasetId, next.rows[0]!.n, run.datasetVersionId, message, ctx.viewer!.userId, versionContentHash(accepted.rows.map((r) => r.contentHash)), accepted.rows.length, run.id],
    );
    const versionId = v.rows[0]!.id;
    if (relabels.length) {
      await insertColumns(sql, "VersionRelabel", [
        { name: "versionId", type: "int", values: relabels.map(() => versionId) },
        { name: "sampleId", type: "int", values: relabels.map((r) => r.toSampleId) },
        { name: "fromSampleId", type: "int", values: relabels.map((r) => r.fromSampleId) },
        { name: "fromLabel", type: "text", values: relabels.map((r) => r.fromLabel) },
        { name: "toLabel", type: "text", values: relabels.map((r) => r.toLabel) },
        { name: "relabelId", type: "int", values: relabels.map((r) => r.relabelId) },
      ]);
    }
    await insertColumns(sql, "DatasetVersionSample", [
      { name: "versionId", type: "int", values: accepted.rows.map(() => versionId) },
      { name: "sampleId", type: "int", values: accepted.rows.map((r) => r.sampleId) },
      { name: "position", type: "int", values: accepted.rows.map((_, i) => i) },
    ]);
    await sql.query(`UPDATE "SelectionRun" SET "reviewFinalizedAt" = ${NOW_UTC} WHERE id = $1`, [run.id]);
    await auditSql(sql, ctx, "reviewFinalize", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
      datasetVersionId: toGlobalId("DatasetVersion", versionId),
      accepted: accepted.rows.length,
      relabelled: relabels.length,
      summary,
    });
    return versionId;
  });
  if (result === "ALREADY") throw new AppError("CONFLICT", "the review of this run was already finalised", ["runId"]);
  if (result === "EMPTY") throw new AppError("INVALID_STATE", "no item of this run is accepted; accept at least one before finalising", ["runId"]);
  await publish(ctx, { kind: "FINALIZED", runId: run.id, consortiumId: access.consortiumId, datasetVersionId: result });
  const [created, updated] = await Promise.all([
    ctx.prisma.datasetVersion.findUniqueOrThrow({ where: { id: result } }),
    ctx.prisma.selectionRun.findUniqueOrThrow({ where: { id: run.id } }),
  ]);
  return { datasetVersion: DatasetVersion.from(created), run: SelectionRun.from(updated) };
}
