// The audit log: who did what, when. Every mutation writes its AuditEvent in the SAME transaction as the
// change, so a rolled-back change leaves no event and a committed change always has one.
//   await ctx.prisma.$transaction(async (tx) => { …change…; await audit(tx, ctx, "projectCreate", { type: "Project", id, consortiumId }, { slug }); });
// For raw-SQL transactions (store.transaction) use auditSql(sql, ctx, …).
import type { Prisma, SqlClient } from "@stratum/db";
import { toGlobalId } from "../graphql/ids.js";

export interface AuditTarget {
  /** GraphQL type name of the changed object, e.g. "Project". */
  type: string;
  /** Its numeric id (stored as the global ID), or null for actions without one object. */
  id?: number | null;
  /** The consortium it belongs to; null for account-level actions (login, consortium-less). */
  consortiumId: number | null;
}

type Tx = Pick<Prisma.TransactionClient, "auditEvent">;

/** Who acted: a request's context, or a job acting for the user who started it. */
export interface AuditActor {
  viewer: { userId: number; token?: { id: number } | null } | null;
  requestId?: string;
  ip?: string;
}

function eventData(ctx: AuditActor, action: string, target: AuditTarget, details: Record<string, unknown>) {
  return {
    consortiumId: target.consortiumId,
    actorId: ctx.viewer?.userId ?? null,
    tokenId: ctx.viewer?.token?.id ?? null,
    action,
    targetType: target.type,
    targetId: target.id == null ? null : toGlobalId(target.type, target.id),
    details: { ...details, ...(ctx.requestId ? { requestId: ctx.requestId } : {}), ...(ctx.ip ? { ip: ctx.ip } : {}) } as Prisma.InputJsonValue,
  };
}

export async function audit(
  tx: Tx,
  ctx: AuditActor,
  action: string,
  target: AuditTarget,
  details: Record<string, unknown> = {},
): Promise<void> {
  await tx.auditEvent.create({ data: eventData(ctx, action, target, details) });
}

export async function auditSql(
  sql: SqlClient,
  ctx: AuditActor,
  action: string,
  target: AuditTarget,
  details: Record<string, unknown> = {},
): Promise<void> {
  const e = eventData(ctx, action, target, details);
  await sql.query(
    `INSERT INTO "AuditEvent" ("consortiumId", "actorId", "tokenId", "action", "targetType", "targetId", "details")
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [e.consortiumId, e.actorId, e.tokenId, e.action, e.targetType, e.targetId, JSON.stringify(e.details)],
  );
}
