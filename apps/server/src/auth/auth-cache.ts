// A short-lived, in-process cache of who a credential belongs to and which memberships a user holds,
// so that a request does not pay two database lookups before doing its own work (the run list every
// screen polls is mostly this fixed cost).
// - Keys: a credential's sha256 (never the secret); a user id for memberships.
// - Every request still runs every check against the cached rows: expiry, revocation, and the role
//   checks of each operation (requireRole / canRead on the cached memberships).
// - Changes made by this process (sign-out, password change, token revoke, membership invite / update /
//   remove, consortium create) call forgetUser() after they commit, so they take effect at once here.
// - Changes made by another replica (or straight in the database) arrive as "user:<id>" row-change
//   notifications (follow(), from triggers on Membership, Session, ApiToken and User): they take effect
//   here as soon as the notification does, typically within milliseconds of the commit. `ttlMs`
//   (STRATUM_AUTH_CACHE_MS, default 5 s; 0 turns the cache off) bounds an entry's age all the same, for
//   when the notification connection is down.
// Concurrent misses for one key share a single lookup; a failed lookup is not kept.
import type { Membership, Role } from "@stratum/db";
import type { ChangeFeed } from "../cache/notified-cache.js";

export interface CachedSession {
  kind: "session";
  sessionId: number;
  userId: number;
  email: string;
  name: string;
  expiresAt: Date;
}

export interface CachedToken {
  kind: "token";
  tokenId: number;
  userId: number;
  email: string;
  name: string;
  consortiumId: number;
  role: Role;
  revokedAt: Date | null;
  expiresAt: Date | null;
  /** Updated in place when authenticate() writes ApiToken.lastUsedAt. */
  lastUsedAt: Date | null;
}

export type CachedCredential = CachedSession | CachedToken;

interface Entry<T> {
  at: number;
  /** Whose entry it is; null while the lookup is in flight. */
  userId: number | null;
  value: Promise<T>;
}

const MAX_ENTRIES = 10_000; // per map; past it the oldest entries go first

export class AuthCache {
  private readonly credentials = new Map<string, Entry<CachedCredential | null>>();
  private readonly memberships = new Map<number, Entry<ReadonlyMap<number, Membership>>>();

  constructor(readonly ttlMs: number) {}

  /** The credential with this hash (`load` reads it on a miss); null (unknown) is not cached. */
  credential(hash: string, load: () => Promise<CachedCredential | null>): Promise<CachedCredential | null> {
    return this.get(this.credentials, hash, load, (value) => value?.userId ?? null, (value) => value !== null);
  }

  /** The user's memberships by consortium id. */
  membershipsOf(userId: number, load: () => Promise<Membership[]>): Promise<ReadonlyMap<number, Membership>> {
    return this.get(
      this.memberships,
      userId,
      async () => new Map((await load()).map((m) => [m.consortiumId, m])),
      () => userId,
      () => true,
    );
  }

  /** Drops a user's entries when the database reports a change to them, and everything on a reset. */
  follow(changes: ChangeFeed): void {
    changes.subscribe("user", { change: (userId) => this.forgetUser(userId), reset: () => this.forgetAll() });
  }

  forgetAll(): void {
    this.credentials.clear();
    this.memberships.clear();
  }

  /** Drops one credential (e.g. an expired session that was just deleted). */
  forgetCredential(hash: string): void {
    this.credentials.delete(hash);
  }

  /** Drops everything cached about a user: their sessions, tokens and memberships. Call after the change commits. */
  forgetUser(userId: number): void {
    this.memberships.delete(userId);
    // A lookup still in flight may have read the row before the change: drop it too.
    for (const [key, entry] of this.credentials) {
      if (entry.userId === userId || entry.userId === null) this.credentials.delete(key);
    }
  }

  private get<K, T>(
    map: Map<K, Entry<T>>,
    key: K,
    load: () => Promise<T>,
    userOf: (value: T) => number | null,
    keep: (value: T) => boolean,
  ): Promise<T> {
    const now = Date.now();
    const hit = map.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.ttlMs <= 0) return load();
    const value = load();
    const entry: Entry<T> = { at: now, userId: null, value };
    map.delete(key); // re-insert so that Map order stays oldest-first
    map.set(key, entry);
    if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as K);
    value.then(
      (v) => {
        if (map.get(key) !== entry) return; // forgotten or replaced meanwhile
        if (keep(v)) entry.userId = userOf(v);
        else map.delete(key);
      },
      () => {
        if (map.get(key) === entry) map.delete(key);
      },
    );
    return value;
  }
}
