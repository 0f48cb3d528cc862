// Who is calling: a bearer API token (machines) or a session cookie (people).
// A bad bearer token is an error (401), never a silent fall-back to anonymous; a stale cookie is just ignored.
// Lookups go through app.authCache (auth-cache.ts); the expiry and revocation checks run on every request.
import { GraphQLError } from "graphql";
import type { AppServices, Viewer } from "../context.js";
import { isApiTokenShape, readCookie, sha256Hex } from "./secrets.js";
import type { CachedSession, CachedToken } from "./auth-cache.js";

const LAST_USED_RESOLUTION_MS = 60_000; // write ApiToken.lastUsedAt at most once a minute per token

export class AuthenticationFailed extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  }
}

export interface Credentials {
  cookie?: string | undefined;
  authorization?: string | undefined;
}

export async function authenticate(app: AppServices, credentials: Credentials): Promise<Viewer | null> {
  const prisma = app.store.prisma;
  const auth = credentials.authorization?.trim();
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) throw new AuthenticationFailed('Authorization: expected "Bearer stm_…"');
    const secret = match[1]!;
    if (!isApiTokenShape(secret)) throw new AuthenticationFailed("Authorization: expected an API token starting with stm_");
    const hash = sha256Hex(secret);
    const token = await app.authCache.credential(hash, async (): Promise<CachedToken | null> => {
      const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash }, include: { user: true } });
      return row && { kind: "token", tokenId: row.id, userId: row.userId, email: row.user.email, name: row.user.name, consortiumId: row.consortiumId, role: row.role, revokedAt: row.revokedAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt };
    });
    const now = new Date();
    if (token?.kind !== "token") throw new AuthenticationFailed("API token not recognised");
    if (token.revokedAt) throw new AuthenticationFailed("API token was revoked");
    if (token.expiresAt && token.expiresAt <= now) throw new AuthenticationFailed("API token has expired");
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      token.lastUsedAt = now; // first, so that concurrent requests on a cached token write once
      await prisma.apiToken.update({ where: { id: token.tokenId }, data: { lastUsedAt: now } });
    }
    return {
      userId: token.userId,
      email: token.email,
      name: token.name,
      token: { id: token.tokenId, consortiumId: token.consortiumId, role: token.role },
      sessionId: null,
    };
  }
  const cookie = readCookie(credentials.cookie, app.config.cookieName);
  if (!cookie) return null;
  const hash = sha256Hex(cookie);
  const session = await app.authCache.credential(hash, async (): Promise<CachedSession | null> => {
    const row = await prisma.session.findUnique({ where: { tokenHash: hash }, include: { user: true } });
    return row && { kind: "session", sessionId: row.id, userId: row.userId, email: row.user.email, name: row.user.name, expiresAt: row.expiresAt };
  });
  if (session?.kind !== "session") return null;
  if (session.expiresAt <= new Date()) {
    app.authCache.forgetCredential(hash);
    await prisma.session.deleteMany({ where: { id: session.sessionId } });
    return null;
  }
  return { userId: session.userId, email: session.email, name: session.name, token: null, sessionId: session.sessionId };
}
