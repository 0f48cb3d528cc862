import type { Context } from "../../context.js";
import { auditSql } from "../../audit/audit.js";
import { AppError } from "../../graphql/errors.js";
import { createJob } from "../../jobs/index.js";
import { runtimeOf } from "../../jobs/runtime.js";
import { NOW_UTC } from "@stratum/db";
import { runForChange } from "../run/run.service.js";
import { Job } from "../job/job.type.js";
import { Evaluation } from "./evaluation.type.js";
import type { EvaluationProbeRunInput, EvaluationReportInput } from "./evaluation.input.js";

const MAX_DETAILS_BYTES = 64 * 1024; // 64 KiB

export async function reportEvaluation(ctx: Context, input: EvaluationReportInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; evaluations are for SUCCEEDED runs`, ["runId"]);
  const details = JSON.stringify(input.details ?? {});
  if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) {
    throw new AppError("LIMIT_EXCEEDED", `details: expected at most ${MAX_DETAILS_BYTES} bytes of JSON, got ${Buffer.byteLength(details)}`, ["details"]);
  }
  const id = await ctx.app.store.transaction(async (sql) => {
    const r = await sql.query<{ id: number }>(
      `INSERT INTO "Evaluation" ("runId", metric, value, split, source, details, "reportedById", "createdAt")
       VALUES ($1, $2, $3, $4, 'REPORTED', $5::jsonb, $6, ${NOW_UTC}) RETURNING id`,
      [run.id, input.metric, input.value, input.split ?? "test", details, ctx.viewer!.userId],
    );
    const id = r.rows[0]!.id;
    await auditSql(sql, ctx, "evaluationReport", { type: "Evaluation", id, consortiumId: access.consortiumId }, { runId: run.id, metric: input.metric, value: input.value, split: input.split ?? "test" });
    return id;
  });
  return Evaluation.from(await ctx.prisma.evaluation.findUniqueOrThrow({ where: { id } }));
}

export async function startProbe(ctx: Context, input: EvaluationProbeRunInput) {
  const { run, access } = await runForChange(ctx, input.runId, "CURATOR");
  if (run.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", `the run is ${run.status}; the probe needs a SUCCEEDED run`, ["runId"]);
  const jobId = await ctx.app.store.transaction(async (sql) => {
    const jobId = await createJob(sql, { consortiumId: access.consortiumId, kind: "PROBE", payload: { runId: run.id }, createdById: ctx.viewer!.userId });
    await auditSql(sql, ctx, "evaluationProbeRun", { type: "SelectionRun", id: run.id, consortiumId: access.consortiumId }, { jobId });
    return jobId;
  });
  await runtimeOf(ctx.app).jobs.queue.enqueue(jobId);
  return Job.from(await ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }));
}
