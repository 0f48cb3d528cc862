import { Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { User } from "./user.type.js";
import { UserPasswordChangeInput, UserPasswordChangePayload } from "./user.input.js";
import { changePassword, visibleUser } from "./user.service.js";

registerNode("User", visibleUser);

@Resolver(() => User)
export class UserResolver {
  @Mutation(() => UserPasswordChangePayload, {
    description: "Changes your password (people only; failures count toward the login rate limit). Ends your other sessions.",
  })
  @Authorized()
  userPasswordChange(@InputArg(() => UserPasswordChangeInput) input: UserPasswordChangeInput, @Ctx() ctx: Context) {
    return mutate(UserPasswordChangePayload, input, async () => ({
      user: await changePassword(ctx, input.currentPassword, input.newPassword),
    }));
  }
}
