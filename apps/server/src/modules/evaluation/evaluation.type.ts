import { Field, Float, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { Evaluation as Row } from "@stratum/db";
import { Node } from "../../graphql/node.js";
import { fromRow } from "../../graphql/build.js";
import { EvaluationSource } from "../job/job.enums.js";

@ObjectType({ implements: Node, description: "A metric of a run: reported by a training pipeline or computed here (linear probe)." })
export class Evaluation extends Node {
  @Field(() => String, { description: 'e.g. "finetune.accuracy", "probe.worstGroupAccuracy".' })
  metric!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { description: 'Which data it was measured on, e.g. "test".' })
  split!: string;

  @Field(() => EvaluationSource)
  source!: EvaluationSource;

  @Field(() => GraphQLJSON, { description: "Anything else the reporter sent (model, epochs, per-group figures…)." })
  details!: unknown;

  @Field(() => Date)
  createdAt!: Date;

  dbId!: number;
  runId!: number;
  reportedById!: number | null;

  static from(row: Row): Evaluation {
    return fromRow(Evaluation, "Evaluation", row);
  }
}
