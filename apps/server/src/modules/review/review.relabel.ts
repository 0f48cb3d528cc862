// Relabel in review and the review queue ordered by data-quality scores (issue 14).
// A correction is the item's current state (SelectionItem.reviewLabel) plus an append-only log row
// (ReviewRelabel), under the same optimistic concurrency and finalisation lock as reviewDecide; finalize
// (review.service.ts) writes the corrected labels into the new version.
import DataLoader from "dataloader";
import { GraphQLError } from "graphql";
import { relabelReviewItem, type SelectionItem as ItemRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { audit } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { decodeCursor, encodeCursor, pageSize, type ConnectionArgs, type ConnectionShape } from "../../graphql/connection.js";
import { toGlobalId } from "../../graphql/ids.js";
import { runForChange } from "../run/run.service.js";
import { SelectionItem } from "../run/run.type.js";
import { itemOf, publish, reviewWriteError } from "./review.service.js";
import { ReviewItemQuality, ReviewQueueOrder, ReviewQueueOrderOption, ReviewRelabel } from "./review.type.js";
import { LABEL_MAX, type ReviewRelabelInput } from "./review.input.js";

export class RelabelConflict extends AppError {
  constructor(
    message: string,
    readonly item: SelectionItem,
    readonly relabel: ReviewRelabel,
  ) {
    super("CONFLICT", message, ["expectedVersion"]);
  }
}

/** The newest SUCCEEDED data-quality report of a version, batched per request. */
export function latestReportOf(ctx: Context, versionId: number): Promise<number | null> {
  const loader = ctx.loader("latestQualityReportOfVersion", () =>
    new DataLoader<number, number | null>(async (ids) => {
      // Prisma's distinct is applied to the ordered rows: the first per version is its newest.
      const r = await ctx.prisma.dataQualityReport.findMany({
        where: { datasetVersionId: { in: [...ids] }, status: "SUCCEEDED" },
        orderBy: [{ datasetVersionId: "asc" }, { createdAt: "desc" }, { id: "desc" }],
        distinct: ["datasetVersionId"],
        select: { datasetVersionId: true, id: true },
      });
      const by = new Map(r.map((row) => [row.datasetVersionId, row.id]));
      return ids.map((id) => by.get(id) ?? null);
    }),
  );
  return loader.load(versionId);
}

type QualityRow = Omit<ReviewItemQuality, "reportId"> & { reportId: number; sampleId: number };

/** One sample's row in a report, batched per request (the queue asks for a page of items at once). */
export async function itemQuality(ctx: Context, reportId: number, sampleId: number): Promise<ReviewItemQuality | null> {
  const loader = ctx.loader("reviewItemQuality", () =>
    new DataLoader<string, QualityRow | null>(async (keys) => {
      const pairs = keys.map((k) => k.split(":").map(Number) as [number, number]);
      const r: QualityRow[] = await ctx.prisma.dataQualitySample.findMany({
        where: { OR: pairs.map(([reportId, sampleId]) => ({ reportId, sampleId })) },
        select: { reportId: true, sampleId: true, labelErrorScore: true, suggestedLabel: true, labelIssue: true, outlierScore: true, outlierRatio: true, outlierRank: true },
      });
      const by = new Map(r.map((row) => [`${row.reportId}:${row.sampleId}`, row]));
      return keys.map((k) => by.get(k) ?? null);
    }),
  );
  const row = await loader.load(`${reportId}:${sampleId}`);
  return row ? Object.assign(new ReviewItemQuality(), { ...row, reportId: toGlobalId("DataQualityReport", row.reportId) }) : null;
}

/** Does any sample of the version carry this label? (The version is immutable, so this is read once, outside the transaction.) */
async function versionHasLabel(ctx: Context, versionId: number, label: string): Promise<boolean> {
  const hit = await ctx.prisma.datasetVersionSample.findFirst({ where: { versionId, sample: { label } }, select: { sampleId: true } });
  return hit !== null;
}

async function versionLabels(ctx: Context, versionId: number): Promise<string[]> {
  // groupBy, not findMany's distinct (which Prisma applies in memory): as fast as the raw DISTINCT at 20,000 samples (bench-server-reads.mjs).
  const r = await ctx.prisma.sample.groupBy({ by: ["label"], where: { versions: { some: { versionId } } }, orderBy: { label: "asc" }, take: 21 });
  return r.map((row) => row.label);
}

export async function relabel(ctx: Context, input: ReviewRelabelInput) {
  const named = itemOf(input);
  const { run, access } = await runForChange(ctx, named.runId, "REVIEWER", named.runField);
  const sampleId = named.sampleId;
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; only a SUCCEEDED run is reviewed`, ["runId"]);
  if (run.reviewFinalizedAt) throw new AppError("INVALID_STATE", "the review of this run was finalised; it is read-only now", ["runId"]);
  const itemField = [input.itemId != null ? "itemId" : "sampleId"];
  const sample = await ctx.loaders.sample.load(sampleId);
  const inRun = sample ? await ctx.prisma.selectionItem.findUnique({ where: { runId_sampleId: { runId: run.id, sampleId } }, select: { sampleId: true } }) : null;
  if (!sample || !inRun) throw new AppError("NOT_FOUND", "this sample is not an item of the run", itemField);

  const raw = input.label == null ? null : input.label.trim();
  if (raw !== null) {
    if (raw === "") throw new AppError("VALIDATION", "label: empty; give the corrected label, or null to withdraw the correction", ["label"]);
    if (raw.length > LABEL_MAX) throw new AppError("VALIDATION", `label: at most ${LABEL_MAX} characters`, ["label"]);
    if (raw.includes("\u0000")) throw new AppError("VALIDATION", "label: NUL characters (U+0000) are not allowed", ["label"]);
  }
  // The sample's own label is no correction: it withdraws one.
  const label = raw === null || raw === sample.label ? null : raw;
  let newLabel = false;
  if (label !== null && !(await versionHasLabel(ctx, run.datasetVersionId, label))) {
    if (input.allowNewLabel !== true) {
      const known = await versionLabels(ctx, run.datasetVersionId);
      throw new AppError(
        "VALIDATION",
        `label: "${label}" is not a label of this version (it has ${known.slice(0, 20).map((l) => `"${l}"`).join(", ")}${known.length > 20 ? ", …" : ""}); pass allowNewLabel: true to introduce a new label`,
        ["label"],
      );
    }
    newLabel = true;
  }
  const reportId = await latestReportOf(ctx, run.datasetVersionId);
  const quality = reportId === null ? null : await itemQuality(ctx, reportId, sampleId);
  const suggested = label !== null && quality?.suggestedLabel === label;

  const viewer = ctx.viewer!;
  const comment = input.comment ?? null;
  // As decide(): @stratum/db re-reads "finalised?" under a share lock of the run row, which finalize()
  // holds FOR UPDATE, so a correction either commits before the new version reads the items or writes
  // nothing; the audit row joins its transaction.
  const outcome = await relabelReviewItem(
    ctx.app.store,
    { runId: run.id, sampleId, reviewerId: viewer.userId, label, newLabel, suggested, comment, expectedVersion: input.expectedVersion },
    (tx, { conflict, previous }) =>
      audit(tx, ctx, "reviewRelabel", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, {
        sampleId: toGlobalId("Sample", sampleId),
        label,
        previous: previous.reviewLabel,
        newLabel,
        expectedVersion: input.expectedVersion,
        applied: !conflict,
        ...(conflict ? { currentVersion: previous.reviewVersion } : {}),
      }),
  ).catch((error: unknown) => reviewWriteError(error, itemField));
  await publish(ctx, {
    kind: "RELABEL",
    runId: run.id,
    consortiumId: access.consortiumId,
    relabel: { ...outcome.logged, createdAt: outcome.logged.createdAt.toISOString() },
    reviewerName: viewer.name,
  });
  const item = SelectionItem.from(outcome.item);
  const logged = ReviewRelabel.from(outcome.logged);
  if (outcome.conflict) {
    const now = outcome.item;
    throw new RelabelConflict(
      `expectedVersion: the item moved on to version ${now.reviewVersion} since version ${input.expectedVersion}; your correction was logged but not applied — relabel again on version ${now.reviewVersion}`,
      item,
      logged,
    );
  }
  return { item, relabel: logged };
}

// ─── The queue ──────────────────────────────────────────────────────────────

function queryError(code: string, argumentName: string, message: string): GraphQLError {
  return new GraphQLError(`${argumentName}: ${message}`, { extensions: { code, argumentName } });
}

// A null ratio with a score means a class median of 0 (ratio ∞): most outlying; no score at all (a class of one, or
// no row in the report) sorts last.
const OUTLIER_SCORE = `CASE WHEN q."outlierRatio" IS NOT NULL THEN q."outlierRatio" WHEN q."outlierScore" IS NOT NULL THEN 1e300 ELSE -1 END`;

const NO_REPORT = "the run's version has no finished data-quality report; run a data-quality pass on it first (version page → Data quality)";

/** The orders of a run's queue, each with whether it can be used now (the web disables the others, with the reason). */
export async function queueOrders(ctx: Context, versionId: number): Promise<ReviewQueueOrderOption[]> {
  const reportId = await latestReportOf(ctx, versionId);
  return Object.values(ReviewQueueOrder).map((order) =>
    Object.assign(new ReviewQueueOrderOption(), {
      order,
      available: order === ReviewQueueOrder.RANK || reportId !== null,
      reason: order === ReviewQueueOrder.RANK || reportId !== null ? null : NO_REPORT,
    }),
  );
}

/**
 * A page of the run's items in the chosen order. Scores come from the version's latest SUCCEEDED report;
 * ties (and items the report does not cover, last) go by rank. Keyset cursor over (score, rank): scores
 * are ≥ 0, so a missing one sorts as −1.
 */
export async function reviewQueue(
  ctx: Context,
  run: { dbId: number; datasetVersionId: number },
  order: ReviewQueueOrder,
  args: ConnectionArgs,
): Promise<ConnectionShape<SelectionItem>> {
  const first = pageSize(args);
  let reportId: number | null = null;
  if (order !== ReviewQueueOrder.RANK) {
    reportId = await latestReportOf(ctx, run.datasetVersionId);
    if (reportId === null) throw queryError("INVALID_STATE", "order", NO_REPORT);
  }
  const score = order === ReviewQueueOrder.LABEL_ERROR ? `coalesce(q."labelErrorScore", -1)` : order === ReviewQueueOrder.OUTLIER ? OUTLIER_SCORE : `0::float8`;
  const params: unknown[] = [run.dbId, reportId ?? 0, first + 1];
  let where = "";
  if (args.after) {
    const [s, rank] = decodeCursor(args.after, 2) as [number, number];
    if (typeof s !== "number" || typeof rank !== "number") throw queryError("BAD_USER_INPUT", "after", "not a cursor of this queue");
    params.push(s, rank);
    where = `AND (${score} < $4 OR (${score} = $4 AND i.rank > $5))`;
  }
  // Raw: a keyset over a score computed from a LEFT JOIN (CASE over two columns), which Prisma's
  // orderBy and cursor cannot express.
  const r = await ctx.app.store.sql.query<ItemRow & { score: number }>(
    `SELECT i.*, ${score} AS score FROM "SelectionItem" i
     LEFT JOIN "DataQualitySample" q ON q."reportId" = $2 AND q."sampleId" = i."sampleId"
     WHERE i."runId" = $1 ${where}
     ORDER BY score DESC, i.rank ASC LIMIT $3`,
    params,
  );
  const rows = r.rows.slice(0, first);
  const edges = rows.map(({ score: s, ...row }) => ({ cursor: encodeCursor([s, row.rank]), node: SelectionItem.from(row as ItemRow) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: r.rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    // counted only when asked for (a thenable, as paginate() does: TypeGraphQL hands the property on as is)
    totalCount: { then: (ok: (n: number) => unknown, fail: (e: unknown) => unknown) => ctx.prisma.selectionItem.count({ where: { runId: run.dbId } }).then(ok, fail) } as unknown as number,
  };
}
