// Sessions: login sets an HTTP-only, SameSite=Lax cookie holding a random secret; the Session row keeps
// only its sha256. Logout deletes the row and clears the cookie.
// The password check, the rate limit, the secrets and the cookie's attributes are auth/ primitives; this
// module is the sessionLogin/sessionLogout API on top of them.
import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { audit } from "../../audit/audit.js";
import { checkPassword, hashPassword } from "../../auth/password.js";
import { isRefusal } from "../../auth/rate-limit.js";
import { newSessionSecret, sha256Hex } from "../../auth/secrets.js";
import { sessionCookieOptions } from "../../auth/session-cookie.js";
import { normalizeEmail } from "../user/user.service.js";
import { User } from "../user/user.type.js";

export async function login(ctx: Context, emailInput: string, password: string): Promise<User> {
  const { config, loginLimiter } = ctx.app;
  if (!ctx.res) throw new AppError("INVALID_STATE", "log in over HTTP (POST /graphql), not over a WebSocket");
  const email = normalizeEmail(emailInput);
  // ctx.ip is the trusted client address (http/client-address.ts): forwarded headers count only from
  // configured proxies. The gates book the attempt before the password is checked (auth/rate-limit.ts).
  const attempt = await loginLimiter.begin(email, ctx.ip);
  if (isRefusal(attempt)) {
    throw new AppError("RATE_LIMITED", `too many failed logins; try again in ${attempt.retryAfterSeconds} s`);
  }
  const user = await ctx.prisma.user.findUnique({ where: { email } });
  const check = await checkPassword(password, user?.passwordHash ?? null);
  if (!user || !check.ok) {
    await audit(ctx.prisma, ctx, "sessionLoginFailed", { type: "User", id: user?.id ?? null, consortiumId: null }, {
      email,
      reason: user ? "password" : "unknown email",
      accountFailures: attempt.accountFailures,
    });
    throw new AppError("UNAUTHENTICATED", "email or password is wrong");
  }
  await loginLimiter.succeeded(email, ctx.ip, attempt);
  if (check.needsRehash) {
    // Stronger parameters than this hash was made with: replace it now that we know the password. Only if
    // the row still holds the hash we checked (a password change in between wins).
    const passwordHash = await hashPassword(password);
    await ctx.prisma.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash } });
  }
  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + config.sessionTtlMs);
  await ctx.prisma.$transaction(async (tx) => {
    const session = await tx.session.create({ data: { userId: user.id, tokenHash: sha256Hex(secret), expiresAt } });
    ctx.viewer = { userId: user.id, email: user.email, name: user.name, token: null, sessionId: session.id };
    await audit(tx, ctx, "sessionLogin", { type: "User", id: user.id, consortiumId: null }, check.needsRehash ? { rehashed: true } : {});
    // Housekeeping: drop this user's expired sessions.
    await tx.session.deleteMany({ where: { userId: user.id, expiresAt: { lt: new Date() } } });
  });
  ctx.res.cookie(config.cookieName, secret, { ...sessionCookieOptions(ctx), expires: expiresAt });
  return User.from(user);
}

export async function logout(ctx: Context, everywhere: boolean): Promise<boolean> {
  const viewer = ctx.viewer;
  if (ctx.res) {
    ctx.res.clearCookie(ctx.app.config.cookieName, sessionCookieOptions(ctx));
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
