// Login throttling (issue 12, finding 3). Every attempt passes three gates before its password is checked:
//
//  1. per address, across accounts: at most `perIpMax` attempts per fixed window (default 30 a minute), so
//     one machine cannot spray many accounts;
//  2. per (account, address): at most `perPairMax` attempts per window (default 5 a minute);
//  3. per account, from any address: exponential backoff that DELAYS rather than locks. The first
//     `freeFailures` consecutive failures cost nothing; after that each failure pushes the next allowed
//     attempt out by base·2^k, bounded by `backoffMaxMs` (default 1 s, 2 s, 4 s … ≤ 15 min).
//
// An address that signed in to the account successfully within `knownTtlMs` (30 days) skips gates 1 and
// 3 for that account, so an attacker elsewhere (or behind the same NAT) cannot keep the owner out of
// their account; it still has gate 2. The exemption only covers accounts that address already opened,
// so it gives a sprayer nothing.
//
// Each gate is ONE SQL statement (INSERT … ON CONFLICT DO UPDATE … RETURNING) that counts the attempt and
// says whether it may go ahead, so parallel requests and API replicas can never all pass the same check:
// the row lock orders them. Gate 3 books the attempt as a failure before the password is checked and a
// success removes it. Counters live in "LoginThrottle" (shared database, the database's clock, UTC).
// Raw SQL on purpose (issue 15): Prisma's upsert cannot compute the new count from the stored row
// (CASE on the window) or take a WHERE on the update, so it would need a read and a write — the race
// these gates exist to close; the other statements stay beside them on the same clock (NOW_UTC).
import { NOW_UTC, type SqlClient } from "@stratum/db";
import { isIP } from "node:net";

export interface LoginThrottleOptions {
  perPairMax: number;
  perIpMax: number;
  windowMs: number;
  freeFailures: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  knownTtlMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  perPairMax: 5,
  perIpMax: 30,
  windowMs: 60_000,
  freeFailures: 5,
  backoffBaseMs: 1_000,
  backoffMaxMs: 15 * 60_000,
  knownTtlMs: 30 * 24 * 3_600_000,
};

/** Why an attempt was refused, and when to come back. */
export interface Refusal {
  gate: "ip" | "pair" | "account";
  retryAfterSeconds: number;
}

/** A granted attempt: report its outcome with succeeded() or failed(). */
export interface Attempt {
  /** The per-address and account gates were skipped: this address signed in to the account before. */
  knownAddress: boolean;
  /** Consecutive failures booked on the account, this attempt included (0 when the gate was skipped). */
  accountFailures: number;
}

const MS = `interval '1 millisecond'`;

/**
 * The bucket an address counts in for the per-address gate: IPv4 as is, IPv6 by its /64 (one end site
 * usually holds a whole /64, so counting single IPv6 addresses would give it 2^64 buckets).
 */
export function addressBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const expanded = expandIpv6(ip);
  return expanded ? `${expanded.slice(0, 4).join(":")}::/64` : ip;
}

function expandIpv6(ip: string): string[] | null {
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  if (right.at(-1)?.includes(".") || left.at(-1)?.includes(".")) return null; // embedded IPv4: leave whole
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(fill, 0)).fill("0"), ...right];
  return groups.length === 8 ? groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, "")) : null;
}

export class LoginRateLimiter {
  readonly options: LoginThrottleOptions;

  constructor(
    private readonly sql: SqlClient,
    options: Partial<LoginThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  }

  private static email(email: string): string {
    return email.trim().toLowerCase();
  }

  /** Counts one attempt in a fixed-window counter; returns its number in the window and the seconds left. */
  private async hit(key: string): Promise<{ count: number; wait: number }> {
    const r = await this.sql.query<{ count: number; wait: number }>(
      `INSERT INTO "LoginThrottle" AS t (key, count, "windowStart", "updatedAt") VALUES ($1, 1, ${NOW_UTC}, ${NOW_UTC})
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN t."windowStart" <= ${NOW_UTC} - $2 * ${MS} THEN 1 ELSE t.count + 1 END,
         "windowStart" = CASE WHEN t."windowStart" <= ${NOW_UTC} - $2 * ${MS} THEN ${NOW_UTC} ELSE t."windowStart" END,
         "updatedAt" = ${NOW_UTC}
       RETURNING count, ceil(extract(epoch FROM "windowStart" + $2 * ${MS} - ${NOW_UTC}))::int AS wait`,
      [key, this.options.windowMs],
    );
    const row = r.rows[0]!;
    return { count: row.count, wait: Math.max(1, row.wait) };
  }

