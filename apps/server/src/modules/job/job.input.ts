import { Field, ID, InputType, ObjectType } from "type-graphql";
import { Payload } from "../../graphql/mutation.js";
import { Job } from "./job.type.js";

@InputType({ description: "Names a job (CURATOR)." })
export class JobCancelInput {
  @Field(() => ID)
  jobId!: string;
}

@ObjectType({ description: "Result of jobCancel." })
export class JobCancelPayload extends Payload {
  @Field(() => Job, { nullable: true, description: "The job, with cancelRequested set; its final jobProgress event says CANCELLED." })
  job!: Job | null;
}
