// Login rate limit: at most `maxFailures` failed logins per (email, IP) per sliding window.
// The failures are rows of LoginFailure, so every API replica (and a restarted one) counts the same
// attempts. Time is the database's clock (in UTC, like Prisma's timestamps), never a replica's own.
import { NOW_UTC, type SqlClient } from "@stratum/db";

export class LoginRateLimiter {
  constructor(
    private readonly sql: SqlClient,
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000, // 1 min
  ) {}

  private key(email: string, ip: string): string {
    return `${email.trim().toLowerCase()}|${ip}`;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  async retryAfterSeconds(email: string, ip: string): Promise<number> {
    // The window reopens when the oldest of the last maxFailures failures leaves it.
    const r = await this.sql.query<{ n: number; wait: number | null }>(
      `WITH recent AS (
         SELECT "createdAt" FROM "LoginFailure"
         WHERE key = $1 AND "createdAt" > ${NOW_UTC} - $2 * interval '1 millisecond'
         ORDER BY "createdAt" DESC LIMIT $3)
       SELECT count(*)::int AS n,
              ceil(extract(epoch FROM min("createdAt") + $2 * interval '1 millisecond' - ${NOW_UTC}))::int AS wait
       FROM recent`,
      [this.key(email, ip), this.windowMs, this.maxFailures],
    );
    const { n, wait } = r.rows[0]!;
    return n < this.maxFailures ? 0 : Math.max(1, wait ?? 1);
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.sql.query(`INSERT INTO "LoginFailure" (key, "createdAt") VALUES ($1, ${NOW_UTC})`, [this.key(email, ip)]);
    // Failures that left the window count for nobody; dropping them keeps the table at one window's worth.
    await this.sql.query(`DELETE FROM "LoginFailure" WHERE "createdAt" <= ${NOW_UTC} - $1 * interval '1 millisecond'`, [this.windowMs]);
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.sql.query(`DELETE FROM "LoginFailure" WHERE key = $1`, [this.key(email, ip)]);
  }
}
