import { Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { SelectionRun } from "../run/run.type.js";
import { visibleRun } from "../run/run.service.js";
import { Evaluation } from "./evaluation.type.js";
import { EvaluationProbeRunInput, EvaluationProbeRunPayload, EvaluationReportInput, EvaluationReportPayload } from "./evaluation.input.js";
import { reportEvaluation, startProbe } from "./evaluation.service.js";

registerNode("Evaluation", async (ctx, id) => {
  const row = await ctx.prisma.evaluation.findUnique({ where: { id } });
  return row && (await visibleRun(ctx, row.runId)) ? Evaluation.from(row) : null;
});

@Resolver(() => Evaluation)
export class EvaluationResolver {
  @FieldResolver(() => User, { nullable: true, description: "Who reported it (or started the probe)." })
  reportedBy(@Root() e: Evaluation, @Ctx() ctx: Context) {
    return e.reportedById === null ? null : visibleUser(ctx, e.reportedById);
  }

  @FieldResolver(() => SelectionRun, { nullable: true })
  run(@Root() e: Evaluation, @Ctx() ctx: Context) {
    return visibleRun(ctx, e.runId);
  }

  @Mutation(() => EvaluationReportPayload, { description: "A training pipeline reports a metric for a run (e.g. fine-tune accuracy). CURATOR." })
  @Authorized()
  evaluationReport(@InputArg(() => EvaluationReportInput) input: EvaluationReportInput, @Ctx() ctx: Context) {
    return mutate(EvaluationReportPayload, input, async () => ({ evaluation: await reportEvaluation(ctx, input) }));
  }

  @Mutation(() => EvaluationProbeRunPayload, { description: "Starts the built-in linear probe for a run. CURATOR." })
  @Authorized()
  evaluationProbeRun(@InputArg(() => EvaluationProbeRunInput) input: EvaluationProbeRunInput, @Ctx() ctx: Context) {
    return mutate(EvaluationProbeRunPayload, input, async () => ({ job: await startProbe(ctx, input) }));
  }
}

@Resolver(() => SelectionRun)
export class RunEvaluationsResolver {
  @FieldResolver(() => [Evaluation], { description: "Evaluations of the run, oldest first." })
  async evaluations(@Root() run: SelectionRun, @Ctx() ctx: Context) {
    const rows = await ctx.prisma.evaluation.findMany({ where: { runId: run.dbId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map(Evaluation.from);
  }
}
