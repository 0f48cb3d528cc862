// Per-event authorization for subscriptions. The subscribe call is checked like any query; after that
// every event is checked again against the subscriber's current standing, so a member removed, a
// role lowered, a token revoked or a session ended stops receiving events within `ttlMs`.
// Results are cached per (user, token, session, consortium) for ttlMs to keep fan-out cheap.
// A subscription that waits for its next event is also watched (watch()): its standing is re-read every
// WATCH_INTERVAL_MS without the cache, so a revoked member, token or session ends its streams within a
// second even when no event arrives. One query per distinct subscriber and consortium per tick.
import { NOW_UTC, type Role, type Store } from "@stratum/db";

const DEFAULT_TTL_MS = 1_000; // 1 s
const WATCH_INTERVAL_MS = 400; // revocation → stream ends within this plus one lookup

export interface Subscriber {
  userId: number;
  tokenId: number | null;
  sessionId: number | null;
}

const RANK: Record<Role, number> = { VIEWER: 1, REVIEWER: 2, CURATOR: 3, OWNER: 4 };

export class LiveAuthorizer {
  private readonly cache = new Map<string, { at: number; role: Promise<Role | null> }>();
  private readonly watched = new Map<string, { who: Subscriber; consortiumId: number; ends: Set<{ minRole: Role; end: () => void }> }>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

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

  /**
   * Calls `end` (once) as soon as the subscriber no longer holds minRole in the consortium, checked every
   * WATCH_INTERVAL_MS. Returns the function that stops watching (call it when the stream closes).
   */
  watch(who: Subscriber, consortiumId: number, end: () => void, minRole: Role = "VIEWER"): () => void {
    const key = `${who.userId}:${who.tokenId ?? "-"}:${who.sessionId ?? "-"}:${consortiumId}`;
    let entry = this.watched.get(key);
    if (!entry) this.watched.set(key, (entry = { who, consortiumId, ends: new Set() }));
    const item = { minRole, end };
    entry.ends.add(item);
    if (!this.timer) {
      this.timer = setInterval(() => void this.checkWatched(), WATCH_INTERVAL_MS);
      this.timer.unref();
    }
    return () => {
      const e = this.watched.get(key);
      if (!e) return;
      e.ends.delete(item);
      if (e.ends.size === 0) this.watched.delete(key);
      this.stopTimerIfIdle();
    };
  }

  /** Stops the watch timer (the runtime's close()). */
  close(): void {
    this.watched.clear();
    this.stopTimerIfIdle();
  }

  private stopTimerIfIdle(): void {
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async checkWatched(): Promise<void> {
    if (this.checking) return; // a slow database: skip a tick rather than pile up lookups
    this.checking = true;
    try {
      await Promise.all(
        [...this.watched].map(async ([key, entry]) => {
          let role: Role | null;
          try {
            role = await this.lookup(entry.who, entry.consortiumId);
          } catch {
            return; // database unavailable: keep the stream; the next tick tries again
          }
          this.cache.set(key, { at: Date.now(), role: Promise.resolve(role) });
          for (const item of [...entry.ends]) {
            if (role === null || RANK[role] < RANK[item.minRole]) {
              entry.ends.delete(item);
              item.end();
            }
          }
          if (entry.ends.size === 0) this.watched.delete(key);
        }),
      );
    } finally {
      this.checking = false;
      this.stopTimerIfIdle();
    }
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
