import type { Context } from "../../context.js";
import type { Prisma, Role } from "@stratum/db";
import { AppError } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { Membership } from "./membership.type.js";
import type { MembershipRemoveInput, MembershipUpdateInput } from "./membership.input.js";

export async function visibleMembership(ctx: Context, id: number): Promise<Membership | null> {
  const row = await ctx.loaders.membershipById.load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return Membership.from(row);
}

export async function siteInConsortium(ctx: Context, siteGid: string, consortiumId: number): Promise<number> {
  const siteId = decodeId(siteGid, "Site", ["siteId"]);
  const site = await ctx.loaders.site.load(siteId);
  if (!site || site.consortiumId !== consortiumId) {
    throw new AppError("NOT_FOUND", "expected a site of this consortium", ["siteId"]);
  }
  return siteId;
}

/**
 * Locks the consortium's OWNER memberships (FOR UPDATE, in id order) and returns their ids. Every change
 * to a membership takes these locks first, so two owners demoting each other at once are serialised: the
 * second sees the first's change and is refused instead of leaving the consortium with none. Under the
 * lock the caller must still be an OWNER (one just demoted cannot finish a change it started before).
 */
async function lockOwners(tx: Prisma.TransactionClient, consortiumId: number, callerMembershipId: number): Promise<number[]> {
  const rows = await tx.$queryRaw<Array<{ id: number }>>`
    SELECT id FROM "Membership" WHERE "consortiumId" = ${consortiumId} AND role = 'OWNER' ORDER BY id FOR UPDATE`;
  const owners = rows.map((r) => Number(r.id));
  if (!owners.includes(callerMembershipId)) {
    throw new AppError("FORBIDDEN", "you are no longer an OWNER of this consortium", null);
  }
  return owners;
}

const LAST_OWNER = "a consortium needs at least one OWNER; promote someone else first";

export async function updateMember(ctx: Context, input: MembershipUpdateInput): Promise<Membership> {
  const id = decodeId(input.membershipId, "Membership", ["membershipId"]);
  const row = await ctx.loaders.membershipById.load(id);
  const access = await requireRole(ctx, row?.consortiumId, "OWNER", ["membershipId"], "membership");
  const consortiumId = row!.consortiumId;
  const data: { role?: Role; siteId?: number | null } = {};
  if (input.role != null) data.role = input.role;
  if (input.siteId !== undefined) {
    data.siteId = input.siteId === null ? null : await siteInConsortium(ctx, input.siteId, consortiumId);
  }
  const membership = await ctx.prisma.$transaction(async (tx) => {
    const owners = await lockOwners(tx, consortiumId, access.membershipId);
    // Decided on the locked rows, not on the role read before the transaction.
    if (data.role !== undefined && data.role !== "OWNER" && owners.includes(id) && owners.length === 1) {
      throw new AppError("CONFLICT", LAST_OWNER, ["role"]);
    }
    if (!(await tx.membership.findUnique({ where: { id }, select: { id: true } }))) {
      throw new AppError("NOT_FOUND", "this membership was just removed", ["membershipId"]);
    }
    const updated = await tx.membership.update({ where: { id }, data });
    await audit(tx, ctx, "membershipUpdate", { type: "Membership", id, consortiumId }, {
      role: data.role,
      siteId: data.siteId === undefined ? undefined : data.siteId && toGlobalId("Site", data.siteId),
    });
    return Membership.from(updated);
  });
  ctx.app.authCache.forgetUser(row!.userId);
  return membership;
}

export async function removeMember(ctx: Context, input: MembershipRemoveInput): Promise<string> {
  const id = decodeId(input.membershipId, "Membership", ["membershipId"]);
  const row = await ctx.loaders.membershipById.load(id);
  const access = await requireRole(ctx, row?.consortiumId, "OWNER", ["membershipId"], "membership");
  const { consortiumId, userId } = row!;
  await ctx.prisma.$transaction(async (tx) => {
    const owners = await lockOwners(tx, consortiumId, access.membershipId);
    if (owners.includes(id) && owners.length === 1) throw new AppError("CONFLICT", LAST_OWNER, ["membershipId"]);
    const gone = await tx.membership.deleteMany({ where: { id } });
    if (gone.count !== 1) throw new AppError("NOT_FOUND", "this membership was just removed", ["membershipId"]);
    const revoked = await tx.apiToken.updateMany({
      where: { userId, consortiumId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await audit(tx, ctx, "membershipRemove", { type: "Membership", id, consortiumId }, {
      userId: toGlobalId("User", userId),
      tokensRevoked: revoked.count,
    });
  });
  ctx.app.authCache.forgetUser(userId);
  return toGlobalId("Membership", id);
}