  /**
   * When the next attempt may come after the c-th consecutive failure, as SQL over the integer expression
   * `c`. A free failure sets NULL, not "now": now() is each statement's transaction start, so a request
   * that started earlier but waited for the row lock would compare its older clock against a later
   * request's "now + 0" and be refused a free attempt (seen across two replicas under load).
   */
  private nextAtSql(c: string): string {
    const { freeFailures, backoffBaseMs, backoffMaxMs } = this.options;
    return `(CASE WHEN ${c} <= ${freeFailures} THEN NULL
                  ELSE ${NOW_UTC} + least(${backoffBaseMs}::float8 * power(2, least(${c} - ${freeFailures} - 1, 40)), ${backoffMaxMs}) * ${MS} END)`;
  }

  /**
   * Asks to check one password. Returns a Refusal (do not check it), or an Attempt: the attempt is already
   * counted as a failure; call succeeded() when the password was right.
   */
  async begin(emailInput: string, ip: string): Promise<Attempt | Refusal> {
    const email = LoginRateLimiter.email(emailInput);
    const { perIpMax, perPairMax, knownTtlMs } = this.options;
    // An address that signed in to this account before skips the per-address and the account gates (an
    // attacker behind the same NAT, or anywhere else, cannot keep the owner out); it keeps the pair gate.
    const known = await this.sql.query(
      `SELECT 1 FROM "LoginThrottle" WHERE key = $1 AND "windowStart" > ${NOW_UTC} - $2 * ${MS}`,
      [`known:${email}|${ip}`, knownTtlMs],
    );
    const knownAddress = known.rows.length > 0;
    if (!knownAddress) {
      const perIp = await this.hit(`ip:${addressBucket(ip)}`);
      if (perIp.count > perIpMax) return { gate: "ip", retryAfterSeconds: perIp.wait };
    }
    const pair = await this.hit(`pair:${email}|${ip}`);
    if (pair.count > perPairMax) return { gate: "pair", retryAfterSeconds: pair.wait };
    if (knownAddress) return { knownAddress: true, accountFailures: 0 };

    // Book this attempt as the next consecutive failure, but only when the backoff has elapsed. A quiet
    // account (no attempt for the longest backoff + a window) starts over at 1.
    const resetMs = this.options.backoffMaxMs + this.options.windowMs;
    const next = `(CASE WHEN t."updatedAt" <= ${NOW_UTC} - ${resetMs} * ${MS} THEN 1 ELSE t.count + 1 END)`;
    const booked = await this.sql.query<{ count: number }>(
      `INSERT INTO "LoginThrottle" AS t (key, count, "windowStart", "nextAt", "updatedAt")
       VALUES ($1, 1, ${NOW_UTC}, ${this.nextAtSql("1")}, ${NOW_UTC})
       ON CONFLICT (key) DO UPDATE SET
         count = ${next},
         "nextAt" = ${this.nextAtSql(next)},
         "updatedAt" = ${NOW_UTC}
       WHERE t."nextAt" IS NULL OR t."nextAt" <= ${NOW_UTC}
       RETURNING count`,
      [`acct:${email}`],
    );
    if (booked.rows.length > 0) return { knownAddress: false, accountFailures: booked.rows[0]!.count };
    const wait = await this.sql.query<{ wait: number | null }>(
      `SELECT ceil(extract(epoch FROM "nextAt" - ${NOW_UTC}))::int AS wait FROM "LoginThrottle" WHERE key = $1`,
      [`acct:${email}`],
    );
    return { gate: "account", retryAfterSeconds: Math.max(1, wait.rows[0]?.wait ?? 1) };
  }

  /** The password was right: clear the account's and the pair's counters, give the address its attempt back, remember it. */
  async succeeded(emailInput: string, ip: string, attempt?: Attempt): Promise<void> {
    const email = LoginRateLimiter.email(emailInput);
    await this.sql.query(`DELETE FROM "LoginThrottle" WHERE key = $1 OR key = $2`, [`acct:${email}`, `pair:${email}|${ip}`]);
    if (!attempt?.knownAddress) {
      await this.sql.query(`UPDATE "LoginThrottle" SET count = greatest(count - 1, 0) WHERE key = $1`, [`ip:${addressBucket(ip)}`]);
    }
    await this.sql.query(
      `INSERT INTO "LoginThrottle" (key, count, "windowStart", "updatedAt") VALUES ($1, 0, ${NOW_UTC}, ${NOW_UTC})
       ON CONFLICT (key) DO UPDATE SET "windowStart" = ${NOW_UTC}, "updatedAt" = ${NOW_UTC}`,
      [`known:${email}|${ip}`],
    );
  }

  /** Drops counters nobody reads any more (the app's hourly sweep). */
  async sweep(): Promise<void> {
    const { knownTtlMs, backoffMaxMs, windowMs } = this.options;
    await this.sql.query(
      `DELETE FROM "LoginThrottle"
       WHERE "updatedAt" <= ${NOW_UTC} - $1 * ${MS}
          OR (key NOT LIKE 'known:%' AND "updatedAt" <= ${NOW_UTC} - $2 * ${MS})`,
      [knownTtlMs, backoffMaxMs + windowMs],
    );
  }
}

export function isRefusal(x: Attempt | Refusal): x is Refusal {
  return "gate" in x;
}
