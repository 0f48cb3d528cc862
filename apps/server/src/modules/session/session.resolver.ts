import { Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { SessionLoginInput, SessionLoginPayload, SessionLogoutInput, SessionLogoutPayload } from "./session.input.js";
import { login, logout } from "./session.service.js";

@Resolver()
export class SessionResolver {
  @Mutation(() => SessionLoginPayload, {
    description:
      "Signs in with email and password and sets an HTTP-only session cookie. RATE_LIMITED (the password is not checked) past 5 attempts per email and address or 30 per address a minute, or while the account's backoff after 5 consecutive failures runs (1 s doubling, at most 15 min; not for an address that signed in to the account before).",
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
