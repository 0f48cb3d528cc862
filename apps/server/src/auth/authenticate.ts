// Who is calling: a bearer API token (machines) or a session cookie (people).
// A bad bearer token is an error (401), never a silent fall-back to anonymous; a stale cookie is just ignored.
import { GraphQLError } from "graphql";
import type { AppServices, Viewer } from "../context.js";
import { isApiTokenShape, readCookie, sha256Hex } from "./secrets.js";

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
    const token = await prisma.apiToken.findUnique({ where: { tokenHash: sha256Hex(secret) }, include: { user: true } });
    const now = new Date();
    if (!token) throw new AuthenticationFailed("API token not recognised");
    if (token.revokedAt) throw new AuthenticationFailed("API token was revoked");
    if (token.expiresAt && token.expiresAt <= now) throw new AuthenticationFailed("API token has expired");
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
    }
    return {
      userId: token.userId,
      email: token.user.email,
      name: token.user.name,
      token: { id: token.id, consortiumId: token.consortiumId, role: token.role },
      sessionId: null,
    };
  }
  const cookie = readCookie(credentials.cookie, app.config.cookieName);
  if (!cookie) return null;
  const session = await prisma.session.findUnique({ where: { tokenHash: sha256Hex(cookie) }, include: { user: true } });
  if (!session) return null;
  if (session.expiresAt <= new Date()) {
    await prisma.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  return { userId: session.userId, email: session.user.email, name: session.user.name, token: null, sessionId: session.id };
}
