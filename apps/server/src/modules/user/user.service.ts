import type { Context } from "../../context.js";
import type { PrismaClient, Prisma } from "@stratum/db";
import { hashPassword, verifyPassword } from "../../auth/password.js";
import { isRefusal } from "../../auth/rate-limit.js";
import { AppError } from "../../graphql/errors.js";
import { audit } from "../../audit/audit.js";
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

/** Changes the caller's password after checking the current one; ends their other sessions. */
export async function changePassword(ctx: Context, currentPassword: string, newPassword: string): Promise<User> {
  const viewer = ctx.viewer;
  if (!viewer) throw new AppError("UNAUTHENTICATED", "sign in first");
  if (viewer.token || viewer.sessionId === null) {
    throw new AppError("FORBIDDEN", "an API token cannot change a password; sign in as a person");
  }
  const limiter = ctx.app.loginLimiter;
  // The current-password check goes through the same gates as a login (a stolen session must not become
  // an unthrottled password oracle).
  const attempt = await limiter.begin(viewer.email, ctx.ip);
  if (isRefusal(attempt)) throw new AppError("RATE_LIMITED", `too many failed attempts; try again in ${attempt.retryAfterSeconds} s`);
  const row = await ctx.prisma.user.findUniqueOrThrow({ where: { id: viewer.userId } });
  if (!(await verifyPassword(currentPassword, row.passwordHash))) {
    await audit(ctx.prisma, ctx, "userPasswordCheckFailed", { type: "User", id: viewer.userId, consortiumId: null }, { accountFailures: attempt.accountFailures });
    throw new AppError("UNAUTHENTICATED", "the current password is wrong", ["currentPassword"]);
  }
  await limiter.succeeded(viewer.email, ctx.ip, attempt);
  if (currentPassword === newPassword) {
    throw new AppError("VALIDATION", "expected a new password different from the current one", ["newPassword"]);
  }
  const passwordHash = await hashPassword(newPassword);
  const user = await ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.user.update({ where: { id: viewer.userId }, data: { passwordHash } });
    const ended = await tx.session.deleteMany({ where: { userId: viewer.userId, id: { not: viewer.sessionId! } } });
    await audit(tx, ctx, "userPasswordChange", { type: "User", id: viewer.userId, consortiumId: null }, {
      otherSessionsEnded: ended.count,
    });
    return User.from(updated);
  });
  ctx.app.authCache.forgetUser(viewer.userId); // the other sessions just ended
  return user;
}
