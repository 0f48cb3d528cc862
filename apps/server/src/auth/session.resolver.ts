import { Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { InputArg, mutate } from "../graphql/mutation.js";
import { SessionLoginInput, SessionLoginPayload, SessionLogoutInput, SessionLogoutPayload } from "./session.input.js";
import { login, logout } from "./session.service.js";

@Resolver()
export class SessionResolver {
  @Mutation(() => SessionLoginPayload, {
    description:
      "Signs in with email and password and sets an HTTP-only session cookie. After 5 failed attempts per email and address within a minute, answers RATE_LIMITED.",
  })
  sessionLogin(@InputArg(() => SessionLoginInput) input: SessionLoginInput, @Ctx() ctx: Context) {
    return mutate(SessionLoginPayload, input, async () => ({ user: await login(ctx, input.email, input.password) }));
  }

  @Mutation(() => SessionLogoutPayload, { description: "Ends the current session and clears the cookie." })
  sessionLogout(
    @InputArg(() => SessionLogoutInput, { nullable: true }) input: SessionLogoutInput | undefined,
    @Ctx() ctx: Context,
  ) {
    return mutate(SessionLogoutPayload, input, async () => ({
      loggedOut: await logout(ctx, input?.everywhere ?? false),
    }));
  }
}
