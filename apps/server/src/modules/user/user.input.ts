import { Field, InputType, ObjectType } from "type-graphql";
import { MaxLength, MinLength } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { User } from "./user.type.js";

@InputType({ description: "Changes your password (people only). Your other sessions end." })
export class UserPasswordChangeInput {
  @Field(() => String, { description: "Your current password." })
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;

  @Field(() => String, { description: "The new password, at least 8 characters." })
  @MinLength(8)
  @MaxLength(1024)
  newPassword!: string;
}

@ObjectType({ description: "Result of userPasswordChange." })
export class UserPasswordChangePayload extends Payload {
  @Field(() => User, { nullable: true, description: "Your account." })
  user!: User | null;
}
