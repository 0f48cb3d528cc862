import type { Context } from "../../context.js";
import type { PrismaClient, Prisma } from "@stratum/db";
import { hashPassword } from "../../auth/password.js";
import { User } from "./user.type.js";

/** A user is visible to themselves and to members of a consortium they belong to. */
export async function visibleUser(ctx: Context, userId: number): Promise<User | null> {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  const row = await ctx.loaders.user.load(userId);
  if (!row) return null;
  if (userId === viewer.userId) return User.from(row);
  const shared = await ctx.prisma.membership.findFirst({
    where: {
      userId,
      consortium: { memberships: { some: { userId: viewer.userId } } },
      ...(viewer.token ? { consortiumId: viewer.token.consortiumId } : {}),
    },
    select: { id: true },
  });
  return shared ? User.from(row) : null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates a user with a password (scrypt). Used by invitations, the seed and tests. */
export async function createUser(
  prisma: PrismaClient | Prisma.TransactionClient,
  data: { email: string; name: string; password?: string | null },
) {
  return prisma.user.create({
    data: {
      email: normalizeEmail(data.email),
      name: data.name,
      passwordHash: data.password ? await hashPassword(data.password) : null,
    },
  });
}
