// Per-event authorization for subscriptions. The subscribe call is checked like any query; after that
// every event is checked again against the subscriber's current standing, so a member removed, a
// role lowered, a token revoked or a session ended stops receiving events within `ttlMs`.
// Results are cached per (user, token, session, consortium) for ttlMs to keep fan-out cheap.
import { NOW_UTC, type Role, type Store } from "@stratum/db";

const DEFAULT_TTL_MS = 1_000; // 1 s

export interface Subscriber {
  userId: number;
  tokenId: number | null;
  sessionId: number | null;
}

const RANK: Record<Role, number> = { VIEWER: 1, REVIEWER: 2, CURATOR: 3, OWNER: 4 };

export class LiveAuthorizer {
  private readonly cache = new Map<string, { at: number; role: Promise<Role | null> }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  /** The subscriber's current role in the consortium (token-narrowed), or null when they have none. */
  async roleIn(who: Subscriber, consortiumId: number): Promise<Role | null> {
    const key = `${who.userId}:${who.tokenId ?? "-"}:${who.sessionId ?? "-"}:${consortiumId}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.role;
    // Every subscriber of a topic asks at once when an event fans out: they share one lookup.
    const role = this.lookup(who, consortiumId);
    if (this.cache.size > 10_000) this.cache.clear();
    const entry = { at: now, role };
    this.cache.set(key, entry);
    role.catch(() => this.cache.get(key) === entry && this.cache.delete(key));
    return role;
  }

  async allows(who: Subscriber, consortiumId: number, minRole: Role = "VIEWER"): Promise<boolean> {
    const role = await this.roleIn(who, consortiumId);
    return role !== null && RANK[role] >= RANK[minRole];
  }

  private async lookup(who: Subscriber, consortiumId: number): Promise<Role | null> {
    const r = await this.store.sql.query<{ role: Role; tokenRole: Role | null; tokenOk: boolean | null; sessionOk: boolean | null }>(
      `SELECT m.role,
              t.role AS "tokenRole",
              (t.id IS NOT NULL AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > ${NOW_UTC})
                 AND t."consortiumId" = m."consortiumId") AS "tokenOk",
              (s.id IS NOT NULL AND s."expiresAt" > ${NOW_UTC}) AS "sessionOk"
       FROM "Membership" m
       LEFT JOIN "ApiToken" t ON t.id = $3
       LEFT JOIN "Session" s ON s.id = $4
       WHERE m."userId" = $1 AND m."consortiumId" = $2`,
      [who.userId, consortiumId, who.tokenId, who.sessionId],
    );
    const row = r.rows[0];
    if (!row) return null;
    if (who.tokenId !== null) {
      if (!row.tokenOk || !row.tokenRole) return null;
      return RANK[row.tokenRole] <= RANK[row.role] ? row.tokenRole : row.role;
    }
    if (who.sessionId !== null && !row.sessionOk) return null;
    return row.role;
  }
}
