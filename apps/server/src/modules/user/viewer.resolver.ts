import { Ctx, Field, ObjectType, Query, Resolver, registerEnumType } from "type-graphql";
import type { Context } from "../../context.js";
import { User } from "./user.type.js";

export enum AuthMethod {
  SESSION = "SESSION",
  API_TOKEN = "API_TOKEN",
}
registerEnumType(AuthMethod, { name: "AuthMethod", description: "How the caller authenticated." });

@ObjectType({ description: "The signed-in caller: their account and how they authenticated." })
export class Viewer {
  @Field(() => User, { description: "The caller's account." })
  user!: User;

  @Field(() => AuthMethod, { description: "Session cookie (people) or API token (machines)." })
  authenticatedWith!: AuthMethod;
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer, { nullable: true, description: "The signed-in caller, or null when not signed in." })
  async viewer(@Ctx() ctx: Context): Promise<Viewer | null> {
    if (!ctx.viewer) return null;
    const row = await ctx.loaders.user.load(ctx.viewer.userId);
    if (!row) return null;
    return Object.assign(new Viewer(), {
      user: User.from(row),
      authenticatedWith: ctx.viewer.token ? AuthMethod.API_TOKEN : AuthMethod.SESSION,
    });
  }

  @Query(() => User, {
    nullable: true,
    description: "The signed-in user.",
    deprecationReason: "Use viewer.user, which also says how you authenticated.",
  })
  async me(@Ctx() ctx: Context): Promise<User | null> {
    if (!ctx.viewer) return null;
    const row = await ctx.loaders.user.load(ctx.viewer.userId);
    return row ? User.from(row) : null;
  }
}
