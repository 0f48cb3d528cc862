import { Field, InputType, ObjectType } from "type-graphql";
import { IsEmail, MaxLength, MinLength } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { User } from "../user/user.type.js";

@InputType({ description: "Email and password of a local account." })
export class SessionLoginInput {
  @Field(() => String, { description: "The account's email (case-insensitive)." })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => String, { description: "The account's password." })
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}

@ObjectType({ description: "Result of sessionLogin: the signed-in user; the session cookie is set on the response." })
export class SessionLoginPayload extends Payload {
  @Field(() => User, { nullable: true, description: "The signed-in user; null when login failed." })
  user!: User | null;
}

@InputType({ description: "Nothing to give: logs out the current session." })
export class SessionLogoutInput {
  @Field(() => Boolean, { nullable: true, description: "Also end every other session of this user." })
  everywhere?: boolean | null;
}

@ObjectType({ description: "Result of sessionLogout." })
export class SessionLogoutPayload extends Payload {
  @Field(() => Boolean, { description: "True when a session was ended." })
  loggedOut!: boolean;
}
