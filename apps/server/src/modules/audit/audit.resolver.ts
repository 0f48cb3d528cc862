import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { AuditEvent as Row } from "@stratum/db";
import type { Context } from "../../context.js";
import { ConnectionArgs, Connection, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { Node, registerNode } from "../../graphql/node.js";
import { fromRow } from "../../graphql/build.js";
import { canRead } from "../../auth/access.js";
import { User } from "../user/user.type.js";

@ObjectType({ implements: Node, description: "One mutation in the audit log: who did what, when." })
export class AuditEvent extends Node {
  @Field(() => String, { description: 'The mutation, e.g. "projectCreate".' })
  action!: string;

  @Field(() => String, { description: "Type of the changed object." })
  targetType!: string;

  @Field(() => ID, { nullable: true, description: "Global ID of the changed object." })
  targetId!: string | null;

  @Field(() => GraphQLJSONObject, { description: "What changed (action-specific)." })
  details!: Record<string, unknown>;

  @Field(() => Date, { description: "When." })
  createdAt!: Date;

  dbId!: number;
  actorId!: number | null;
  tokenId!: number | null;
  consortiumId!: number | null;

  static from(row: Row): AuditEvent {
    return fromRow(AuditEvent, "AuditEvent", row as Row & { details: Record<string, unknown> });
  }
}

@ObjectType({ description: "A page of audit events." })
export class AuditEventConnection extends Connection(AuditEvent) {}

async function visibleAuditEvent(ctx: Context, id: number): Promise<AuditEvent | null> {
  const row = await ctx.prisma.auditEvent.findUnique({ where: { id } });
  if (!row || !(await canRead(ctx, row.consortiumId, "CURATOR"))) return null;
  return AuditEvent.from(row);
}
registerNode("AuditEvent", visibleAuditEvent);

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection, {
    nullable: true,
    description: "A consortium's audit log, newest first. OWNER or CURATOR; null for anyone else.",
  })
  @Authorized()
  async auditEvents(
    @Arg("consortiumId", () => ID, { description: "Global ID of the Consortium." }) consortiumId: string,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("action", () => String, { nullable: true, description: "Only this mutation." }) action: string | null,
    @Ctx() ctx: Context,
  ) {
    const id = decodeIdOrNull(consortiumId, "Consortium");
    if (id === null || !(await canRead(ctx, id, "CURATOR"))) return null;
    return paginate({
      args,
      where: { consortiumId: id, ...(action ? { action } : {}) },
      order: [["id", "desc"]],
      findMany: (q) => ctx.prisma.auditEvent.findMany(q),
      count: (w) => ctx.prisma.auditEvent.count({ where: w }),
      map: AuditEvent.from,
    });
  }

  @FieldResolver(() => User, { nullable: true, description: "Who did it (null for deleted users)." })
  async actor(@Root() event: AuditEvent, @Ctx() ctx: Context) {
    if (event.actorId === null) return null;
    const row = await ctx.loaders.user.load(event.actorId);
    return row ? User.from(row) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Prefix of the API token used, if any." })
  async tokenPrefix(@Root() event: AuditEvent, @Ctx() ctx: Context) {
    if (event.tokenId === null) return null;
    return (await ctx.loaders.apiToken.load(event.tokenId))?.prefix ?? null;
  }
}
