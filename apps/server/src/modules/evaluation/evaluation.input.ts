import { Field, Float, ID, InputType, ObjectType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import { IsNumber, IsOptional, Length, Matches } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "../job/job.type.js";
import { Evaluation } from "./evaluation.type.js";

@InputType({ description: "A metric a training pipeline measured for a run (CURATOR; API tokens welcome)." })
export class EvaluationReportInput {
  @Field(() => ID)
  runId!: string;

  @Field(() => String, { description: 'Metric name: letters, digits, "." "_" "-" (e.g. "finetune.accuracy").' })
  @Length(1, 100)
  @Matches(/^[A-Za-z][A-Za-z0-9._-]*$/, { message: 'expected letters, digits, ".", "_" or "-", starting with a letter' })
  metric!: string;

  @Field(() => Float, { description: "A finite number." })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @Field(() => String, { nullable: true, description: 'Default "test".' })
  @IsOptional()
  @Length(1, 50)
  split?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Free-form details (at most 64 KiB as JSON)." })
  @IsOptional()
  details?: Record<string, unknown> | null;
}

@ObjectType({ description: "Result of evaluationReport." })
export class EvaluationReportPayload extends Payload {
  @Field(() => Evaluation, { nullable: true })
  evaluation!: Evaluation | null;
}

@InputType({ description: "Run the built-in linear probe on a SUCCEEDED run (CURATOR)." })
export class EvaluationProbeRunInput {
  @Field(() => ID)
  runId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "A dataset version of the same consortium to test on (held-out data, e.g. a consortium's test set), with a COMPLETE embedding set of the run's embedding model. Without it, the probe tests on the rest of the run's pool (split \"pool-holdout\").",
  })
  @IsOptional()
  testVersionId?: string | null;
}

@ObjectType({ description: "Result of evaluationProbeRun." })
export class EvaluationProbeRunPayload extends Payload {
  @Field(() => Job, { nullable: true, description: "The PROBE job; its evaluations appear on the run when it succeeds." })
  job!: Job | null;
}
