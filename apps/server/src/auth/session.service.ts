// Sessions: login sets an HTTP-only, SameSite=Lax cookie holding a random secret; the Session row keeps
// only its sha256. Logout deletes the row and clears the cookie.
import type { Context } from "../context.js";
import { AppError } from "../graphql/errors.js";
import { audit } from "../audit/audit.js";
import { verifyPassword } from "./password.js";
import { newSessionSecret, sha256Hex } from "./secrets.js";
import { normalizeEmail } from "../modules/user/user.service.js";
import { User } from "../modules/user/user.type.js";

export async function login(ctx: Context, emailInput: string, password: string): Promise<User> {
  const { config, loginLimiter } = ctx.app;
  if (!ctx.res) throw new AppError("INVALID_STATE", "log in over HTTP (POST /graphql), not over a WebSocket");
  const email = normalizeEmail(emailInput);
  const retryAfter = await loginLimiter.retryAfterSeconds(email, ctx.ip);
  if (retryAfter > 0) {
    throw new AppError("RATE_LIMITED", `too many failed logins for this email; try again in ${retryAfter} s`);
  }
  const user = await ctx.prisma.user.findUnique({ where: { email } });
  const ok = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !ok) {
    await loginLimiter.recordFailure(email, ctx.ip);
    throw new AppError("UNAUTHENTICATED", "email or password is wrong");
  }
  await loginLimiter.recordSuccess(email, ctx.ip);
  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + config.sessionTtlMs);
  await ctx.prisma.$transaction(async (tx) => {
    const session = await tx.session.create({ data: { userId: user.id, tokenHash: sha256Hex(secret), expiresAt } });
    ctx.viewer = { userId: user.id, email: user.email, name: user.name, token: null, sessionId: session.id };
    await audit(tx, ctx, "sessionLogin", { type: "User", id: user.id, consortiumId: null });
    // Housekeeping: drop this user's expired sessions.
    await tx.session.deleteMany({ where: { userId: user.id, expiresAt: { lt: new Date() } } });
  });
  ctx.res.cookie(config.cookieName, secret, {
    httpOnly: true,
    sameSite: "lax",
    secure: config.cookieSecure,
    path: "/",
    expires: expiresAt,
  });
  return User.from(user);
}

export async function logout(ctx: Context, everywhere: boolean): Promise<boolean> {
  const viewer = ctx.viewer;
  if (ctx.res) {
    ctx.res.clearCookie(ctx.app.config.cookieName, {
      httpOnly: true,
      sameSite: "lax",
      secure: ctx.app.config.cookieSecure,
      path: "/",
    });
  }
  if (!viewer || viewer.sessionId === null) return false;
  await ctx.prisma.$transaction(async (tx) => {
    const where = everywhere ? { userId: viewer.userId } : { id: viewer.sessionId! };
    await tx.session.deleteMany({ where });
    await audit(tx, ctx, "sessionLogout", { type: "User", id: viewer.userId, consortiumId: null }, { everywhere });
  });
  ctx.app.authCache.forgetUser(viewer.userId);
  return true;
}
