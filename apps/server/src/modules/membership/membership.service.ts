import type { Context } from "../../context.js";
import type { Prisma, Role } from "@stratum/db";
import { AppError } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { randomPassword } from "../../auth/password.js";
import { createUser, normalizeEmail } from "../user/user.service.js";
import { User } from "../user/user.type.js";
import { Membership } from "./membership.type.js";
import type { MembershipInviteInput, MembershipRemoveInput, MembershipUpdateInput } from "./membership.input.js";

export async function visibleMembership(ctx: Context, id: number): Promise<Membership | null> {
  const row = await ctx.loaders.membershipById.load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return Membership.from(row);
}

async function siteInConsortium(ctx: Context, siteGid: string, consortiumId: number): Promise<number> {
  const siteId = decodeId(siteGid, "Site", ["siteId"]);
  const site = await ctx.loaders.site.load(siteId);
  if (!site || site.consortiumId !== consortiumId) {
    throw new AppError("NOT_FOUND", "expected a site of this consortium", ["siteId"]);
  }
  return siteId;
}

async function ownerCount(tx: Prisma.TransactionClient, consortiumId: number): Promise<number> {
  return tx.membership.count({ where: { consortiumId, role: "OWNER" } });
}

export async function inviteMember(ctx: Context, input: MembershipInviteInput) {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, consortiumId, "OWNER", ["consortiumId"], "consortium");
  const siteId = input.siteId ? await siteInConsortium(ctx, input.siteId, consortiumId) : null;
  const email = normalizeEmail(input.email);
  const result = await ctx.prisma.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email } });
    let temporaryPassword: string | null = null;
    if (user) {
      const existing = await tx.membership.findUnique({ where: { userId_consortiumId: { userId: user.id, consortiumId } } });
      if (existing) throw new AppError("CONFLICT", `${email} is already a member`, ["email"]);
    } else {
      if (!input.password) temporaryPassword = randomPassword();
      user = await createUser(tx, {
        email,
        name: input.name ?? email.split("@")[0]!,
        password: input.password ?? temporaryPassword,
      });
    }
    const membership = await tx.membership.create({
      data: { userId: user.id, consortiumId, role: input.role, siteId },
    });
    await audit(tx, ctx, "membershipInvite", { type: "Membership", id: membership.id, consortiumId }, {
      email,
      role: input.role,
      siteId: siteId && toGlobalId("Site", siteId),
      newAccount: temporaryPassword !== null || !!input.password,
    });
    return { membership: Membership.from(membership), user: User.from(user), temporaryPassword, userId: user.id };
  });
  ctx.app.authCache.forgetUser(result.userId);
  return { membership: result.membership, user: result.user, temporaryPassword: result.temporaryPassword };
}

export async function updateMember(ctx: Context, input: MembershipUpdateInput): Promise<Membership> {
  const id = decodeId(input.membershipId, "Membership", ["membershipId"]);
  const row = await ctx.loaders.membershipById.load(id);
  await requireRole(ctx, row?.consortiumId, "OWNER", ["membershipId"], "membership");
  const consortiumId = row!.consortiumId;
  const data: { role?: Role; siteId?: number | null } = {};
  if (input.role != null) data.role = input.role;
  if (input.siteId !== undefined) {
    data.siteId = input.siteId === null ? null : await siteInConsortium(ctx, input.siteId, consortiumId);
  }
  const membership = await ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.membership.update({ where: { id }, data });
    if (row!.role === "OWNER" && updated.role !== "OWNER" && (await ownerCount(tx, consortiumId)) === 0) {
      throw new AppError("CONFLICT", "a consortium needs at least one OWNER; promote someone else first", ["role"]);
    }
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
  await requireRole(ctx, row?.consortiumId, "OWNER", ["membershipId"], "membership");
  const { consortiumId, userId } = row!;
  await ctx.prisma.$transaction(async (tx) => {
    await tx.membership.delete({ where: { id } });
    if (row!.role === "OWNER" && (await ownerCount(tx, consortiumId)) === 0) {
      throw new AppError("CONFLICT", "a consortium needs at least one OWNER; promote someone else first", [
        "membershipId",
      ]);
    }
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
