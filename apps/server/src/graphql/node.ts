// The Node interface and `node(id)` / `nodes(ids)`. Every major object implements Node with an opaque
// global ID. A module makes its type reachable through node() by registering a fetcher that returns the
// object only when the caller may see it:
//   registerNode("Project", (ctx, id) => projectService.visible(ctx, id));
import { Arg, Ctx, Field, ID, InterfaceType, Query, Resolver } from "type-graphql";
import { GraphQLError } from "graphql";
import type { Context } from "../context.js";
import { parseGlobalId } from "./ids.js";
import { MAX_PAGE_SIZE } from "./connection.js";

@InterfaceType({ description: "An object with a globally unique, opaque ID." })
export abstract class Node {
  @Field(() => ID, { description: "Opaque global ID; pass it to node(id) or to mutations." })
  id!: string;
}

export type NodeFetcher = (ctx: Context, id: number) => Promise<Node | null>;

const fetchers = new Map<string, NodeFetcher>();

export function registerNode(type: string, fetch: NodeFetcher): void {
  fetchers.set(type, fetch);
}

export async function fetchNode(ctx: Context, globalId: string): Promise<Node | null> {
  const parsed = parseGlobalId(globalId);
  if (!parsed) return null;
  const fetch = fetchers.get(parsed.type);
  return fetch ? fetch(ctx, parsed.id) : null;
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Any object by its global ID; null when it does not exist or you may not see it.",
  })
  node(@Arg("id", () => ID, { description: "A global ID." }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    return fetchNode(ctx, id);
  }

  @Query(() => [Node], {
    nullable: "items",
    description: `Several objects by global ID (at most ${MAX_PAGE_SIZE}), in the same order; null for each one missing or hidden.`,
  })
  nodes(@Arg("ids", () => [ID], { description: "Global IDs." }) ids: string[], @Ctx() ctx: Context): Promise<Array<Node | null>> {
    if (ids.length > MAX_PAGE_SIZE) {
      throw new GraphQLError(`ids: expected at most ${MAX_PAGE_SIZE} IDs, got ${ids.length}`, {
        extensions: { code: "BAD_USER_INPUT", argumentName: "ids" },
      });
    }
    return Promise.all(ids.map((id) => fetchNode(ctx, id)));
  }
}
